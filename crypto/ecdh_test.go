package crypto

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"testing"
)

func TestDeriveSharedSecret(t *testing.T) {
	for _, tc := range []struct {
		spec string
		size int
	}{{"ECC_NIST_P256", 32}, {"ECC_NIST_P384", 48}, {"ECC_NIST_P521", 66}} {
		t.Run(tc.spec, func(t *testing.T) {
			alice, alicePub := keyPair(t, tc.spec)
			bob, bobPub := keyPair(t, "other/"+tc.spec)
			ab, err := DeriveSharedSecret(alice, bobPub)
			if err != nil {
				t.Fatal(err)
			}
			ba, err := DeriveSharedSecret(bob, alicePub)
			if err != nil {
				t.Fatal(err)
			}
			if len(ab) != tc.size || !bytes.Equal(ab, ba) {
				t.Fatalf("secrets %x / %x, want equal %d-byte secrets", ab, ba, tc.size)
			}
			// Against crypto/ecdh directly.
			k, _ := x509.ParsePKCS8PrivateKey(bob)
			ek, err := k.(interface {
				ECDH() (*ecdh.PrivateKey, error)
			}).ECDH()
			if err != nil {
				t.Fatal(err)
			}
			p, _ := x509.ParsePKIXPublicKey(alicePub)
			ep, _ := p.(interface {
				ECDH() (*ecdh.PublicKey, error)
			}).ECDH()
			want, _ := ek.ECDH(ep)
			if !bytes.Equal(ab, want) {
				t.Fatal("secret differs from crypto/ecdh")
			}
		})
	}
}

func TestDeriveSharedSecretErrors(t *testing.T) {
	p256, _ := keyPair(t, "ECC_NIST_P256")
	_, p384Pub := keyPair(t, "ECC_NIST_P384")
	_, k1Pub := keyPair(t, "ECC_SECG_P256K1")
	k1, _ := keyPair(t, "ECC_SECG_P256K1")
	_, edPub := keyPair(t, "ECC_NIST_EDWARDS25519")
	ed, _ := keyPair(t, "ECC_NIST_EDWARDS25519")
	rsaKey, rsaPub := keyPair(t, "RSA_2048")
	x, _ := ecdh.X25519().GenerateKey(rand.Reader)
	xPub, _ := x509.MarshalPKIXPublicKey(x.PublicKey())
	tests := []struct {
		name       string
		priv, peer []byte
		want       error
	}{
		{"other NIST curve", p256, p384Pub, ErrInvalidKey},
		{"secp256k1 peer", p256, k1Pub, ErrInvalidKey},
		{"Ed25519 peer", p256, edPub, ErrInvalidKey},
		{"RSA peer", p256, rsaPub, ErrInvalidKey},
		{"X25519 peer", p256, xPub, ErrInvalidKey},
		{"garbage peer", p256, []byte("junk"), ErrInvalidKey},
		{"empty peer", p256, nil, ErrInvalidKey},
		{"private key as peer", p256, p256, ErrInvalidKey},
		{"secp256k1 key", k1, k1Pub, ErrIncompatible},
		{"Ed25519 key", ed, edPub, ErrIncompatible},
		{"RSA key", rsaKey, rsaPub, ErrIncompatible},
		{"garbage key", []byte("junk"), p384Pub, ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := DeriveSharedSecret(tc.priv, tc.peer)
			wantErr(t, "DeriveSharedSecret", err, tc.want)
			if s != nil {
				t.Fatal("secret returned with an error")
			}
		})
	}
}
