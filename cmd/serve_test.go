package cmd

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/pocketkms/pkms/vault"
)

// vaultEnv is the environment of a new vault unlocked by an identity file,
// with a private runtime directory for agent sockets.
func vaultEnv(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(dir, "id.key")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rt, err := os.MkdirTemp("", "pkms-rt-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	envs := map[string]string{"PKMS_VAULT": filepath.Join(dir, "vault.pkms"), "PKMS_IDENTITY_FILE": idFile, "XDG_RUNTIME_DIR": rt}
	if r := runReal(envs, "vault", "init", "--no-passphrase", "--recipient", id.Recipient().String()); r.code != 0 {
		t.Fatalf("vault init: %s", r.stderr)
	}
	return envs
}

func TestServeUserErrors(t *testing.T) {
	envs := vaultEnv(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"not loopback", []string{"serve", "--listen", "0.0.0.0:4599"}, 252, "is not a loopback address"},
		{"remote without TLS", []string{"serve", "--listen", "0.0.0.0:4599", "--allow-remote"}, 252, "requires --tls-cert and --tls-key"},
		{"half TLS", []string{"serve", "--listen", "127.0.0.1:0", "--tls-cert", "c.pem"}, 252, "go together"},
		{"address in use", []string{"serve", "--listen", busy.Addr().String()}, 253, "address already in use"},
		{"delete without id", []string{"serve", "credentials", "delete"}, 252, "--access-key-id"},
		{"delete unknown", []string{"serve", "credentials", "delete", "--access-key-id", "PKMSAAAAAAAAAAAAAAAA"}, 254, "(NotFoundException)"},
		{"long description", []string{"serve", "credentials", "create", "--description", strings.Repeat("d", 257)}, 254, "(ValidationException)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := runReal(envs, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, tc.code, tc.stderr)
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("took %v", time.Since(start))
			}
		})
	}
	// Credentials round trip in-process: create, list without the secret, delete.
	r := runReal(envs, "serve", "credentials", "create", "--query", "AccessKeyId", "--output", "text")
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || len(id) != 20 {
		t.Fatalf("create: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := runReal(envs, "serve", "credentials", "list"); !strings.Contains(r.stdout, id) || strings.Contains(r.stdout, "Secret") {
		t.Fatalf("list: %s", r.stdout)
	}
	if r := runReal(envs, "serve", "credentials", "delete", "--access-key-id", id); r.code != 0 {
		t.Fatalf("delete: %s", r.stderr)
	}
	if r := runReal(envs, "serve", "credentials", "list", "--query", "length(AccessKeys)"); strings.TrimSpace(r.stdout) != "0" {
		t.Fatalf("after delete: %s", r.stdout)
	}
}

// TestLockedVaultMessage: a vault held by another process, met at unlock or
// while working, names the likely holder, the way through it, and how vault
// commands get the file.
func TestLockedVaultMessage(t *testing.T) {
	locked := fmt.Errorf("vault /v is locked: %w", vault.ErrLocked)
	for _, err := range []error{unlockError("/v", locked), vaultFailure(locked)} {
		var b strings.Builder
		code := report(&b, err)
		if code != 253 || !strings.Contains(b.String(), "PKMS_AGENT_SOCK") || !strings.Contains(b.String(), "pkms agent lock") {
			t.Fatalf("exit %d: %s", code, b.String())
		}
	}
}
