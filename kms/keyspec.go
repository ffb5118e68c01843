package kms

import (
	"encoding/hex"
	"io"
	"strings"
	"sync"

	"github.com/pocketkms/pkms/crypto"
)

// Key specs and key usages, as AWS KMS defines them. Each spec admits a fixed set of
// usages, chosen once at CreateKey. The key material a spec needs is made
// here: 32 random bytes for SYMMETRIC_DEFAULT, the HMAC key size for HMAC
// specs, and a PKCS#8 private key (with its public key) for asymmetric ones.

// specUsages lists, per key spec, the key usages AWS allows. It is built on first use (CreateKey), not by every process at start-up.
var specUsages = sync.OnceValue(func() map[KeySpec][]KeyUsage {
	return map[KeySpec][]KeyUsage{
		KeySpecSymmetricDefault:    {KeyUsageEncryptDecrypt},
		KeySpecHmac224:             {KeyUsageGenerateVerifyMac},
		KeySpecHmac256:             {KeyUsageGenerateVerifyMac},
		KeySpecHmac384:             {KeyUsageGenerateVerifyMac},
		KeySpecHmac512:             {KeyUsageGenerateVerifyMac},
		KeySpecRsa2048:             {KeyUsageEncryptDecrypt, KeyUsageSignVerify},
		KeySpecRsa3072:             {KeyUsageEncryptDecrypt, KeyUsageSignVerify},
		KeySpecRsa4096:             {KeyUsageEncryptDecrypt, KeyUsageSignVerify},
		KeySpecEccNistP256:         {KeyUsageSignVerify, KeyUsageKeyAgreement},
		KeySpecEccNistP384:         {KeyUsageSignVerify, KeyUsageKeyAgreement},
		KeySpecEccNistP521:         {KeyUsageSignVerify, KeyUsageKeyAgreement},
		KeySpecEccSecgP256k1:       {KeyUsageSignVerify},
		KeySpecEccNistEdwards25519: {KeyUsageSignVerify},
		KeySpecMlDsa44:             {KeyUsageSignVerify},
		KeySpecMlDsa65:             {KeyUsageSignVerify},
		KeySpecMlDsa87:             {KeyUsageSignVerify},
	}
})

func isHMAC(spec KeySpec) bool { return strings.HasPrefix(string(spec), "HMAC_") }

func isAsymmetric(spec KeySpec) bool { return spec != KeySpecSymmetricDefault && !isHMAC(spec) }

// macAlgorithm is the one MAC algorithm of an HMAC key spec (HMAC_256 →
// HMAC_SHA_256).
func macAlgorithm(spec KeySpec) MacAlgorithm {
	return MacAlgorithm("HMAC_SHA_" + strings.TrimPrefix(string(spec), "HMAC_"))
}

// createKeySpec settles KeySpec (or its deprecated twin
// CustomerMasterKeySpec) and KeyUsage for a new key.
func createKeySpec(in *CreateKeyInput) (KeySpec, KeyUsage, error) {
	spec := in.KeySpec
	if in.CustomerMasterKeySpec != "" {
		if spec != "" {
			return "", "", newErr(ValidationException, "You cannot specify both KeySpec and CustomerMasterKeySpec. CustomerMasterKeySpec is deprecated; use KeySpec.")
		}
		spec = KeySpec(in.CustomerMasterKeySpec)
	}
	if spec == "" {
		spec = KeySpecSymmetricDefault
	}
	if spec == KeySpecSm2 {
		return "", "", newErr(UnsupportedOperationException, "KeySpec SM2 is offered only in the AWS China Regions, and pkms has no well-kept Go SM2 implementation to use for it")
	}
	usages, ok := specUsages()[spec]
	if !ok {
		return "", "", validationErr(spec, "keySpec", "Member must satisfy enum value set: ["+strings.Join(KeySpec("").Values(), ", ")+"]")
	}
	usage := in.KeyUsage
	if usage == "" {
		// ENCRYPT_DECRYPT is the default for symmetric encryption keys
		// only; every other spec needs its usage named.
		if spec != KeySpecSymmetricDefault {
			return "", "", newErr(ValidationException, "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
		}
		usage = KeyUsageEncryptDecrypt
	}
	for _, u := range usages {
		if u == usage {
			return spec, usage, nil
		}
	}
	return "", "", newErr(ValidationException, "KeyUsage %s is not compatible with KeySpec %s", usage, spec)
}

// generateMaterial makes new key material for a spec, with a random
// 64-hex-digit id; the caller sets Created. It needs no vault state, so it
// runs before the write transaction (an RSA_4096 key takes seconds).
func (s *Service) generateMaterial(spec KeySpec) (material, error) {
	r := s.rand
	var id [32]byte
	if _, err := io.ReadFull(r, id[:]); err != nil {
		return material{}, err
	}
	m := material{ID: hex.EncodeToString(id[:])}
	switch {
	case spec == KeySpecSymmetricDefault:
		m.Secret = make([]byte, symmetricKeyBytes)
	case isHMAC(spec):
		m.Secret = make([]byte, crypto.HMACKeySize(string(spec)))
	default:
		priv, pub, err := s.keyPair(r, string(spec))
		if err != nil {
			return material{}, err
		}
		m.Secret, m.Public = priv, pub
		return m, nil
	}
	_, err := io.ReadFull(r, m.Secret)
	return m, err
}

// specAlgorithms lists what a key of one spec and usage supports, in the
// order AWS lists them in KeyMetadata.
func specAlgorithms(spec KeySpec, usage KeyUsage) algorithms {
	var a algorithms
	switch {
	case spec == KeySpecSymmetricDefault:
		a.encryption = []EncryptionAlgorithm{EncryptionAlgorithmSymmetricDefault}
	case isHMAC(spec):
		a.mac = []MacAlgorithm{macAlgorithm(spec)}
	default:
		for _, v := range crypto.EncryptionAlgorithms(string(spec), string(usage)) {
			a.encryption = append(a.encryption, EncryptionAlgorithm(v))
		}
		for _, v := range crypto.SigningAlgorithms(string(spec), string(usage)) {
			a.signing = append(a.signing, SigningAlgorithm(v))
		}
		for _, v := range crypto.KeyAgreementAlgorithms(string(spec), string(usage)) {
			a.agreement = append(a.agreement, KeyAgreementAlgorithm(v))
		}
	}
	return a
}
