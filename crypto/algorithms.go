package crypto

// The tables that tie AWS names (key specs, algorithms, key usages) to Go
// primitives. Every other file looks names up here, so adding or changing an
// algorithm is a one-line change.

import (
	"crypto"
	"crypto/elliptic"
	_ "crypto/sha1" // registers crypto.SHA1 for RSAES_OAEP_SHA_1
	_ "crypto/sha256"
	_ "crypto/sha512"
	"fmt"
	"slices"

	"filippo.io/mldsa"
)

// Key usages, as in the AWS KeyUsageType enum.
const (
	usageSignVerify     = "SIGN_VERIFY"
	usageEncryptDecrypt = "ENCRYPT_DECRYPT"
	usageKeyAgreement   = "KEY_AGREEMENT"
)

// Message types, as in the AWS MessageType enum.
const (
	messageRaw        = "RAW"
	messageDigest     = "DIGEST"
	messageExternalMu = "EXTERNAL_MU"
)

// family is the kind of key behind a key spec.
type family int

const (
	familyRSA     family = iota + 1
	familyNIST           // ECC_NIST_P256/P384/P521 (crypto/ecdsa, crypto/ecdh)
	familyK1             // ECC_SECG_P256K1 (decred secp256k1)
	familyEd25519        // ECC_NIST_EDWARDS25519
	familyMLDSA          // ML_DSA_44/65/87
)

// keySpec describes one AWS asymmetric key spec.
type keySpec struct {
	family   family
	rsaBits  int                     // RSA modulus size
	curve    func() elliptic.Curve   // NIST curves (a function: see keySpecs)
	ecdsaAlg string                  // the one ECDSA algorithm AWS pairs with the curve
	mldsa    func() mldsa.Parameters // ML-DSA parameter set
}

// keySpecs are the asymmetric key specs. The curves are functions, as the
// ML-DSA parameters are, because crypto/elliptic sets its curves up on the
// first call: a process that uses no NIST curve never pays for it.
var keySpecs = map[string]keySpec{
	"RSA_2048":              {family: familyRSA, rsaBits: 2048},
	"RSA_3072":              {family: familyRSA, rsaBits: 3072},
	"RSA_4096":              {family: familyRSA, rsaBits: 4096},
	"ECC_NIST_P256":         {family: familyNIST, curve: elliptic.P256, ecdsaAlg: "ECDSA_SHA_256"},
	"ECC_NIST_P384":         {family: familyNIST, curve: elliptic.P384, ecdsaAlg: "ECDSA_SHA_384"},
	"ECC_NIST_P521":         {family: familyNIST, curve: elliptic.P521, ecdsaAlg: "ECDSA_SHA_512"},
	"ECC_SECG_P256K1":       {family: familyK1, ecdsaAlg: "ECDSA_SHA_256"},
	"ECC_NIST_EDWARDS25519": {family: familyEd25519},
	"ML_DSA_44":             {family: familyMLDSA, mldsa: mldsa.MLDSA44},
	"ML_DSA_65":             {family: familyMLDSA, mldsa: mldsa.MLDSA65},
	"ML_DSA_87":             {family: familyMLDSA, mldsa: mldsa.MLDSA87},
}

// hmacKeySizes maps the HMAC key specs to their key material size in bytes.
var hmacKeySizes = map[string]int{"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}

// scheme is the primitive an algorithm name selects.
type scheme int

const (
	schemePSS       scheme = iota + 1 // RSASSA-PSS, MGF1 with the same hash, salt = hash length
	schemePKCS1                       // RSASSA-PKCS1-v1_5
	schemeECDSA                       // ECDSA, ASN.1 DER signature
	schemeEd25519                     // PureEdDSA
	schemeEd25519ph                   // HashEdDSA (Ed25519ph), empty context
	schemeMLDSA                       // ML-DSA, empty context
	schemeOAEP                        // RSAES-OAEP, MGF1 with the same hash, empty label
	schemeHMAC                        // RFC 2104 HMAC
	schemeECDH                        // raw ECDH shared secret
)

// algorithm is one AWS algorithm name resolved to a scheme and its hash.
type algorithm struct {
	name   string
	scheme scheme
	hash   crypto.Hash // zero for ML-DSA and ECDH
}

// algorithms is the single name → (scheme, hash) table.
var algorithms = map[string]algorithm{}

func init() {
	for _, a := range []algorithm{
		{"RSASSA_PSS_SHA_256", schemePSS, crypto.SHA256},
		{"RSASSA_PSS_SHA_384", schemePSS, crypto.SHA384},
		{"RSASSA_PSS_SHA_512", schemePSS, crypto.SHA512},
		{"RSASSA_PKCS1_V1_5_SHA_256", schemePKCS1, crypto.SHA256},
		{"RSASSA_PKCS1_V1_5_SHA_384", schemePKCS1, crypto.SHA384},
		{"RSASSA_PKCS1_V1_5_SHA_512", schemePKCS1, crypto.SHA512},
		{"ECDSA_SHA_256", schemeECDSA, crypto.SHA256},
		{"ECDSA_SHA_384", schemeECDSA, crypto.SHA384},
		{"ECDSA_SHA_512", schemeECDSA, crypto.SHA512},
		{"ED25519_SHA_512", schemeEd25519, crypto.SHA512},
		{"ED25519_PH_SHA_512", schemeEd25519ph, crypto.SHA512},
		{"ML_DSA_SHAKE_256", schemeMLDSA, 0},
		{"RSAES_OAEP_SHA_1", schemeOAEP, crypto.SHA1},
		{"RSAES_OAEP_SHA_256", schemeOAEP, crypto.SHA256},
		{"HMAC_SHA_224", schemeHMAC, crypto.SHA224},
		{"HMAC_SHA_256", schemeHMAC, crypto.SHA256},
		{"HMAC_SHA_384", schemeHMAC, crypto.SHA384},
		{"HMAC_SHA_512", schemeHMAC, crypto.SHA512},
		{"ECDH", schemeECDH, 0},
	} {
		algorithms[a.name] = a
	}
}

// unsupportedNames are AWS names pkms knows but cannot perform (the ShangMi
// algorithms, available in AWS's China Regions only).
var unsupportedNames = map[string]bool{"SM2": true, "SM2DSA": true, "SM2PKE": true}

// lookupAlgorithm resolves an AWS algorithm name that must use one of the
// given schemes (ErrUnsupported otherwise).
func lookupAlgorithm(name, kind string, schemes ...scheme) (algorithm, error) {
	if unsupportedNames[name] {
		return algorithm{}, fmt.Errorf("%w: %s algorithm %s (ShangMi, China Regions only)", ErrUnsupported, kind, name)
	}
	a, ok := algorithms[name]
	if !ok || !slices.Contains(schemes, a.scheme) {
		return algorithm{}, fmt.Errorf("%w: %q is not a %s algorithm", ErrUnsupported, name, kind)
	}
	return a, nil
}

// lookupSpec resolves an asymmetric key spec (ErrUnsupported otherwise).
func lookupSpec(spec string) (keySpec, error) {
	if unsupportedNames[spec] {
		return keySpec{}, fmt.Errorf("%w: key spec %s (ShangMi, China Regions only)", ErrUnsupported, spec)
	}
	s, ok := keySpecs[spec]
	if !ok {
		return keySpec{}, fmt.Errorf("%w: %q is not an asymmetric key spec", ErrUnsupported, spec)
	}
	return s, nil
}

// SigningAlgorithms lists the signing algorithms of a key spec for a key
// usage, in the order AWS returns them (KeyMetadata.SigningAlgorithms and
// GetPublicKey). It is empty unless usage is SIGN_VERIFY and the spec is one
// pkms supports.
func SigningAlgorithms(spec, usage string) []string {
	s, ok := keySpecs[spec]
	if !ok || usage != usageSignVerify {
		return nil
	}
	switch s.family {
	case familyRSA:
		return []string{
			"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
			"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
		}
	case familyNIST, familyK1:
		return []string{s.ecdsaAlg}
	case familyEd25519:
		return []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}
	case familyMLDSA:
		return []string{"ML_DSA_SHAKE_256"}
	}
	return nil
}

// EncryptionAlgorithms lists the encryption algorithms of a key spec for a key
// usage, in AWS's order: SYMMETRIC_DEFAULT for the symmetric key spec and the
// two RSA-OAEP algorithms for RSA specs, with usage ENCRYPT_DECRYPT. It is
// empty otherwise.
func EncryptionAlgorithms(spec, usage string) []string {
	if usage != usageEncryptDecrypt {
		return nil
	}
	if spec == "SYMMETRIC_DEFAULT" {
		return []string{"SYMMETRIC_DEFAULT"}
	}
	if s, ok := keySpecs[spec]; ok && s.family == familyRSA {
		return []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
	}
	return nil
}

// KeyAgreementAlgorithms lists the key agreement algorithms of a key spec for
// a key usage: ECDH for the NIST curves with usage KEY_AGREEMENT, empty
// otherwise.
func KeyAgreementAlgorithms(spec, usage string) []string {
	if s, ok := keySpecs[spec]; ok && s.family == familyNIST && usage == usageKeyAgreement {
		return []string{"ECDH"}
	}
	return nil
}

// HMACKeySize returns the key material size in bytes of an HMAC key spec
// (HMAC_224/256/384/512 → 28/32/48/64), or 0 for any other spec.
func HMACKeySize(spec string) int { return hmacKeySizes[spec] }
