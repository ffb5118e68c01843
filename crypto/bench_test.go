package crypto

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"testing"
)

// BenchmarkSignP256 is pkms's Sign of a P-256 digest, including the PKCS#8
// parse each call makes; compare with BenchmarkStdlibECDSAP256 for the
// overhead.
func BenchmarkSignP256(b *testing.B) {
	priv, _ := keyPair(b, "ECC_NIST_P256")
	d := sha256.Sum256(testMessage)
	for b.Loop() {
		if _, err := Sign(rand.Reader, priv, "ECDSA_SHA_256", "DIGEST", d[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStdlibECDSAP256 is bare crypto/ecdsa.SignASN1 on the same key and
// digest.
func BenchmarkStdlibECDSAP256(b *testing.B) {
	priv, _ := keyPair(b, "ECC_NIST_P256")
	k, err := x509.ParsePKCS8PrivateKey(priv)
	if err != nil {
		b.Fatal(err)
	}
	key := k.(*ecdsa.PrivateKey)
	d := sha256.Sum256(testMessage)
	for b.Loop() {
		if _, err := ecdsa.SignASN1(rand.Reader, key, d[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyP256 is pkms's Verify of a P-256 signature (SPKI parse
// included).
func BenchmarkVerifyP256(b *testing.B) {
	priv, pub := keyPair(b, "ECC_NIST_P256")
	sig, err := Sign(rand.Reader, priv, "ECDSA_SHA_256", "RAW", testMessage)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := Verify(pub, "ECDSA_SHA_256", "RAW", testMessage, sig); err != nil {
			b.Fatal(err)
		}
	}
}
