package kms

import (
	"context"
	"encoding/hex"
	"io"

	"github.com/pocketkms/pkms/crypto"
)

func init() {
	implement("Encrypt", (*Service).Encrypt)
	implement("Decrypt", (*Service).Decrypt)
	implement("ReEncrypt", (*Service).ReEncrypt)
	implement("GenerateDataKey", (*Service).GenerateDataKey)
	implement("GenerateDataKeyWithoutPlaintext", (*Service).GenerateDataKeyWithoutPlaintext)
	implement("GenerateRandom", (*Service).GenerateRandom)
}

// dryRunErr is what every DryRun request that would have succeeded returns.
func dryRunErr(dry *bool) error {
	if dry != nil && *dry {
		return newErr(DryRunOperationException, "The request would have succeeded, but the DryRun option is set.")
	}
	return nil
}

// rejectRecipient refuses Nitro Enclave attestation: there is no enclave
// and no attestation root to verify a document against.
func rejectRecipient(r *RecipientInfo) error {
	if r != nil {
		return newErr(UnsupportedOperationException, "pkms cannot verify Nitro Enclave or NitroTPM attestation documents; omit Recipient")
	}
	return nil
}

// cryptoKey resolves the key of a cryptographic operation and checks its
// state and key usage.
func (t *txn) cryptoKey(op, ref string, usage KeyUsage) (*keyRecord, error) {
	k, err := t.resolveKey(ref)
	if err != nil {
		return nil, err
	}
	if err := t.checkState(op, k); err != nil {
		return nil, err
	}
	if k.Usage != usage {
		return nil, newErr(InvalidKeyUsageException, "%s key usage is %s which is not valid for %s.", t.keyArn(k.KeyID), k.Usage, op)
	}
	return k, nil
}

// symmetricKey is cryptoKey for operations that need a symmetric
// encryption key and, optionally, a named encryption algorithm.
func (t *txn) symmetricKey(op, ref string, alg EncryptionAlgorithm) (*keyRecord, error) {
	k, err := t.cryptoKey(op, ref, KeyUsageEncryptDecrypt)
	if err != nil {
		return nil, err
	}
	if k.Spec != KeySpecSymmetricDefault {
		return nil, newErr(InvalidKeyUsageException, "%s is not a symmetric encryption key, which %s requires.", t.keyArn(k.KeyID), op)
	}
	if alg != "" && alg != EncryptionAlgorithmSymmetricDefault {
		return nil, newErr(InvalidKeyUsageException, "%s does not support encryption algorithm %s.", t.keyArn(k.KeyID), alg)
	}
	return k, nil
}

// seal encrypts plaintext under a symmetric key's current material.
func (t *txn) seal(k *keyRecord, plaintext []byte, encCtx map[string]string) (blob []byte, materialID string, err error) {
	m := k.current()
	if m == nil {
		return nil, "", newErr(KMSInvalidStateException, "%s is pending import.", t.keyArn(k.KeyID))
	}
	var id [crypto.MaterialIDSize]byte
	if _, err := hex.Decode(id[:], []byte(m.ID)); err != nil {
		return nil, "", err
	}
	blob, err = crypto.EncryptBlob(t.s.rand, m.Secret, k.KeyID, id, plaintext, encCtx)
	return blob, m.ID, err
}

// opened is a decrypted symmetric ciphertext.
type opened struct {
	key        *keyRecord
	plaintext  []byte
	materialID string
}

// open decrypts a symmetric ciphertext. The blob names its key; a keyRef
// that names a different key is IncorrectKeyException. Any damage, a
// missing material version or a different encryption context is
// InvalidCiphertextException, with no detail, as AWS does.
func (t *txn) open(op string, blob []byte, keyRef string, alg EncryptionAlgorithm, encCtx map[string]string) (*opened, error) {
	if blob == nil {
		return nil, validationNull("ciphertextBlob")
	}
	if alg != "" && alg != EncryptionAlgorithmSymmetricDefault {
		return nil, newErr(IncorrectKeyException, "The key ID in the request does not identify a CMK that can perform this operation.")
	}
	b, err := crypto.ParseBlob(blob)
	if err != nil {
		return nil, &Error{Code: InvalidCiphertextException}
	}
	if keyRef != "" {
		want, err := t.resolveKeyID(keyRef, true)
		if err != nil {
			return nil, err
		}
		if want != b.KeyID {
			return nil, newErr(IncorrectKeyException, "The key ID in the request does not identify a CMK that can perform this operation.")
		}
	}
	k, err := t.symmetricKey(op, b.KeyID, "")
	if err != nil {
		return nil, err
	}
	m := k.materialByID(b.MaterialID)
	if m == nil {
		return nil, &Error{Code: InvalidCiphertextException}
	}
	pt, err := b.Decrypt(m.Secret, encCtx)
	if err != nil {
		return nil, &Error{Code: InvalidCiphertextException}
	}
	return &opened{key: k, plaintext: pt, materialID: m.ID}, nil
}

func validationNull(member string) error {
	return newErr(ValidationException, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

// Encrypt encrypts up to 4096 bytes under a symmetric key.
func (s *Service) Encrypt(ctx context.Context, in *EncryptInput) (*EncryptOutput, error) {
	var out *EncryptOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.symmetricKey("Encrypt", in.KeyId, in.EncryptionAlgorithm)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		blob, _, err := t.seal(k, in.Plaintext, in.EncryptionContext)
		if err != nil {
			return err
		}
		out = &EncryptOutput{CiphertextBlob: blob, KeyId: t.keyArn(k.KeyID), EncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault}
		return nil
	})
	return out, err
}

func ignoresCiphertext(mods []DryRunModifierType) bool {
	for _, m := range mods {
		if m == DryRunModifierTypeIgnoreCiphertext {
			return true
		}
	}
	return false
}

// Decrypt decrypts a ciphertext produced by Encrypt or GenerateDataKey*.
func (s *Service) Decrypt(ctx context.Context, in *DecryptInput) (*DecryptOutput, error) {
	if err := rejectRecipient(in.Recipient); err != nil {
		return nil, err
	}
	var out *DecryptOutput
	err := s.view(ctx, func(t *txn) error {
		if in.DryRun != nil && *in.DryRun && ignoresCiphertext(in.DryRunModifiers) {
			if in.KeyId == "" {
				return validationNull("keyId")
			}
			if _, err := t.symmetricKey("Decrypt", in.KeyId, in.EncryptionAlgorithm); err != nil {
				return err
			}
			return dryRunErr(in.DryRun)
		}
		o, err := t.open("Decrypt", in.CiphertextBlob, in.KeyId, in.EncryptionAlgorithm, in.EncryptionContext)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		out = &DecryptOutput{KeyId: t.keyArn(o.key.KeyID), Plaintext: o.plaintext,
			EncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault, KeyMaterialId: o.materialID}
		return nil
	})
	return out, err
}

// ReEncrypt decrypts a ciphertext and encrypts the plaintext under another
// key (or the same key with another context) without returning it.
func (s *Service) ReEncrypt(ctx context.Context, in *ReEncryptInput) (*ReEncryptOutput, error) {
	var out *ReEncryptOutput
	err := s.view(ctx, func(t *txn) error {
		dst, err := t.symmetricKey("ReEncrypt", in.DestinationKeyId, in.DestinationEncryptionAlgorithm)
		if err != nil {
			return err
		}
		if in.DryRun != nil && *in.DryRun && ignoresCiphertext(in.DryRunModifiers) {
			if in.SourceKeyId == "" {
				return validationNull("sourceKeyId")
			}
			if _, err := t.symmetricKey("ReEncrypt", in.SourceKeyId, in.SourceEncryptionAlgorithm); err != nil {
				return err
			}
			return dryRunErr(in.DryRun)
		}
		src, err := t.open("ReEncrypt", in.CiphertextBlob, in.SourceKeyId, in.SourceEncryptionAlgorithm, in.SourceEncryptionContext)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		blob, dstMaterial, err := t.seal(dst, src.plaintext, in.DestinationEncryptionContext)
		if err != nil {
			return err
		}
		out = &ReEncryptOutput{CiphertextBlob: blob, SourceKeyId: t.keyArn(src.key.KeyID), KeyId: t.keyArn(dst.KeyID),
			SourceEncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault, DestinationEncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault,
			SourceKeyMaterialId: src.materialID, DestinationKeyMaterialId: dstMaterial}
		return nil
	})
	return out, err
}

// dataKeySize settles the length of a data key: exactly one of KeySpec and
// NumberOfBytes must be given.
func dataKeySize(spec DataKeySpec, n *int32) (int, error) {
	switch {
	case (spec == "") == (n == nil):
		return 0, newErr(ValidationException, "Please specify either number of bytes or key spec.")
	case spec == DataKeySpecAes128:
		return 16, nil
	case spec == DataKeySpecAes256:
		return 32, nil
	case spec != "":
		return 0, validationErr(spec, "keySpec", "Member must satisfy enum value set: [AES_256, AES_128]")
	}
	return int(*n), nil
}

// dataKey is the shared body of GenerateDataKey and
// GenerateDataKeyWithoutPlaintext: a fresh random key and its ciphertext.
func (s *Service) dataKey(ctx context.Context, op, ref string, spec DataKeySpec, n *int32, encCtx map[string]string, dry *bool) (key, blob []byte, arn, materialID string, err error) {
	size, err := dataKeySize(spec, n)
	if err != nil {
		return nil, nil, "", "", err
	}
	err = s.view(ctx, func(t *txn) error {
		k, err := t.symmetricKey(op, ref, "")
		if err != nil {
			return err
		}
		if err := dryRunErr(dry); err != nil {
			return err
		}
		key = make([]byte, size)
		if _, err := io.ReadFull(s.rand, key); err != nil {
			return err
		}
		blob, materialID, err = t.seal(k, key, encCtx)
		arn = t.keyArn(k.KeyID)
		return err
	})
	return key, blob, arn, materialID, err
}

// GenerateDataKey returns a random data key in plaintext and encrypted
// under a symmetric key, for envelope encryption.
func (s *Service) GenerateDataKey(ctx context.Context, in *GenerateDataKeyInput) (*GenerateDataKeyOutput, error) {
	if err := rejectRecipient(in.Recipient); err != nil {
		return nil, err
	}
	key, blob, arn, mat, err := s.dataKey(ctx, "GenerateDataKey", in.KeyId, in.KeySpec, in.NumberOfBytes, in.EncryptionContext, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyOutput{CiphertextBlob: blob, Plaintext: key, KeyId: arn, KeyMaterialId: mat}, nil
}

// GenerateDataKeyWithoutPlaintext is GenerateDataKey without the plaintext.
func (s *Service) GenerateDataKeyWithoutPlaintext(ctx context.Context, in *GenerateDataKeyWithoutPlaintextInput) (*GenerateDataKeyWithoutPlaintextOutput, error) {
	_, blob, arn, mat, err := s.dataKey(ctx, "GenerateDataKeyWithoutPlaintext", in.KeyId, in.KeySpec, in.NumberOfBytes, in.EncryptionContext, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: blob, KeyId: arn, KeyMaterialId: mat}, nil
}

// GenerateRandom returns 1–1024 random bytes. It needs no key, so it does
// not even read the vault.
func (s *Service) GenerateRandom(ctx context.Context, in *GenerateRandomInput) (*GenerateRandomOutput, error) {
	if err := rejectRecipient(in.Recipient); err != nil {
		return nil, err
	}
	if in.CustomKeyStoreId != "" {
		return nil, newErr(CustomKeyStoreNotFoundException, "Custom key store %s does not exist", in.CustomKeyStoreId)
	}
	if in.NumberOfBytes == nil {
		return nil, validationNull("numberOfBytes")
	}
	b := make([]byte, *in.NumberOfBytes)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return nil, err
	}
	return &GenerateRandomOutput{Plaintext: b}, nil
}
