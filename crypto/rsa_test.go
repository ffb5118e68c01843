package crypto

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// TestOAEPMaxPlaintext checks the limits AWS documents for RSAES-OAEP:
// the modulus length minus 2·hLen+2 (SHA-1: 42 bytes, SHA-256: 66 bytes).
func TestOAEPMaxPlaintext(t *testing.T) {
	tests := []struct {
		spec         string
		sha1, sha256 int
	}{
		{"RSA_2048", 214, 190},
		{"RSA_3072", 342, 318},
		{"RSA_4096", 470, 446},
	}
	for _, tc := range tests {
		if got := OAEPMaxPlaintext(tc.spec, "RSAES_OAEP_SHA_1"); got != tc.sha1 {
			t.Errorf("OAEPMaxPlaintext(%s, SHA_1) = %d, want %d", tc.spec, got, tc.sha1)
		}
		if got := OAEPMaxPlaintext(tc.spec, "RSAES_OAEP_SHA_256"); got != tc.sha256 {
			t.Errorf("OAEPMaxPlaintext(%s, SHA_256) = %d, want %d", tc.spec, got, tc.sha256)
		}
	}
	for _, c := range [][2]string{{"ECC_NIST_P256", "RSAES_OAEP_SHA_256"}, {"RSA_2048", "SM2PKE"}, {"RSA_2048", "SYMMETRIC_DEFAULT"}, {"SM2", "SM2PKE"}} {
		if got := OAEPMaxPlaintext(c[0], c[1]); got != 0 {
			t.Errorf("OAEPMaxPlaintext(%s, %s) = %d, want 0", c[0], c[1], got)
		}
	}
}

func TestOAEPRoundTrip(t *testing.T) {
	for _, spec := range []string{"RSA_2048", "RSA_3072", "RSA_4096"} {
		priv, pub := keyPair(t, spec)
		for _, alg := range EncryptionAlgorithms(spec, "ENCRYPT_DECRYPT") {
			t.Run(spec+"/"+alg, func(t *testing.T) {
				t.Parallel()
				limit := OAEPMaxPlaintext(spec, alg)
				for _, n := range []int{0, 1, 32, limit} {
					pt := bytes.Repeat([]byte{byte(n)}, n)
					ct, err := EncryptOAEP(rand.Reader, pub, alg, pt)
					if err != nil {
						t.Fatalf("%d bytes: %v", n, err)
					}
					if len(ct) != keySpecs[spec].rsaBits/8 {
						t.Fatalf("ciphertext is %d bytes", len(ct))
					}
					got, err := DecryptOAEP(priv, alg, ct)
					if err != nil || !bytes.Equal(got, pt) {
						t.Fatalf("%d bytes: DecryptOAEP = %x, %v", n, got, err)
					}
					for _, i := range []int{0, len(ct) / 2, len(ct) - 1} {
						_, err := DecryptOAEP(priv, alg, flip(ct, i))
						wantErr(t, "DecryptOAEP flipped", err, ErrAuth)
					}
					_, err = DecryptOAEP(priv, alg, ct[1:])
					wantErr(t, "DecryptOAEP truncated", err, ErrAuth)
					otherAlg := "RSAES_OAEP_SHA_1"
					if alg == otherAlg {
						otherAlg = "RSAES_OAEP_SHA_256"
					}
					_, err = DecryptOAEP(priv, otherAlg, ct)
					wantErr(t, "DecryptOAEP other hash", err, ErrAuth)
				}
				_, err := EncryptOAEP(rand.Reader, pub, alg, make([]byte, limit+1))
				wantErr(t, "EncryptOAEP one byte over", err, ErrMessageLength)
			})
		}
	}
}

func TestOAEPErrors(t *testing.T) {
	priv, pub := keyPair(t, "RSA_2048")
	ecPriv, ecPub := keyPair(t, "ECC_NIST_P256")
	_, otherPub := keyPair(t, "RSA_3072")
	ct, err := EncryptOAEP(rand.Reader, otherPub, "RSAES_OAEP_SHA_256", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = DecryptOAEP(priv, "RSAES_OAEP_SHA_256", ct)
	wantErr(t, "DecryptOAEP with another key", err, ErrAuth)

	_, err = EncryptOAEP(rand.Reader, pub, "SM2PKE", []byte("x"))
	wantErr(t, "SM2PKE", err, ErrUnsupported)
	_, err = EncryptOAEP(rand.Reader, pub, "RSAES_PKCS1_V1_5", []byte("x"))
	wantErr(t, "unknown", err, ErrUnsupported)
	_, err = EncryptOAEP(rand.Reader, pub, "RSASSA_PSS_SHA_256", []byte("x"))
	wantErr(t, "signing algorithm", err, ErrUnsupported)
	_, err = EncryptOAEP(rand.Reader, ecPub, "RSAES_OAEP_SHA_256", []byte("x"))
	wantErr(t, "EC key", err, ErrIncompatible)
	_, err = DecryptOAEP(ecPriv, "RSAES_OAEP_SHA_256", ct)
	wantErr(t, "EC key", err, ErrIncompatible)
	_, err = EncryptOAEP(rand.Reader, []byte("junk"), "RSAES_OAEP_SHA_256", []byte("x"))
	wantErr(t, "junk key", err, ErrInvalidKey)
	_, err = DecryptOAEP([]byte("junk"), "RSAES_OAEP_SHA_256", ct)
	wantErr(t, "junk key", err, ErrInvalidKey)
	if _, err = EncryptOAEP(nil, pub, "RSAES_OAEP_SHA_256", []byte("x")); err == nil {
		t.Error("EncryptOAEP accepted a nil reader")
	}
	for _, ct := range [][]byte{nil, {1}, make([]byte, 256), bytes.Repeat([]byte{0xff}, 256)} {
		_, err = DecryptOAEP(priv, "RSAES_OAEP_SHA_256", ct)
		wantErr(t, "DecryptOAEP junk", err, ErrAuth)
	}
}
