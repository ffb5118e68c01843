//go:build !cgo

package pkcs11

import (
	"fmt"

	"filippo.io/age"
)

// GenerateKey needs a token, hence cgo: in this build it returns an error
// wrapping ErrNoCgo.
func GenerateKey(cfg Config) (*Recipient, error) {
	return nil, fmt.Errorf("pkcs11: generating a key on token %q: %w", cfg.TokenLabel, ErrNoCgo)
}

// Identity unwraps "pkms-p11-p256" stanzas with a token. In this build
// (without cgo) no Identity can be made.
type Identity struct{}

var _ age.Identity = (*Identity)(nil)

// NewIdentity validates p and returns an error wrapping ErrNoCgo: a build
// without cgo cannot reach a token.
func NewIdentity(p Params, cfg Config) (*Identity, error) {
	if _, err := parseParams(p); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("pkcs11: opening a token slot: %w", ErrNoCgo)
}

// Unwrap returns an error wrapping ErrNoCgo.
func (i *Identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	return nil, fmt.Errorf("pkcs11: %w", ErrNoCgo)
}

// Close does nothing.
func (i *Identity) Close() error { return nil }
