package crypto

import (
	"fmt"
	"io"
)

// GCMSealer runs AES-256-GCM with a key that lives elsewhere (inside a
// PKCS#11 token): Seal returns ciphertext ‖ tag for the given 12-byte
// nonce, Open reverses it. Ciphertexts made with it have the same blob
// format as those EncryptBlob makes with key material in the vault, so a
// ciphertext names its key whichever holds the material.
type GCMSealer interface {
	Seal(nonce, plaintext, aad []byte) ([]byte, error)
	Open(nonce, ciphertext, aad []byte) ([]byte, error)
}

// EncryptBlobWith is EncryptBlob with the AES-GCM done by g; the nonce is
// read from rand.
func EncryptBlobWith(rand io.Reader, g GCMSealer, keyID string, materialID [MaterialIDSize]byte, plaintext []byte, encCtx map[string]string) ([]byte, error) {
	hdr, err := blobHeader(keyID, materialID)
	if err != nil {
		return nil, err
	}
	aad := append(append([]byte(nil), hdr...), EncryptionContextAAD(encCtx)...)
	nonce := make([]byte, NonceSize)
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("crypto: reading nonce: %w", err)
	}
	ct, err := g.Seal(nonce, plaintext, aad)
	if err != nil {
		return nil, err
	}
	if len(ct) != len(plaintext)+16 {
		return nil, fmt.Errorf("crypto: the external AES-GCM returned %d bytes for %d bytes of plaintext", len(ct), len(plaintext))
	}
	out := append(hdr, nonce...)
	return append(out, ct...), nil
}

// DecryptWith is Decrypt with the AES-GCM done by g. A blob too short to
// hold a nonce and a tag is ErrAuth; g's own errors are returned as they are.
func (b *Blob) DecryptWith(g GCMSealer, encCtx map[string]string) ([]byte, error) {
	if len(b.sealed) < NonceSize+16 {
		return nil, ErrAuth
	}
	aad := append(append([]byte(nil), b.header...), EncryptionContextAAD(encCtx)...)
	return g.Open(b.sealed[:NonceSize], b.sealed[NonceSize:], aad)
}
