//go:build cgo

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketkms/pkms/vault/pkcs11"
)

// BenchmarkEncryptProcessAgentTokenKey is one whole `pkms encrypt` process
// through an agent, with a key in a custom key store on a SoftHSM2 token
// (AES-GCM in the token, the agent's session warm) next to a vault key.
func BenchmarkEncryptProcessAgentTokenKey(b *testing.B) {
	if _, err := exec.LookPath("softhsm2-util"); err != nil || pkcs11.SoftHSMModule() == "" {
		b.Skip("needs SoftHSM2")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "pkms")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		b.Fatal(err)
	}
	conf, pin := filepath.Join(dir, "softhsm2.conf"), filepath.Join(dir, "pin")
	for name, text := range map[string]string{conf: "directories.tokendir = " + tokens + "\n", pin: "12345678\n"} {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	cert := filepath.Join(dir, "ca.crt")
	env := append(os.Environ(), "SOFTHSM2_CONF="+conf, "PKMS_PIN_FILE="+pin)
	pkms := func(args ...string) string {
		c := exec.Command(bin, args...)
		c.Env = env
		var stderr strings.Builder
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			b.Fatalf("pkms %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	for _, args := range [][]string{
		{"softhsm2-util", "--init-token", "--free", "--label", "bench", "--pin", "12345678", "--so-pin", "87654321"},
		{"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", os.DevNull,
			"-subj", "/CN=ca", "-days", "1", "-out", cert},
	} {
		c := exec.Command(args[0], args[1:]...)
		c.Env = env
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", args[0], err, out)
		}
	}
	path, idFile, vaultKey := benchVault(b, 10)
	sockDir, err := os.MkdirTemp("", "pkms-bench-") // short: a socket path is limited
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	sock := filepath.Join(sockDir, "agent.sock")
	pkms("agent", "--vault", path, "--identity-file", idFile, "--socket", sock)
	defer exec.Command(bin, "agent", "stop", "--socket", sock).Run()
	env = append(env, "PKMS_AGENT_SOCK="+sock)
	cks := pkms("create-custom-key-store", "--custom-key-store-name", "bench", "--cloud-hsm-cluster-id", "bench",
		"--trust-anchor-certificate", "file://"+cert, "--query", "CustomKeyStoreId", "--output", "text")
	pkms("connect-custom-key-store", "--custom-key-store-id", cks)
	tokenKey := pkms("create-key", "--origin", "AWS_CLOUDHSM", "--custom-key-store-id", cks, "--query", "KeyMetadata.KeyId", "--output", "text")
	for _, k := range []struct{ name, id string }{{"vault-key", vaultKey}, {"token-key", tokenKey}} {
		b.Run(k.name, func(b *testing.B) {
			reportMedian(b, func() {
				pkms("encrypt", "--key-id", k.id, "--plaintext", "aGVsbG8gd29ybGQ=", "--query", "CiphertextBlob", "--output", "text")
			})
		})
	}
}
