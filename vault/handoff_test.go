package vault

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"testing/iotest"
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

	// ResumeFrom: the same handoff read from a reader (the agent's pipe).
	for name, tc := range map[string]struct {
		path string
		in   []byte
		ok   bool
	}{
		"intact":      {a, h, true},
		"other vault": {b, h, false},
		"wrong key":   {a, bad, false},
		"truncated":   {a, h[:len(h)-1], false},
		"one more":    {a, append(bytes.Clone(h), 0), false},
		"empty":       {a, nil, false},
	} {
		r, err := ResumeFrom(tc.path, iotest.OneByteReader(bytes.NewReader(tc.in)), Options{NoSync: true})
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: ResumeFrom: %v", name, err)
		case !tc.ok && !errors.Is(err, ErrBadHandoff):
			t.Errorf("%s: ResumeFrom = %v, want ErrBadHandoff", name, err)
		}
		if r != nil {
			r.Close()
		}
	}
	if _, err := ResumeFrom(a, iotest.ErrReader(errors.New("pipe broke")), Options{NoSync: true}); err == nil || errors.Is(err, ErrBadHandoff) {
		t.Errorf("ResumeFrom a failing reader = %v, want the read error", err)
	}
}
