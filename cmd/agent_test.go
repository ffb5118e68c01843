package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketkms/pkms/server"
	"github.com/pocketkms/pkms/vault"
)

// runReal runs a command line in-process against the real vault session
// (or the agent, when envs names one).
func runReal(envs map[string]string, args ...string) result {
	var out, errb bytes.Buffer
	e := &env{getenv: func(k string) string { return envs[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		tty: func() (*os.File, error) { return nil, os.ErrNotExist }}
	code := execute(context.Background(), newGlobals(e), args)
	return result{code, out.String(), errb.String()}
}

// TestAgentOutputIdentical runs the same command lines without and with an
// agent and requires the same stdout, stderr and exit code, byte for byte.
func TestAgentOutputIdentical(t *testing.T) {
	envs := vaultEnv(t)
	envs["TZ"] = "UTC"
	dir := filepath.Dir(envs["PKMS_VAULT"])
	must := func(args ...string) string {
		t.Helper()
		r := runReal(envs, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		return strings.TrimSpace(r.stdout)
	}
	key := must("create-key", "--description", "app", "--query", "KeyMetadata.KeyId", "--output", "text")
	must("create-alias", "--alias-name", "alias/app", "--target-key-id", key)
	must("create-alias", "--alias-name", "alias/other", "--target-key-id", key)
	ed := must("create-key", "--key-spec", "ECC_NIST_EDWARDS25519", "--key-usage", "SIGN_VERIFY", "--query", "KeyMetadata.KeyId", "--output", "text")
	mac := must("create-key", "--key-spec", "HMAC_256", "--key-usage", "GENERATE_VERIFY_MAC", "--query", "KeyMetadata.KeyId", "--output", "text")
	blob := filepath.Join(dir, "blob")
	ct := must("encrypt", "--key-id", "alias/app", "--plaintext", "aGVsbG8=", "--encryption-context", "k=v", "--query", "CiphertextBlob", "--output", "text")
	if err := os.WriteFile(blob, []byte(ct), 0o600); err != nil {
		t.Fatal(err)
	}

	lines := [][]string{
		{"describe-key", "--key-id", "alias/app"},
		{"describe-key", "--key-id", "alias/app", "--output", "table"},
		{"describe-key", "--key-id", "alias/app", "--output", "text"},
		{"describe-key", "--key-id", "alias/app", "--output", "yaml"},
		{"--region", "eu-west-2", "describe-key", "--key-id", key},
		{"list-keys", "--output", "text"},
		{"list-aliases", "--output", "table"},
		{"list-aliases", "--max-items", "1"},
		{"list-aliases", "--key-id", key, "--page-size", "1"},
		{"decrypt", "--ciphertext-blob", "fileb://" + blob, "--encryption-context", "k=v", "--query", "Plaintext", "--output", "text"},
		{"decrypt", "--ciphertext-blob", "fileb://" + blob},
		{"decrypt", "--ciphertext-blob", "fileb://" + blob, "--encryption-context", "k=v", "--key-id", ed},
		{"sign", "--key-id", ed, "--message", "aGk=", "--signing-algorithm", "ED25519_SHA_512"},
		{"get-public-key", "--key-id", ed},
		{"generate-mac", "--key-id", mac, "--message", "aGk=", "--mac-algorithm", "HMAC_SHA_256"},
		{"verify-mac", "--key-id", mac, "--message", "aGk=", "--mac-algorithm", "HMAC_SHA_256", "--mac", "AAAA"},
		{"get-key-policy", "--key-id", key, "--output", "text"},
		{"describe-key", "--key-id", "alias/none"},
		{"describe-key", "--key-id", "arn:aws:kms:us-east-1:000000000000:alias/x"},
		{"encrypt", "--key-id", "alias/app", "--plaintext", strings.Repeat("QUFB", 1400)},
		{"encrypt", "--plaintext", "aGk="},
		{"create-grant", "--key-id", key, "--grantee-principal", "arn:aws:iam::111122223333:role/x", "--operations", "Sign"},
		{"list-grants", "--key-id", key},
		{"generate-random", "--number-of-bytes", "0"},
	}
	var before []result
	for _, l := range lines {
		before = append(before, runReal(envs, l...))
	}

	// The agent, in this process, over the same vault.
	g := newGlobals(&env{getenv: func(k string) string { return envs[k] }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	v, err := g.unlockVault()
	if err != nil {
		t.Fatal(err)
	}
	sockDir, err := os.MkdirTemp("", "pkms-cmd-agent-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	serveTestAgent(t, g, v, filepath.Join(sockDir, "agent.sock"))
	agentEnv := map[string]string{"PKMS_AGENT_SOCK": filepath.Join(sockDir, "agent.sock"), "TZ": "UTC"}

	for i, l := range lines {
		got := runReal(agentEnv, l...)
		if got != before[i] {
			t.Errorf("%v differs through the agent:\nwithout: exit %d\n%s%s\nwith:    exit %d\n%s%s",
				l, before[i].code, before[i].stdout, before[i].stderr, got.code, got.stdout, got.stderr)
		}
	}
	// And the exit codes cover every class.
	codes := map[int]bool{}
	for _, r := range before {
		codes[r.code] = true
	}
	for _, c := range []int{0, 252, 254} {
		if !codes[c] {
			t.Errorf("no command line exercised exit %d", c)
		}
	}

	// A dead agent is a clear 253.
	dead := runReal(map[string]string{"PKMS_AGENT_SOCK": filepath.Join(sockDir, "gone.sock")}, "list-keys")
	if dead.code != 253 || !strings.Contains(dead.stderr, "cannot reach the pkms agent") || !strings.Contains(dead.stderr, "hint:") {
		t.Fatalf("dead agent: exit %d\n%s", dead.code, dead.stderr)
	}
}

// serveTestAgent serves v as an agent on the socket sock until the test
// ends.
func serveTestAgent(t *testing.T, g *globals, v *vault.Vault, sock string) {
	t.Helper()
	l, err := server.ListenAgent(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.serveAgent(ctx, v, l, &agentFlags{}) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}
