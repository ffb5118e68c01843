package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
)

// childIniter runs Init whose Setup writes a record, says "ready" and then
// waits to be killed: a kill between building the vault and linking it.
func childIniter(path string, id age.Identity, _ string) error {
	x := id.(*age.X25519Identity)
	return Init(path, InitOptions{Recipients: []string{x.Recipient().String()}, Setup: func(v *Vault) error {
		if err := v.Update(func(tx *Tx) error { return tx.Put("config", "config", []byte("{}")) }); err != nil {
			return err
		}
		fmt.Println("ready")
		time.Sleep(time.Minute)
		return errors.New("not killed")
	}})
}

// Init is one atomic step: a failure or a kill after the slots were written
// and before Setup finished leaves nothing at the path (the old two-step
// init left a vault without its KMS configuration, which every command
// refused), and a later Init succeeds.
func TestInitAtomic(t *testing.T) {
	x := newX25519(t)
	t.Run("setup fails", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.pkms")
		injected := errors.New("injected failure")
		err := Init(path, InitOptions{Recipients: []string{x.Recipient().String()}, NoSync: true, Setup: func(v *Vault) error {
			if err := v.Update(func(tx *Tx) error { return tx.Put("config", "config", []byte("{}")) }); err != nil {
				return err
			}
			return injected
		}})
		if !errors.Is(err, injected) {
			t.Fatalf("Init = %v, want the injected failure", err)
		}
		assertNoVault(t, path)
	})
	t.Run("killed", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.pkms")
		cmd := childCmd(t, "initer", path, x, "")
		startReady(t, cmd, 0)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("after a kill during Init: %v, want no file", err)
		}
		// The next Init works and its Setup's records are there.
		if err := Init(path, InitOptions{Recipients: []string{x.Recipient().String()}, NoSync: true, Setup: func(v *Vault) error {
			return v.Update(func(tx *Tx) error { return tx.Put("config", "config", []byte("ok")) })
		}}); err != nil {
			t.Fatal(err)
		}
		v, err := Unlock(path, Credentials{Identities: []age.Identity{x}}, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if got, err := get(v, "config", "config"); err != nil || got != "ok" {
			t.Errorf("config = %q, %v", got, err)
		}
	})
}

// assertNoVault checks that path does not exist and that no temporary file
// was left beside it.
func assertNoVault(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s: %v, want no file", path, err)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}
