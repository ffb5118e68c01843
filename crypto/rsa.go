package crypto

// RSA encryption for ENCRYPT_DECRYPT RSA keys: plain RSAES-OAEP (PKCS #1 v2.2
// §7.1, the same hash for OAEP and MGF1, empty label), so that openssl and
// every SDK can produce and read the ciphertexts.

import (
	"crypto"
	"crypto/rsa"
	"fmt"
	"io"
)

var oaepSchemes = []scheme{schemeOAEP}

// oaepMax is the longest OAEP plaintext for a modulus of modulusBytes.
func oaepMax(modulusBytes int, h crypto.Hash) int { return modulusBytes - 2*h.Size() - 2 }

// OAEPMaxPlaintext returns the longest plaintext EncryptOAEP accepts for an
// RSA key spec and RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256: modulus bytes −
// 2·hash bytes − 2 (RSA_2048: 214 / 190 bytes). It returns 0 for any other
// spec or algorithm.
func OAEPMaxPlaintext(spec, alg string) int {
	s, ok := keySpecs[spec]
	a, err := lookupAlgorithm(alg, "encryption", oaepSchemes...)
	if !ok || s.family != familyRSA || err != nil {
		return 0
	}
	return oaepMax(s.rsaBits/8, a.hash)
}

// rsaFor resolves an OAEP algorithm name and checks that key is RSA.
func rsaFor(k *asymKey, alg string) (algorithm, error) {
	a, err := lookupAlgorithm(alg, "encryption", oaepSchemes...)
	if err != nil {
		return algorithm{}, err
	}
	if keySpecs[k.spec].family != familyRSA {
		return algorithm{}, fmt.Errorf("%w: %s cannot be used with a %s key", ErrIncompatible, alg, k.spec)
	}
	return a, nil
}

// EncryptOAEP encrypts plaintext with an RSA SubjectPublicKeyInfo public key
// under RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256. A plaintext longer than
// OAEPMaxPlaintext gives ErrMessageLength; a non-RSA key ErrIncompatible;
// SM2PKE or an unknown name ErrUnsupported. The OAEP seed is read from rand.
func EncryptOAEP(rand io.Reader, pubSPKI []byte, alg string, plaintext []byte) ([]byte, error) {
	if rand == nil {
		return nil, errNilRand
	}
	k, err := parsePublic(pubSPKI)
	if err != nil {
		return nil, err
	}
	a, err := rsaFor(k, alg)
	if err != nil {
		return nil, err
	}
	pub := k.pub.(*rsa.PublicKey)
	if limit := oaepMax(pub.Size(), a.hash); len(plaintext) > limit {
		return nil, fmt.Errorf("%w: %s with a %s key takes at most %d bytes, got %d", ErrMessageLength, alg, k.spec, limit, len(plaintext))
	}
	ct, err := rsa.EncryptOAEP(a.hash.New(), rand, pub, plaintext, nil)
	if err != nil {
		return nil, fmt.Errorf("crypto: %s encryption: %w", alg, err)
	}
	return ct, nil
}

// DecryptOAEP reverses EncryptOAEP with the PKCS#8 private key. Any
// decryption failure (another key, the other OAEP hash, modified bytes)
// gives ErrAuth without detail; a key that does not parse gives
// ErrInvalidKey and a non-RSA key ErrIncompatible.
func DecryptOAEP(privPKCS8 []byte, alg string, ciphertext []byte) ([]byte, error) {
	k, err := parsePrivate(privPKCS8)
	if err != nil {
		return nil, err
	}
	a, err := rsaFor(k, alg)
	if err != nil {
		return nil, err
	}
	priv := k.priv.(*rsa.PrivateKey)
	// RFC 8017 7.1.2 step 1: the ciphertext is exactly k octets. crypto/rsa
	// also accepts shorter ones (as if leading zero octets were stripped),
	// which would let a truncated ciphertext decrypt.
	if len(ciphertext) != priv.Size() {
		return nil, ErrAuth
	}
	pt, err := rsa.DecryptOAEP(a.hash.New(), nil, priv, ciphertext, nil)
	if err != nil {
		return nil, ErrAuth
	}
	return pt, nil
}
