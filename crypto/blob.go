package crypto

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// Symmetric ciphertext blob, version 2 (what EncryptBlob writes):
//
//	offset  size  field
//	0       4     magic "PKMS"
//	4       1     version (2)
//	5       1     length n of the key id (1..255)
//	6       n     key id (ASCII, e.g. a UUID or mrk-…)
//	6+n     32    key material id (raw bytes; hex of it is the KeyMaterialId)
//	38+n    16    header check: the first 16 bytes of SHA-256 over bytes 0..38+n
//	54+n    12    AES-GCM nonce
//	66+n    …     AES-256-GCM ciphertext ‖ 16-byte tag
//
// The GCM additional data is the header (bytes 0..54+n) followed by the
// canonical encryption context, so the key id, the material id and the
// context are all authenticated: changing any of them fails decryption.
// GCM can only say so once the key is found, though, and the key is found
// through the key id in the header. The header check lets ParseBlob refuse
// a modified header before anything is looked up, so a changed key id is
// reported as a damaged ciphertext, not as a key that does not exist (or,
// by chance, as another key). It is a checksum, not a secret: whoever
// rewrites it has written a ciphertext for another key, which GCM refuses.
//
// Version 1 is version 2 without the header check (the header is bytes
// 0..38+n); pkms still reads it, so that ciphertexts made before version 2
// decrypt.
const (
	blobMagic = "PKMS"
	// blobV1 has no header check; blobV2 has one.
	blobV1 = 1
	blobV2 = 2
	// MaterialIDSize is the size of a raw key material id.
	MaterialIDSize = 32
	// headerCheckSize is the size of version 2's header check.
	headerCheckSize = 16
)

// blobMinSize is the size of the shortest blob of a version: a one-byte key
// id and an empty plaintext.
func blobMinSize(version byte) int {
	n := 4 + 1 + 1 + 1 + MaterialIDSize + NonceSize + 16
	if version == blobV2 {
		n += headerCheckSize
	}
	return n
}

// BlobOverhead returns how many bytes a blob adds to a plaintext for a key id
// of the given length.
func BlobOverhead(keyIDLen int) int {
	return 6 + keyIDLen + MaterialIDSize + headerCheckSize + NonceSize + 16
}

// ErrMalformedBlob reports bytes that are not a pkms ciphertext blob, or one
// whose header was modified.
var ErrMalformedBlob = errors.New("not a pkms ciphertext blob")

// Blob is a parsed symmetric ciphertext.
type Blob struct {
	KeyID      string
	MaterialID [MaterialIDSize]byte
	header     []byte // the authenticated header
	sealed     []byte // nonce ‖ ciphertext ‖ tag
}

// headerCheck is version 2's check over the header bytes before it.
func headerCheck(hdr []byte) []byte {
	sum := sha256.Sum256(hdr)
	return sum[:headerCheckSize]
}

// ParseBlob splits a ciphertext blob into its parts without decrypting it.
// A version 2 blob whose header fails its check is ErrMalformedBlob. It
// never panics on any input.
func ParseBlob(b []byte) (*Blob, error) {
	if len(b) < 6 || string(b[:4]) != blobMagic {
		return nil, ErrMalformedBlob
	}
	version := b[4]
	if version != blobV1 && version != blobV2 {
		return nil, fmt.Errorf("%w: unknown version %d", ErrMalformedBlob, version)
	}
	n := int(b[5])
	if n == 0 || len(b) < blobMinSize(version)-1+n {
		return nil, ErrMalformedBlob
	}
	id := b[6 : 6+n]
	for _, c := range id {
		if c < 0x21 || c > 0x7e {
			return nil, ErrMalformedBlob
		}
	}
	midEnd := 6 + n + MaterialIDSize
	hdrEnd := midEnd
	if version == blobV2 {
		hdrEnd += headerCheckSize
		if subtle.ConstantTimeCompare(b[midEnd:hdrEnd], headerCheck(b[:midEnd])) != 1 {
			return nil, ErrMalformedBlob
		}
	}
	blob := &Blob{KeyID: string(id), header: b[:hdrEnd:hdrEnd], sealed: b[hdrEnd:]}
	copy(blob.MaterialID[:], b[6+n:midEnd])
	return blob, nil
}

// blobHeader is the version 2 header: everything before the nonce.
func blobHeader(keyID string, materialID [MaterialIDSize]byte) ([]byte, error) {
	if len(keyID) == 0 || len(keyID) > 255 {
		return nil, fmt.Errorf("crypto: key id length %d out of range", len(keyID))
	}
	var h bytes.Buffer
	h.WriteString(blobMagic)
	h.WriteByte(blobV2)
	h.WriteByte(byte(len(keyID)))
	h.WriteString(keyID)
	h.Write(materialID[:])
	h.Write(headerCheck(h.Bytes()))
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
