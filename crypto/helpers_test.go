package crypto

// Shared test fixtures: one key pair per spec per test binary (RSA-4096
// generation is slow), deterministic readers, and the inputs each message
// type needs.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha3"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"filippo.io/mldsa"
	mldsax509 "filippo.io/mldsa/x509"
)

// allSpecs are the asymmetric key specs pkms supports.
var allSpecs = []string{
	"RSA_2048", "RSA_3072", "RSA_4096",
	"ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
	"ECC_NIST_EDWARDS25519", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87",
}

type cachedPair struct {
	once      sync.Once
	priv, pub []byte
	err       error
}

var pairs sync.Map // spec → *cachedPair

// keyPair returns the test binary's key pair of spec, generating it once.
// "other/SPEC" names a second, distinct key pair of SPEC.
func keyPair(tb testing.TB, spec string) (priv, pub []byte) {
	tb.Helper()
	v, _ := pairs.LoadOrStore(spec, &cachedPair{})
	c := v.(*cachedPair)
	c.once.Do(func() { c.priv, c.pub, c.err = GenerateKeyPair(rand.Reader, strings.TrimPrefix(spec, "other/")) })
	if c.err != nil {
		tb.Fatalf("GenerateKeyPair(%s): %v", spec, c.err)
	}
	return c.priv, c.pub
}

// seedReader returns a reader that yields b and then fails, to check that
// key generation takes all its randomness from the reader it is given.
func seedReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// errReader fails every read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("no randomness") }

// zeroReader yields zero bytes forever (never a valid EC scalar).
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

var testMessage = []byte("pkms: the quick brown fox signs over the lazy dog")

// messageFor returns the Message to send with messageType for alg: the test
// message itself for RAW, its digest under the algorithm's hash for DIGEST,
// and its ML-DSA μ (for the public key pub) for EXTERNAL_MU.
func messageFor(t testing.TB, alg, messageType string, pub, message []byte) []byte {
	t.Helper()
	switch messageType {
	case messageRaw:
		return message
	case messageDigest:
		return digest(algorithms[alg].hash, message)
	case messageExternalMu:
		return mlDSAMu(t, pub, message)
	}
	t.Fatalf("unknown message type %s", messageType)
	return nil
}

// mlDSAMu computes the FIPS 204 message representative for an empty context:
// μ = SHAKE256(SHAKE256(pk, 64) ‖ 0x00 ‖ 0x00 ‖ M, 64) (Algorithm 7 line 6
// with M′ from Algorithm 2).
func mlDSAMu(t testing.TB, pubSPKI, message []byte) []byte {
	t.Helper()
	p, err := mldsax509.ParsePKIXPublicKey(pubSPKI)
	if err != nil {
		t.Fatal(err)
	}
	tr := sha3.SumSHAKE256(p.(*mldsa.PublicKey).Bytes(), 64)
	h := sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, 0})
	h.Write(message)
	mu := make([]byte, 64)
	h.Read(mu)
	return mu
}

// flip returns a copy of b with one bit of byte i changed.
func flip(b []byte, i int) []byte {
	c := slices.Clone(b)
	c[i] ^= 0x01
	return c
}

// wantErr fails unless err is (wraps) want; want nil means success.
func wantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("%s: unexpected error %v", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
}
