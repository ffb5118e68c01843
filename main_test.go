package main

import (
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/rogpeppe/go-internal/testscript"
)

// The end-to-end tests run the real pkms binary from testdata/script/*.txtar
// the way a user types it, pipelines included (through sh -c).

func TestMain(m *testing.M) {
	// The scripts run this package's own main, signal handling included.
	testscript.Main(m, map[string]func(){"pkms": main})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			// Each script gets its own vault path, a passphrase file with a
			// cheap scrypt cost, and an age identity for identity slots.
			id, err := age.GenerateX25519Identity()
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(e.WorkDir, "id.key"), []byte(id.String()+"\n"), 0o600); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(e.WorkDir, "pass.txt"), []byte("correct horse battery staple\n"), 0o600); err != nil {
				return err
			}
			e.Setenv("RECIPIENT", id.Recipient().String())
			e.Setenv("PKMS_VAULT", filepath.Join(e.WorkDir, "vault", "vault.pkms"))
			e.Setenv("HOME", e.WorkDir)
			for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_DEFAULT_OUTPUT", "PKMS_PASSPHRASE_FILE", "PKMS_IDENTITY_FILE"} {
				e.Setenv(k, "")
			}
			return nil
		},
	})
}
