package crypto

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"testing"
)

// SubjectPublicKeyInfo sizes of each key spec's public key, DER-encoded as
// GetPublicKey returns it.
var spkiSizes = map[string]int{
	"RSA_2048": 294, "RSA_3072": 422, "RSA_4096": 550,
	"ECC_NIST_P256": 91, "ECC_NIST_P384": 120, "ECC_NIST_P521": 158, "ECC_SECG_P256K1": 88,
	"ECC_NIST_EDWARDS25519": 44, "ML_DSA_44": 1334, "ML_DSA_65": 1974, "ML_DSA_87": 2614,
}

func TestGenerateKeyPair(t *testing.T) {
	for _, spec := range allSpecs {
		t.Run(spec, func(t *testing.T) {
			priv, pub := keyPair(t, spec)
			if len(pub) != spkiSizes[spec] {
				t.Errorf("SPKI is %d bytes, want %d", len(pub), spkiSizes[spec])
			}
			got, err := KeySpecOfPrivate(priv)
			if err != nil || got != spec {
				t.Fatalf("KeySpecOfPrivate = %q, %v; want %s", got, err, spec)
			}
			derived, err := PublicKeyFromPrivate(priv)
			if err != nil || !bytes.Equal(derived, pub) {
				t.Fatalf("PublicKeyFromPrivate = %x, %v; want the generated public key", derived, err)
			}
			k, err := parsePublic(pub)
			if err != nil || k.spec != spec {
				t.Fatalf("parsePublic: spec %v, %v", k, err)
			}
		})
	}
}

// TestGenerateKeyPairFromRand checks that EC, Ed25519 and ML-DSA keys come
// from the reader alone: the same bytes give the same key, other bytes
// another.
func TestGenerateKeyPairFromRand(t *testing.T) {
	seedA := bytes.Repeat([]byte{0x5a}, 256)
	seedB := bytes.Repeat([]byte{0x3c}, 256)
	for _, spec := range allSpecs {
		if keySpecs[spec].family == familyRSA {
			continue // crypto/rsa ignores the reader since Go 1.26
		}
		t.Run(spec, func(t *testing.T) {
			a1, _, err := GenerateKeyPair(seedReader(seedA), spec)
			if err != nil {
				t.Fatal(err)
			}
			a2, _, _ := GenerateKeyPair(seedReader(seedA), spec)
			b, _, _ := GenerateKeyPair(seedReader(seedB), spec)
			if !bytes.Equal(a1, a2) {
				t.Error("same random bytes gave different keys")
			}
			if bytes.Equal(a1, b) {
				t.Error("different random bytes gave the same key")
			}
		})
	}
}

func TestGenerateKeyPairErrors(t *testing.T) {
	tests := []struct {
		name string
		rand interface{ Read([]byte) (int, error) }
		spec string
		want error
	}{
		{"SM2", rand.Reader, "SM2", ErrUnsupported},
		{"symmetric", rand.Reader, "SYMMETRIC_DEFAULT", ErrUnsupported},
		{"HMAC", rand.Reader, "HMAC_256", ErrUnsupported},
		{"unknown", rand.Reader, "ECC_NIST_P224", ErrUnsupported},
		{"failing reader", errReader{}, "ECC_NIST_P256", nil},
		{"zero reader EC", zeroReader{}, "ECC_NIST_P256", nil},
		{"zero reader secp256k1", zeroReader{}, "ECC_SECG_P256K1", nil},
		{"short reader", seedReader([]byte{1, 2, 3}), "ECC_NIST_EDWARDS25519", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			priv, pub, err := GenerateKeyPair(tc.rand, tc.spec)
			if err == nil || priv != nil || pub != nil {
				t.Fatalf("GenerateKeyPair = %d, %d bytes, %v; want an error", len(priv), len(pub), err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
	if _, _, err := GenerateKeyPair(nil, "ECC_NIST_P256"); err == nil {
		t.Fatal("GenerateKeyPair accepted a nil reader")
	}
}

// TestKeySpecOfPrivateRejects covers keys that parse as PKCS#8 but are no
// AWS key spec, and bytes that are no key at all.
func TestKeySpecOfPrivateRejects(t *testing.T) {
	pkcs8 := func(key any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	x25519, _ := ecdh.X25519().GenerateKey(rand.Reader)
	priv, pub := keyPair(t, "ECC_NIST_P256")
	tests := []struct {
		name string
		der  []byte
	}{
		{"empty", nil},
		{"garbage", []byte("not a key")},
		{"RSA-1024", pkcs8(rsa1024)},
		{"P-224", pkcs8(p224)},
		{"X25519", pkcs8(x25519)},
		{"public key", pub},
		{"truncated", priv[:len(priv)-1]},
		{"trailing data", append(append([]byte{}, priv...), 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := KeySpecOfPrivate(tc.der)
			wantErr(t, "KeySpecOfPrivate", err, ErrInvalidKey)
			if spec != "" {
				t.Fatalf("spec %q returned with an error", spec)
			}
			_, err = PublicKeyFromPrivate(tc.der)
			wantErr(t, "PublicKeyFromPrivate", err, ErrInvalidKey)
		})
	}
}

// TestKeySpecOfPrivateRSASizes checks the imported RSA size → spec mapping.
func TestKeySpecOfPrivateRSASizes(t *testing.T) {
	for _, spec := range []string{"RSA_2048", "RSA_3072", "RSA_4096"} {
		priv, _ := keyPair(t, spec)
		k, err := x509.ParsePKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		if bits := k.(*rsa.PrivateKey).N.BitLen(); spec != map[int]string{2048: "RSA_2048", 3072: "RSA_3072", 4096: "RSA_4096"}[bits] {
			t.Fatalf("%s key has %d bits", spec, bits)
		}
	}
}

// toBER rewrites a DER element in forms DER forbids but BER allows:
// indefinite lengths for constructed elements, long-form lengths for
// primitive ones, and an OCTET STRING split into a constructed one.
func toBER(t *testing.T, der []byte, depth int) []byte {
	t.Helper()
	tag, content, rest, err := derSplit(der)
	if err != nil || len(rest) != 0 {
		t.Fatalf("toBER: %v", err)
	}
	var out []byte
	switch {
	case tag[0]&0x20 != 0: // constructed → indefinite length
		out = append(append([]byte{}, tag...), 0x80)
		for len(content) > 0 {
			var elem []byte
			elem, content, _ = derNext(content)
			out = append(out, toBER(t, elem, depth+1)...)
		}
		out = append(out, 0, 0)
	case tag[0] == 0x04 && len(content) > 2: // OCTET STRING → two constructed segments
		half := len(content) / 2
		out = append([]byte{0x24, 0x80}, derEncode([]byte{0x04}, content[:half])...)
		out = append(out, derEncode([]byte{0x04}, content[half:])...)
		out = append(out, 0, 0)
	default: // primitive → 4-byte length
		n := len(content)
		out = append(append([]byte{}, tag...), 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		out = append(out, content...)
	}
	return out
}

// TestBERPrivateKey checks that BER-encoded PKCS#8 (as AWS accepts for
// imports) parses, including a BER key structure inside the OCTET STRING.
func TestBERPrivateKey(t *testing.T) {
	for _, spec := range []string{"RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_DSA_44"} {
		t.Run(spec, func(t *testing.T) {
			priv, pub := keyPair(t, spec)
			variants := map[string][]byte{"outer": toBER(t, priv, 0)}
			// Make the key structure inside the OCTET STRING BER as well,
			// where there is one (RSAPrivateKey, ECPrivateKey).
			_, content, _, _ := derSplit(priv)
			var fields [][]byte
			for len(content) > 0 {
				var e []byte
				e, content, _ = derNext(content)
				fields = append(fields, e)
			}
			if _, inner, _, _ := derSplit(fields[2]); inner[0] == 0x30 {
				fields[2] = derEncode([]byte{0x04}, toBER(t, inner, 0))
				variants["inner"] = derEncode([]byte{0x30}, bytes.Join(fields, nil))
				variants["both"] = append([]byte{0x30, 0x80}, append(bytes.Join(fields, nil), 0, 0)...)
			}
			alg := SigningAlgorithms(spec, "SIGN_VERIFY")[0]
			for name, ber := range variants {
				if bytes.Equal(ber, priv) {
					t.Fatalf("%s: BER encoding equals DER", name)
				}
				if got, err := KeySpecOfPrivate(ber); err != nil || got != spec {
					t.Fatalf("%s: KeySpecOfPrivate(BER) = %q, %v", name, got, err)
				}
				if got, err := PublicKeyFromPrivate(ber); err != nil || !bytes.Equal(got, pub) {
					t.Fatalf("%s: PublicKeyFromPrivate(BER) = %v", name, err)
				}
				sig, err := Sign(rand.Reader, ber, alg, "RAW", testMessage)
				if err != nil {
					t.Fatalf("%s: Sign: %v", name, err)
				}
				if err := Verify(pub, alg, "RAW", testMessage, sig); err != nil {
					t.Fatalf("%s: Verify: %v", name, err)
				}
			}
		})
	}
}

func TestBERToDERRejects(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		{0x30},
		{0x30, 0x80},             // no end-of-contents
		{0x30, 0x80, 0x04, 0x01}, // truncated child
		{0x04, 0x80, 0x00, 0x00}, // indefinite primitive
		{0x30, 0x85, 1, 2, 3, 4, 5},
		{0x30, 0x02, 0x04, 0x05}, // child longer than parent
		{0x24, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00}, // INTEGER inside constructed OCTET STRING
		{0x04, 0x00, 0x00},                         // trailing byte
		bytes.Repeat([]byte{0x30, 0x80}, 100),      // too deep
	} {
		if d, err := berToDER(b); err == nil {
			t.Errorf("berToDER(%x) = %x, want an error", b, d)
		}
	}
}
