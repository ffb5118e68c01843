package crypto

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"testing"
)

// softGCM is a GCMSealer with the key in memory, standing in for a token.
type softGCM struct{ aead cipher.AEAD }

func (g softGCM) Seal(nonce, pt, aad []byte) ([]byte, error) {
	return g.aead.Seal(nil, nonce, pt, aad), nil
}
func (g softGCM) Open(nonce, ct, aad []byte) ([]byte, error) {
	pt, err := g.aead.Open(nil, nonce, ct, aad)
	if err != nil {
		return nil, ErrAuth
	}
	return pt, nil
}

// TestEncryptBlobWith: a blob sealed by an external AES-GCM is the blob
// EncryptBlob makes, so either side opens the other's.
func TestEncryptBlobWith(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	var mid [MaterialIDSize]byte
	ctx := map[string]string{"a": "b"}
	blob, err := EncryptBlobWith(rand.Reader, softGCM{aead}, "key-1", mid, []byte("hello"), ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseBlob(blob)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		open func() ([]byte, error)
	}{
		{"software key", func() ([]byte, error) { return b.Decrypt(key, ctx) }},
		{"external", func() ([]byte, error) { return b.DecryptWith(softGCM{aead}, ctx) }},
	} {
		if pt, err := tc.open(); err != nil || string(pt) != "hello" {
			t.Errorf("%s: %q, %v", tc.name, pt, err)
		}
	}
	if _, err := b.DecryptWith(softGCM{aead}, nil); err != ErrAuth {
		t.Errorf("another context: %v, want ErrAuth", err)
	}
}

// softSigner is a DigestSigner with the private key in memory.
type softSigner struct {
	ec  *ecdsa.PrivateKey
	rsa *rsa.PrivateKey
}

func (s softSigner) SignECDSA(digest []byte) ([]byte, error) {
	r, ss, err := ecdsa.Sign(rand.Reader, s.ec, digest)
	if err != nil {
		return nil, err
	}
	n := (s.ec.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*n)
	r.FillBytes(out[:n])
	ss.FillBytes(out[n:])
	return out, nil
}

func (s softSigner) SignPKCS1v15(di []byte) ([]byte, error) {
	return rsa.SignPKCS1v15(nil, s.rsa, 0, di) // hash 0: di is signed as given
}

func (s softSigner) SignPSS(h crypto.Hash, digest []byte) ([]byte, error) {
	return rsa.SignPSS(rand.Reader, s.rsa, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
}

// TestSignWith: signatures assembled from a token's raw outputs verify as
// Sign's do, for every RSA and NIST ECDSA algorithm and both message types.
func TestSignWith(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	s := softSigner{ec: ec, rsa: rk}
	msg := []byte("release")
	for _, tc := range []struct {
		spec string
		pub  any
		algs []string
	}{
		{"ECC_NIST_P384", &ec.PublicKey, []string{"ECDSA_SHA_384"}},
		{"RSA_2048", &rk.PublicKey, []string{"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
			"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"}},
	} {
		spki, err := x509.MarshalPKIXPublicKey(tc.pub)
		if err != nil {
			t.Fatal(err)
		}
		for _, alg := range tc.algs {
			a, _ := lookupAlgorithm(alg, "signing", signingSchemes...)
			for _, mt := range []string{"RAW", "DIGEST"} {
				in := msg
				if mt == "DIGEST" {
					in = digest(a.hash, msg)
				}
				sig, err := SignWith(tc.spec, s, alg, mt, in)
				if err != nil {
					t.Fatalf("%s %s: %v", alg, mt, err)
				}
				if err := Verify(spki, alg, "RAW", msg, sig); err != nil {
					t.Errorf("%s %s: %v", alg, mt, err)
				}
			}
		}
	}
	if _, err := SignWith("ECC_NIST_P384", s, "RSASSA_PSS_SHA_256", "RAW", msg); err == nil {
		t.Error("an algorithm of another key spec was accepted")
	}
}
