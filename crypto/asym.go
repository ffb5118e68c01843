package crypto

// Asymmetric keys travel through pkms as bytes: private keys as PKCS#8 DER,
// public keys as X.509 SubjectPublicKeyInfo DER (the encodings AWS returns).
// This file is the one place that turns those bytes into Go keys and back,
// and that generates key pairs.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"

	"filippo.io/mldsa"
	mldsax509 "filippo.io/mldsa/x509"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// asymKey is a parsed key and the AWS key spec it belongs to.
type asymKey struct {
	spec string
	priv any // nil when parsed from a public key
	pub  any // *rsa.PublicKey, *ecdsa.PublicKey, *secp256k1.PublicKey, ed25519.PublicKey or *mldsa.PublicKey
}

var errNilRand = errors.New("crypto: nil random source")

// GenerateKeyPair creates a key pair of an AWS asymmetric key spec (RSA_2048,
// RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521,
// ECC_SECG_P256K1, ECC_NIST_EDWARDS25519, ML_DSA_44, ML_DSA_65, ML_DSA_87) and
// returns the private key as PKCS#8 DER and the public key as
// SubjectPublicKeyInfo DER. SM2 and unknown specs give ErrUnsupported.
//
// Elliptic-curve, Ed25519 and ML-DSA keys are derived from bytes read from
// rand (a private scalar by rejection sampling, or a 32-byte seed), so a
// deterministic reader gives deterministic keys. RSA keys come from
// crypto/rsa.GenerateKey, which since Go 1.26 ignores its reader and always
// uses the system's secure random source (unless GODEBUG=cryptocustomrand=1);
// tests that need reproducible RSA keys must use
// testing/cryptotest.SetGlobalRandom.
func GenerateKeyPair(rand io.Reader, spec string) (privPKCS8, pubSPKI []byte, err error) {
	if rand == nil {
		return nil, nil, errNilRand
	}
	s, err := lookupSpec(spec)
	if err != nil {
		return nil, nil, err
	}
	var priv any
	switch s.family {
	case familyRSA:
		priv, err = rsa.GenerateKey(rand, s.rsaBits)
	case familyNIST:
		bits := s.curve().Params().BitSize
		size := (bits + 7) / 8
		priv, err = keyFromRand(rand, size, 0xff>>(8*size-bits), func(b []byte) (any, bool) {
			k, err := ecdsa.ParseRawPrivateKey(s.curve(), b)
			return k, err == nil
		})
	case familyK1:
		priv, err = keyFromRand(rand, 32, 0xff, func(b []byte) (any, bool) { return newSecp256k1Key(b) })
	case familyEd25519:
		priv, err = keyFromRand(rand, ed25519.SeedSize, 0xff, func(b []byte) (any, bool) {
			return ed25519.NewKeyFromSeed(b), true
		})
	case familyMLDSA:
		priv, err = keyFromRand(rand, mldsa.PrivateKeySize, 0xff, func(b []byte) (any, bool) {
			k, err := mldsa.NewPrivateKey(s.mldsa(), b)
			return k, err == nil
		})
	}
	if err != nil {
		return nil, nil, fmt.Errorf("crypto: generating %s key: %w", spec, err)
	}
	if privPKCS8, err = marshalPrivate(priv); err != nil {
		return nil, nil, err
	}
	if pubSPKI, err = marshalPublic(publicOf(priv)); err != nil {
		return nil, nil, err
	}
	return privPKCS8, pubSPKI, nil
}

// keyFromRand reads size bytes from rand (masking the first byte with
// topMask) until accept takes them as a key. Valid scalars are all but
// certain on the first try; the bound only stops a broken reader from
// looping forever.
func keyFromRand(rand io.Reader, size int, topMask byte, accept func([]byte) (any, bool)) (any, error) {
	b := make([]byte, size)
	defer clear(b)
	for range 64 {
		if _, err := io.ReadFull(rand, b); err != nil {
			return nil, fmt.Errorf("reading randomness: %w", err)
		}
		b[0] &= topMask
		if k, ok := accept(b); ok {
			return k, nil
		}
	}
	return nil, errors.New("random source produced no valid private key")
}

// PublicKeyFromPrivate returns the SubjectPublicKeyInfo DER of a PKCS#8
// private key of any supported spec.
func PublicKeyFromPrivate(privPKCS8 []byte) ([]byte, error) {
	k, err := parsePrivate(privPKCS8)
	if err != nil {
		return nil, err
	}
	return marshalPublic(k.pub)
}

// KeySpecOfPrivate parses a PKCS#8 private key (DER or BER) and returns its
// AWS key spec, e.g. "RSA_2048" for a 2048-bit RSA key. A key that does not
// parse or belongs to no supported spec (RSA-1024, P-224, X25519, …) gives
// ErrInvalidKey.
func KeySpecOfPrivate(privPKCS8 []byte) (string, error) {
	k, err := parsePrivate(privPKCS8)
	if err != nil {
		return "", err
	}
	return k.spec, nil
}

// parsePrivate is the single entry point for PKCS#8 private keys: DER first,
// then BER re-encoded as DER.
func parsePrivate(der []byte) (*asymKey, error) {
	priv, err := parsePKCS8(der)
	if err != nil {
		if norm, nerr := normalizePKCS8(der); nerr == nil {
			priv, err = parsePKCS8(norm)
		}
	}
	if err != nil {
		// The parser's own text (ASN.1 tags and offsets) means nothing to a
		// user and is not kept.
		return nil, fmt.Errorf("%w: private key is not a PKCS#8 key of a supported spec", ErrInvalidKey)
	}
	pub := publicOf(priv)
	spec, err := specOf(pub)
	if err != nil {
		return nil, err
	}
	return &asymKey{spec: spec, priv: priv, pub: pub}, nil
}

func parsePKCS8(der []byte) (any, error) {
	if k, ok, err := parseSecp256k1PKCS8(der); ok {
		return k, err
	}
	return mldsax509.ParsePKCS8PrivateKey(der)
}

// parsePublic parses a SubjectPublicKeyInfo of a supported spec.
func parsePublic(der []byte) (*asymKey, error) {
	k1, ok, err := parseSecp256k1SPKI(der)
	var pub any = k1
	if !ok {
		pub, err = mldsax509.ParsePKIXPublicKey(der)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: public key is not a SubjectPublicKeyInfo of a supported spec", ErrInvalidKey)
	}
	spec, err := specOf(pub)
	if err != nil {
		return nil, err
	}
	return &asymKey{spec: spec, pub: pub}, nil
}

// publicOf returns the public half of a parsed private key.
func publicOf(priv any) any {
	switch k := priv.(type) {
	case *secp256k1.PrivateKey:
		return k.PubKey()
	case interface{ Public() crypto.PublicKey }:
		return k.Public()
	}
	return nil
}

// specOf names the AWS key spec of a public key.
func specOf(pub any) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch bits := k.N.BitLen(); bits {
		case 2048, 3072, 4096:
			return fmt.Sprintf("RSA_%d", bits), nil
		default:
			return "", fmt.Errorf("%w: %d-bit RSA key (AWS supports 2048, 3072 and 4096)", ErrInvalidKey, bits)
		}
	case *ecdsa.PublicKey:
		for name, s := range keySpecs {
			if s.family == familyNIST && s.curve() == k.Curve {
				return name, nil
			}
		}
		return "", fmt.Errorf("%w: EC key on curve %s", ErrInvalidKey, k.Curve.Params().Name)
	case *secp256k1.PublicKey:
		return "ECC_SECG_P256K1", nil
	case ed25519.PublicKey:
		return "ECC_NIST_EDWARDS25519", nil
	case *mldsa.PublicKey:
		for name, s := range keySpecs {
			if s.family == familyMLDSA && s.mldsa() == k.Parameters() {
				return name, nil
			}
		}
	}
	return "", fmt.Errorf("%w: the key's algorithm is not one of an AWS key spec", ErrInvalidKey)
}

func marshalPrivate(priv any) ([]byte, error) {
	if k, ok := priv.(*secp256k1.PrivateKey); ok {
		return marshalSecp256k1PKCS8(k)
	}
	return mldsax509.MarshalPKCS8PrivateKey(priv)
}

func marshalPublic(pub any) ([]byte, error) {
	if k, ok := pub.(*secp256k1.PublicKey); ok {
		return marshalSecp256k1SPKI(k)
	}
	return mldsax509.MarshalPKIXPublicKey(pub)
}
