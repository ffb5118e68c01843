package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// vault init and import without a terminal say that the new vault needs a
// passphrase and how to give one, not that a vault "cannot be unlocked";
// nothing is created.
func TestNewVaultWithoutTerminal(t *testing.T) {
	dir := t.TempDir()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(dir, "id.key")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	export := filepath.Join(dir, "export.age")
	if err := os.WriteFile(export, []byte("not read before the slots are known"), 0o600); err != nil {
		t.Fatal(err)
	}
	vaultPath := filepath.Join(dir, "new.pkms")
	tests := []struct {
		name string
		envs map[string]string
		args []string
	}{
		{"init", map[string]string{"PKMS_VAULT": vaultPath}, []string{"vault", "init"}},
		{"init with an identity file for later", map[string]string{"PKMS_VAULT": vaultPath, "PKMS_IDENTITY_FILE": idFile}, []string{"vault", "init"}},
		{"import", map[string]string{"PKMS_VAULT": vaultPath, "PKMS_IDENTITY_FILE": idFile}, []string{"vault", "import", export}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runReal(tc.envs, tc.args...)
			if r.code != exitVault {
				t.Errorf("exit %d, want %d\n%s", r.code, exitVault, r.stderr)
			}
			for _, want := range []string{"pkms: cannot create " + vaultPath + ": no terminal to ask for the new vault's passphrase",
				"hint: give the new passphrase with --passphrase-fd N or PKMS_PASSPHRASE_FILE", "--no-passphrase with --recipient"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "unlock") {
				t.Errorf("stderr speaks of unlocking a vault that does not exist:\n%s", r.stderr)
			}
			if _, err := os.Lstat(vaultPath); !os.IsNotExist(err) {
				t.Errorf("a vault file was left behind: %v", err)
			}
		})
	}
}
