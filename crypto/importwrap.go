package crypto

// Wrapping of key material for ImportKeyMaterial (BYOK): the four wrapping
// algorithms of GetParametersForImport, byte-compatible with the openssl
// commands of the AWS KMS developer guide ("Encrypt key material").

import (
	"crypto/rsa"
	"fmt"
	"io"
)

// importWrapKeySize is the size of the ephemeral AES key of the
// RSA_AES_KEY_WRAP_* algorithms (`openssl rand -out aes-key.bin 32`).
const importWrapKeySize = 32

// importWrapping describes one wrapping algorithm: the RSAES-OAEP
// algorithm it uses, and whether the material is wrapped with an ephemeral
// AES key (hybrid) or OAEP-encrypted directly.
type importWrapping struct {
	oaep   string
	hybrid bool
}

var importWrappings = map[string]importWrapping{
	"RSAES_OAEP_SHA_1":         {"RSAES_OAEP_SHA_1", false},
	"RSAES_OAEP_SHA_256":       {"RSAES_OAEP_SHA_256", false},
	"RSA_AES_KEY_WRAP_SHA_1":   {"RSAES_OAEP_SHA_1", true},
	"RSA_AES_KEY_WRAP_SHA_256": {"RSAES_OAEP_SHA_256", true},
}

func lookupImportWrapping(alg string) (importWrapping, error) {
	w, ok := importWrappings[alg]
	if ok {
		return w, nil
	}
	switch alg {
	case "RSAES_PKCS1_V1_5":
		return w, fmt.Errorf("%w: wrapping algorithm RSAES_PKCS1_V1_5 (AWS KMS no longer supports it)", ErrUnsupported)
	case "SM2PKE":
		return w, fmt.Errorf("%w: wrapping algorithm SM2PKE (ShangMi, China Regions only)", ErrUnsupported)
	}
	return w, fmt.Errorf("%w: %q is not a wrapping algorithm", ErrUnsupported, alg)
}

// WrapKeyMaterial wraps key material for import with an RSA wrapping public
// key (SubjectPublicKeyInfo DER), as a user following the AWS guide does
// with openssl. alg is
//
//   - RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256: RSAES-OAEP of the material
//     (same hash for OAEP and MGF1, empty label); material longer than
//     OAEPMaxPlaintext gives ErrMessageLength.
//   - RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256: a fresh 32-byte
//     AES key is read from rand, the material is wrapped under it with
//     KeyWrapPad, and the AES key is RSAES-OAEP encrypted with SHA-1 or
//     SHA-256; the output is the RSA ciphertext (modulus length) followed
//     by the key wrap output.
//
// RSAES_PKCS1_V1_5 (no longer supported by AWS), SM2PKE and any other name
// give ErrUnsupported; empty material gives ErrMessageLength; a public key
// that does not parse gives ErrInvalidKey and a non-RSA key ErrIncompatible.
func WrapKeyMaterial(rand io.Reader, wrappingPubSPKI []byte, alg string, material []byte) ([]byte, error) {
	w, err := lookupImportWrapping(alg)
	if err != nil {
		return nil, err
	}
	if rand == nil {
		return nil, errNilRand
	}
	if len(material) == 0 {
		return nil, fmt.Errorf("%w: key material is empty", ErrMessageLength)
	}
	if !w.hybrid {
		return EncryptOAEP(rand, wrappingPubSPKI, w.oaep, material)
	}
	// Check the wrapping key before taking randomness for the AES key.
	k, err := parsePublic(wrappingPubSPKI)
	if err != nil {
		return nil, err
	}
	if _, err := rsaFor(k, w.oaep); err != nil {
		return nil, err
	}
	aesKey := make([]byte, importWrapKeySize)
	defer clear(aesKey)
	if _, err := io.ReadFull(rand, aesKey); err != nil {
		return nil, fmt.Errorf("crypto: reading the AES wrapping key: %w", err)
	}
	wrappedMaterial, err := KeyWrapPad(aesKey, material)
	if err != nil {
		return nil, err
	}
	wrappedKey, err := EncryptOAEP(rand, wrappingPubSPKI, w.oaep, aesKey)
	if err != nil {
		return nil, err
	}
	return append(wrappedKey, wrappedMaterial...), nil
}

// UnwrapKeyMaterial reverses WrapKeyMaterial with the wrapping private key
// (PKCS#8 DER). Any failure to decrypt or unwrap — another wrapping key,
// another wrapping algorithm, truncated or modified bytes, an ephemeral AES
// key that is not 32 bytes — gives ErrAuth without detail. An unsupported
// alg gives ErrUnsupported as in WrapKeyMaterial; a private key that does
// not parse gives ErrInvalidKey and a non-RSA key ErrIncompatible. With
// the RSAES_OAEP_* algorithms the result may be empty (OAEP of an empty
// file); callers check the material against the key spec.
func UnwrapKeyMaterial(wrappingPrivPKCS8 []byte, alg string, wrapped []byte) ([]byte, error) {
	w, err := lookupImportWrapping(alg)
	if err != nil {
		return nil, err
	}
	k, err := parsePrivate(wrappingPrivPKCS8)
	if err != nil {
		return nil, err
	}
	a, err := rsaFor(k, w.oaep)
	if err != nil {
		return nil, err
	}
	priv := k.priv.(*rsa.PrivateKey)
	size := priv.Size()
	if !w.hybrid {
		// RFC 8017 §7.1.2 step 1: the ciphertext is exactly k octets.
		// (crypto/rsa also accepts shorter ones, as if the leading zero
		// octets had been stripped.)
		if len(wrapped) != size {
			return nil, ErrAuth
		}
		pt, err := rsa.DecryptOAEP(a.hash.New(), nil, priv, wrapped, nil)
		if err != nil {
			return nil, ErrAuth
		}
		return pt, nil
	}
	if len(wrapped) < size+16 {
		return nil, ErrAuth
	}
	aesKey, err := rsa.DecryptOAEP(a.hash.New(), nil, priv, wrapped[:size], nil)
	if err != nil {
		return nil, ErrAuth
	}
	defer clear(aesKey)
	if len(aesKey) != importWrapKeySize {
		return nil, ErrAuth
	}
	material, err := KeyUnwrapPad(aesKey, wrapped[size:])
	if err != nil {
		return nil, ErrAuth
	}
	return material, nil
}
