//go:build !cgo

package pkcs11

import (
	"errors"
	"testing"
)

func TestNoCgo(t *testing.T) {
	_, r := newSoft(t)
	if _, err := GenerateKey(Config{Module: "/x.so", TokenLabel: "t"}); !errors.Is(err, ErrNoCgo) || !Unavailable(err) {
		t.Errorf("GenerateKey: got %v, want ErrNoCgo", err)
	}
	if _, err := NewIdentity(r.Params(), Config{}); !errors.Is(err, ErrNoCgo) || !Unavailable(err) {
		t.Errorf("NewIdentity: got %v, want ErrNoCgo", err)
	}
	if _, err := NewIdentity(Params{}, Config{}); err == nil || errors.Is(err, ErrNoCgo) {
		t.Errorf("NewIdentity with bad params: got %v, want a params error", err)
	}
	// Wrapping needs no token and works without cgo.
	if _, err := r.Wrap(make([]byte, 16)); err != nil {
		t.Errorf("Wrap: %v", err)
	}
}
