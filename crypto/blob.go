package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Symmetric ciphertext blob, version 1:
//
//	offset  size  field
//	0       4     magic "PKMS"
//	4       1     version (1)
//	5       1     length n of the key id (1..255)
//	6       n     key id (ASCII, e.g. a UUID or mrk-…)
//	6+n     32    key material id (raw bytes; hex of it is the KeyMaterialId)
//	38+n    12    AES-GCM nonce
//	50+n    …     AES-256-GCM ciphertext ‖ 16-byte tag
//
// The GCM additional data is the header (bytes 0..38+n) followed by the
// canonical encryption context, so the key id, the material id and the
// context are all authenticated: changing any of them fails decryption.
const (
	blobMagic   = "PKMS"
	blobVersion = 1
	// MaterialIDSize is the size of a raw key material id.
	MaterialIDSize = 32
	blobMinSize    = 4 + 1 + 1 + 1 + MaterialIDSize + NonceSize + 16
)

// BlobOverhead returns how many bytes a blob adds to a plaintext for a key id
// of the given length.
func BlobOverhead(keyIDLen int) int { return 6 + keyIDLen + MaterialIDSize + NonceSize + 16 }

// ErrMalformedBlob reports bytes that are not a pkms ciphertext blob.
var ErrMalformedBlob = errors.New("not a pkms ciphertext blob")

// Blob is a parsed symmetric ciphertext.
type Blob struct {
	KeyID      string
	MaterialID [MaterialIDSize]byte
	header     []byte // bytes 0..38+n, the authenticated header
	sealed     []byte // nonce ‖ ciphertext ‖ tag
}

// ParseBlob splits a ciphertext blob into its parts without decrypting it.
// It never panics on any input.
func ParseBlob(b []byte) (*Blob, error) {
	if len(b) < blobMinSize || string(b[:4]) != blobMagic {
		return nil, ErrMalformedBlob
	}
	if b[4] != blobVersion {
		return nil, fmt.Errorf("%w: unknown version %d", ErrMalformedBlob, b[4])
	}
	n := int(b[5])
	if n == 0 || len(b) < blobMinSize-1+n {
		return nil, ErrMalformedBlob
	}
	id := b[6 : 6+n]
	for _, c := range id {
		if c < 0x21 || c > 0x7e {
			return nil, ErrMalformedBlob
		}
	}
	hdrEnd := 6 + n + MaterialIDSize
	blob := &Blob{KeyID: string(id), header: b[:hdrEnd:hdrEnd], sealed: b[hdrEnd:]}
	copy(blob.MaterialID[:], b[6+n:hdrEnd])
	return blob, nil
}

func blobHeader(keyID string, materialID [MaterialIDSize]byte) ([]byte, error) {
	if len(keyID) == 0 || len(keyID) > 255 {
		return nil, fmt.Errorf("crypto: key id length %d out of range", len(keyID))
	}
	var h bytes.Buffer
	h.WriteString(blobMagic)
	h.WriteByte(blobVersion)
	h.WriteByte(byte(len(keyID)))
	h.WriteString(keyID)
	h.Write(materialID[:])
	return h.Bytes(), nil
}

// EncryptBlob encrypts plaintext under the key material identified by keyID
// and materialID, binding the encryption context, and returns the blob.
func EncryptBlob(rand io.Reader, material []byte, keyID string, materialID [MaterialIDSize]byte, plaintext []byte, encCtx map[string]string) ([]byte, error) {
	hdr, err := blobHeader(keyID, materialID)
	if err != nil {
		return nil, err
	}
	aad := append(append([]byte(nil), hdr...), EncryptionContextAAD(encCtx)...)
	sealed, err := Seal(rand, material, plaintext, aad)
	if err != nil {
		return nil, err
	}
	return append(hdr, sealed...), nil
}

// Decrypt opens the blob with the given key material and encryption context.
// A wrong key, a different context or any modified byte returns ErrAuth.
func (b *Blob) Decrypt(material []byte, encCtx map[string]string) ([]byte, error) {
	aad := append(append([]byte(nil), b.header...), EncryptionContextAAD(encCtx)...)
	return Open(material, b.sealed, aad)
}
