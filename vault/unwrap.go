package vault

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/pocketkms/pkms/crypto"
)

// A slot's age file carries the 32-byte vault key as its whole payload.
// age's own reader decrypts a payload chunk into two 64 KiB buffers of the
// Go heap that the caller cannot reach to wipe, so each unlock would leave
// two copies of the vault key behind in freed memory. pkms lets age open
// the header (which yields the file key) and opens the payload itself,
// straight into one slice that the caller clears.
//
// The payload is age's STREAM (age-encryption.org/v1): a 16-byte nonce,
// then chunks sealed with ChaCha20-Poly1305 under HKDF-SHA-256(file key,
// salt nonce, info "payload"), the chunk counter in the nonce's first 11
// bytes and 1 in its last byte for the final chunk. A 32-byte payload is one
// final chunk with counter 0; anything else is not a vault key.

// unwrapKey decrypts a slot's age file with identities. It returns an error
// wrapping age.ErrIncorrectIdentity when no identity matches, and an
// ErrCorrupt-worthy error (errBadSlot) when the file decrypts to something
// that is not a vault key or fails authentication. The key is returned in
// a fresh slice the caller clears; see openSlotPayload for why age opens
// only the header.
func unwrapKey(ageFile []byte, identities ...age.Identity) ([]byte, error) {
	hdr, err := age.ExtractHeader(bytes.NewReader(ageFile))
	if err != nil {
		return nil, pluginError(err)
	}
	fileKey, err := age.DecryptHeader(hdr, identities...)
	if err != nil {
		return nil, pluginError(err)
	}
	defer clear(fileKey)
	payload, ok := bytes.CutPrefix(ageFile, hdr)
	if !ok {
		return nil, fmt.Errorf("%w: the age header is not in canonical form", errBadSlot)
	}
	return openSlotPayload(fileKey, payload)
}

const (
	ageStreamNonceSize = 16
	slotPayloadSize    = ageStreamNonceSize + crypto.KeySize + chacha20poly1305.Overhead
)

// openSlotPayload returns the vault key from the payload of a slot's age
// file, given its file key.
func openSlotPayload(fileKey, payload []byte) ([]byte, error) {
	if len(payload) != slotPayloadSize {
		return nil, fmt.Errorf("%w: wrapped key is not %d bytes", errBadSlot, crypto.KeySize)
	}
	streamKey, err := hkdf.Key(sha256.New, fileKey, payload[:ageStreamNonceSize], "payload", chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadSlot, err)
	}
	defer clear(streamKey)
	aead, err := chacha20poly1305.New(streamKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadSlot, err)
	}
	var nonce [chacha20poly1305.NonceSize]byte
	nonce[len(nonce)-1] = 1 // the last chunk, and the first
	vk := make([]byte, 0, crypto.KeySize)
	vk, err = aead.Open(vk, nonce[:], payload[ageStreamNonceSize:], nil)
	if err != nil {
		return nil, fmt.Errorf("%w: failed to decrypt and authenticate the wrapped key", errBadSlot)
	}
	return vk, nil
}
