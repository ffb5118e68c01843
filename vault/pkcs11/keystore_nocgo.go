//go:build !cgo

package pkcs11

import (
	"crypto"
	"fmt"
)

// FindToken needs a token, hence cgo: in this build it returns an error
// wrapping ErrNoCgo.
func FindToken(module string, ref TokenRef) (TokenInfo, error) {
	return TokenInfo{}, fmt.Errorf("pkcs11: looking for token %q: %w", string(ref), ErrNoCgo)
}

// Token is a logged-in session on a key store token. In this build
// (without cgo) none can be opened.
type Token struct{}

// OpenToken returns an error wrapping ErrNoCgo.
func OpenToken(module string, ref TokenRef, pin []byte) (*Token, error) {
	return nil, fmt.Errorf("pkcs11: opening token %q: %w", string(ref), ErrNoCgo)
}

var errNoToken = fmt.Errorf("pkcs11: %w", ErrNoCgo)

// Info is empty.
func (t *Token) Info() TokenInfo { return TokenInfo{} }

// Close does nothing.
func (t *Token) Close() error { return nil }

// GenerateAES256 returns an error wrapping ErrNoCgo.
func (t *Token) GenerateAES256(label string, id []byte) error { return errNoToken }

// Attributes returns an error wrapping ErrNoCgo.
func (t *Token) Attributes(label string) (KeyAttributes, error) { return KeyAttributes{}, errNoToken }

// HasKey returns an error wrapping ErrNoCgo.
func (t *Token) HasKey(label string) (bool, error) { return false, errNoToken }

// SealGCM returns an error wrapping ErrNoCgo.
func (t *Token) SealGCM(label string, nonce, plaintext, aad []byte) ([]byte, error) {
	return nil, errNoToken
}

// OpenGCM returns an error wrapping ErrNoCgo.
func (t *Token) OpenGCM(label string, nonce, ciphertext, aad []byte) ([]byte, error) {
	return nil, errNoToken
}

// DestroyKey returns an error wrapping ErrNoCgo.
func (t *Token) DestroyKey(label string) error { return errNoToken }

// Random returns an error wrapping ErrNoCgo.
func (t *Token) Random(n int) ([]byte, error) { return nil, errNoToken }

// GenerateKeyPair returns an error wrapping ErrNoCgo.
func (t *Token) GenerateKeyPair(spec, label string, id []byte) ([]byte, error) {
	return nil, errNoToken
}

// Sign returns an error wrapping ErrNoCgo.
func (t *Token) Sign(label string, scheme SignScheme, h crypto.Hash, input []byte) ([]byte, error) {
	return nil, errNoToken
}
