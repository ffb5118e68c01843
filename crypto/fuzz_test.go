package crypto

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// fuzzKeys are fixed keys of each family. Non-RSA keys come from fixed
// seeds; the RSA key is the test binary's.
func fuzzKeys(f *testing.F) map[string][]byte {
	f.Helper()
	pubs := map[string][]byte{}
	for _, spec := range []string{"ECC_NIST_P256", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_DSA_44"} {
		_, pub, err := GenerateKeyPair(seedReader(bytes.Repeat([]byte{0x42}, 256)), spec)
		if err != nil {
			f.Fatal(err)
		}
		pubs[spec] = pub
	}
	_, pubs["RSA_2048"] = keyPair(f, "RSA_2048")
	return pubs
}

// FuzzVerify: arbitrary signature bytes over an arbitrary message never
// panic and never verify, for every algorithm of every key family, as RAW
// and (when the length fits) DIGEST.
func FuzzVerify(f *testing.F) {
	pubs := fuzzKeys(f)
	d := sha256.Sum256([]byte("seed"))
	f.Add([]byte("message"), []byte{})
	f.Add([]byte("message"), []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}) // r = s = 1
	f.Add([]byte("message"), []byte{0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00})
	f.Add(d[:], bytes.Repeat([]byte{0xff}, 64))
	f.Add(d[:], bytes.Repeat([]byte{0x00}, 256))
	f.Add(bytes.Repeat([]byte{1}, 64), bytes.Repeat([]byte{0x5a}, 2420))
	f.Add([]byte{}, []byte{1})
	f.Fuzz(func(t *testing.T, message, sig []byte) {
		for spec, pub := range pubs {
			for _, alg := range SigningAlgorithms(spec, "SIGN_VERIFY") {
				for _, mt := range []string{"RAW", "DIGEST", "EXTERNAL_MU"} {
					if err := Verify(pub, alg, mt, message, sig); err == nil {
						t.Fatalf("%s %s %s: random signature %x verified over %x", spec, alg, mt, sig, message)
					}
				}
			}
		}
	})
}

// FuzzParsePrivate: KeySpecOfPrivate never panics; whatever it accepts is a
// supported spec whose public key and algorithms are usable.
func FuzzParsePrivate(f *testing.F) {
	for _, spec := range []string{"RSA_2048", "ECC_NIST_P384", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_DSA_44"} {
		priv, _ := keyPair(f, spec)
		f.Add(priv)
	}
	priv, _ := keyPair(f, "ECC_NIST_P256")
	f.Add(priv)
	f.Add(append([]byte{0x30, 0x80}, append(priv[2:], 0, 0)...)) // indefinite outer length
	f.Add([]byte{0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00})
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, der []byte) {
		spec, err := KeySpecOfPrivate(der)
		_, _ = berToDER(der)
		_, _ = normalizePKCS8(der)
		if err != nil {
			return
		}
		if _, ok := keySpecs[spec]; !ok {
			t.Fatalf("KeySpecOfPrivate returned unknown spec %q", spec)
		}
		pub, err := PublicKeyFromPrivate(der)
		if err != nil {
			t.Fatalf("parsed as %s but PublicKeyFromPrivate failed: %v", spec, err)
		}
		if k, err := parsePublic(pub); err != nil || k.spec != spec {
			t.Fatalf("public key of a %s key: %v", spec, err)
		}
	})
}
