package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
)

// KeySize is the size of every AES key pkms uses (AES-256).
const KeySize = 32

// NonceSize is the AES-GCM nonce size.
const NonceSize = 12

// ErrAuth is returned when authenticated decryption fails: wrong key, wrong
// additional data, or modified bytes. It deliberately carries no detail.
var ErrAuth = errors.New("message authentication failed")

// newGCM returns AES-256-GCM under key and the function that overwrites
// its key schedule (see scrub), to be called once the AEAD is done with.
func newGCM(key []byte) (cipher.AEAD, func(), error) {
	if len(key) != KeySize {
		return nil, nil, fmt.Errorf("crypto: AES-256 key must be %d bytes, got %d", KeySize, len(key))
	}
	block, wipe, err := NewBlock(key)
	if err != nil {
		return nil, nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		wipe()
		return nil, nil, err
	}
	return aead, func() { scrub(aead); wipe() }, nil
}

// NewBlock returns AES-256 keyed with key and a function that overwrites
// its key schedule (see scrub); call it when done with the block.
func NewBlock(key []byte) (cipher.Block, func(), error) {
	if len(key) != KeySize {
		return nil, nil, fmt.Errorf("crypto: AES-256 key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, err
	}
	return block, func() { scrub(block) }, nil
}

// Seal encrypts plaintext with AES-256-GCM under key, binding aad, and
// returns nonce ‖ ciphertext ‖ tag. The nonce is read from rand.
func Seal(rand io.Reader, key, plaintext, aad []byte) ([]byte, error) {
	aead, done, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	defer done()
	out := make([]byte, NonceSize, NonceSize+len(plaintext)+aead.Overhead())
	if _, err := io.ReadFull(rand, out); err != nil {
		return nil, fmt.Errorf("crypto: reading nonce: %w", err)
	}
	return aead.Seal(out, out[:NonceSize], plaintext, aad), nil
}

// Open reverses Seal. Any failure to authenticate returns ErrAuth.
func Open(key, sealed, aad []byte) ([]byte, error) {
	aead, done, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	defer done()
	if len(sealed) < NonceSize+aead.Overhead() {
		return nil, ErrAuth
	}
	pt, err := aead.Open(nil, sealed[:NonceSize], sealed[NonceSize:], aad)
	if err != nil {
		return nil, ErrAuth
	}
	return pt, nil
}

// DeriveKey derives a 32-byte sub-key from a root key with HKDF-SHA-256,
// separating uses by label (for example one key per vault bucket). See
// DeriveKeyTo, which it calls, to derive into memory of the caller's choice.
func DeriveKey(root []byte, label string) ([]byte, error) {
	out := make([]byte, KeySize)
	if err := DeriveKeyTo(out, root, label); err != nil {
		return nil, err
	}
	return out, nil
}
