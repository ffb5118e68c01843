package kms

import (
	"bytes"
	"testing"
)

// TestEveryBitFlipIsInvalidCiphertext flips every bit of a symmetric
// ciphertext in turn and hands the result to Decrypt and ReEncrypt, with
// and without the key named: each answer is InvalidCiphertextException.
// A flip in the key id must not surface as NotFoundException echoing the
// mangled id, nor as IncorrectKeyException against the named key.
func TestEveryBitFlipIsInvalidCiphertext(t *testing.T) {
	e := newEnv(t)
	key := e.newKey()
	dst := e.newKey()
	encCtx := map[string]string{"purpose": "flip"}
	blob := e.encrypt(key, []byte("p"), encCtx).CiphertextBlob
	calls := []struct {
		name string
		run  func(c []byte) error
	}{
		{"Decrypt", func(c []byte) error {
			_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: c, EncryptionContext: encCtx})
			return err
		}},
		{"Decrypt --key-id", func(c []byte) error {
			_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: c, KeyId: key, EncryptionContext: encCtx})
			return err
		}},
		{"ReEncrypt", func(c []byte) error {
			_, err := e.call("ReEncrypt", &ReEncryptInput{CiphertextBlob: c, DestinationKeyId: dst, SourceEncryptionContext: encCtx})
			return err
		}},
		{"ReEncrypt --source-key-id", func(c []byte) error {
			_, err := e.call("ReEncrypt", &ReEncryptInput{CiphertextBlob: c, SourceKeyId: key, DestinationKeyId: dst, SourceEncryptionContext: encCtx})
			return err
		}},
	}
	for _, call := range calls {
		if err := call.run(blob); err != nil {
			t.Fatalf("%s of the unmodified ciphertext: %v", call.name, err)
		}
		bad := 0
		for i := range blob {
			for bit := 0; bit < 8; bit++ {
				c := append([]byte(nil), blob...)
				c[i] ^= 1 << bit
				err := call.run(c)
				if CodeOf(err) != InvalidCiphertextException || errMessage(err) != "" {
					if bad++; bad <= 5 {
						t.Errorf("%s, bit %d of byte %d flipped: %v, want InvalidCiphertextException", call.name, bit, i, err)
					}
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d flips did not answer InvalidCiphertextException", call.name, bad, 8*len(blob))
		}
	}
}

// TestVersion1BlobWithMalformedKeyId: a version 1 blob (no header check)
// whose key id pkms could never have written is InvalidCiphertextException,
// not a lookup of the id.
func TestVersion1BlobWithMalformedKeyId(t *testing.T) {
	e := newEnv(t)
	key := e.newKey()
	for _, id := range []string{"fake-key-id", key[:35] + ":", key + "x"} {
		v1 := append([]byte("PKMS\x01"), byte(len(id)))
		v1 = append(v1, id...)
		v1 = append(v1, bytes.Repeat([]byte{0xa5}, 32+12+16+1)...)
		_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: v1})
		if CodeOf(err) != InvalidCiphertextException {
			t.Errorf("version 1 blob naming %q: %v, want InvalidCiphertextException", id, err)
		}
	}
}
