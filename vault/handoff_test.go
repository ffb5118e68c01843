package vault

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestHandoff(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pkms"), filepath.Join(dir, "b.pkms")
	for _, p := range []string{a, b} {
		if err := Init(p, InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: 1, NoSync: true}); err != nil {
			t.Fatal(err)
		}
	}
	v, err := Unlock(a, Credentials{Passphrase: func() ([]byte, error) { return []byte("pw"), nil }}, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Update(func(tx *Tx) error { return tx.Put("b", "id", []byte("value")) }); err != nil {
		t.Fatal(err)
	}
	h, err := v.Handoff()
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if _, err := v.Handoff(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Handoff after Close: %v", err)
	}

	r, err := Resume(a, h, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.View(func(tx *Tx) error {
		got, err := tx.Get("b", "id")
		if err == nil && string(got) != "value" {
			t.Errorf("resumed vault reads %q", got)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	bad := append([]byte(nil), h...)
	bad[len(bad)-1] ^= 1
	for name, tc := range map[string]struct {
		path string
		h    []byte
	}{
		"other vault": {b, h},
		"wrong key":   {a, bad},
		"truncated":   {a, h[:len(h)-1]},
		"empty":       {a, nil},
	} {
		if _, err := Resume(tc.path, tc.h, Options{NoSync: true}); !errors.Is(err, ErrBadHandoff) {
			t.Errorf("%s: Resume = %v, want ErrBadHandoff", name, err)
		}
	}
}
