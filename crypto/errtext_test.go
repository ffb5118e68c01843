package crypto

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

// TestErrorsCarryNoLibraryText feeds malformed keys to every entry point
// that parses one. Each error wraps its sentinel and says what was wrong in
// pkms's words: exactly one "sentinel: detail" separator, and none of the
// ASN.1, x509, ecdh or Go type text of the libraries underneath, which would
// reach users through the KMS messages built from these errors.
func TestErrorsCarryNoLibraryText(t *testing.T) {
	p256, p256pub, err := GenerateKeyPair(rand.Reader, "ECC_NIST_P256")
	if err != nil {
		t.Fatal(err)
	}
	_, p384pub, err := GenerateKeyPair(rand.Reader, "ECC_NIST_P384")
	if err != nil {
		t.Fatal(err)
	}
	garbage := [][]byte{
		nil,
		[]byte("InvalidPublicKey"),
		{0x30, 0x03, 0x02, 0x01, 0x01},
		p256pub[:len(p256pub)-1],
		append([]byte{0x31}, p256pub[1:]...),
	}
	type call struct {
		name string
		run  func(b []byte) error
		want error
	}
	calls := []call{
		{"ParsePrivateKey", func(b []byte) error { _, err := ParsePrivateKey(b); return err }, ErrInvalidKey},
		{"KeySpecOfPrivate", func(b []byte) error { _, err := KeySpecOfPrivate(b); return err }, ErrInvalidKey},
		{"PublicKeyFromPrivate", func(b []byte) error { _, err := PublicKeyFromPrivate(b); return err }, ErrInvalidKey},
		{"DeriveSharedSecret peer", func(b []byte) error { _, err := DeriveSharedSecret(p256, b); return err }, ErrInvalidKey},
		{"Verify", func(b []byte) error {
			return Verify(b, "ECDSA_SHA_256", "RAW", []byte("m"), []byte("sig"))
		}, ErrInvalidKey},
		{"EncryptOAEP", func(b []byte) error {
			_, err := EncryptOAEP(rand.Reader, b, "RSAES_OAEP_SHA_256", []byte("m"))
			return err
		}, ErrInvalidKey},
		{"WrapKeyMaterial", func(b []byte) error {
			_, err := WrapKeyMaterial(rand.Reader, b, "RSAES_OAEP_SHA_256", make([]byte, 32))
			return err
		}, ErrInvalidKey},
	}
	check := func(name string, err, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", name, err, want)
			return
		}
		msg := err.Error()
		if strings.Count(msg, ": ") != 1 {
			t.Errorf("%s: %q has more than its sentinel and one detail", name, msg)
		}
		for _, frag := range []string{"asn1", "x509", "ecdh", "crypto/", "structure error", "tags don't match", "*", "{"} {
			if strings.Contains(msg, frag) {
				t.Errorf("%s: %q carries library text %q", name, msg, frag)
			}
		}
	}
	for _, c := range calls {
		for i, b := range garbage {
			check(c.name+" of garbage "+string(rune('0'+i)), c.run(b), c.want)
		}
	}
	_, err = DeriveSharedSecret(p256, p384pub)
	check("DeriveSharedSecret with a peer on another curve", err, ErrInvalidKey)
}
