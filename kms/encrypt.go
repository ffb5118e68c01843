package kms

import (
	"context"
	"encoding/hex"
	"io"

	"github.com/pocketkms/pkms/crypto"
)

func init() {
	implement("Encrypt", (*Service).Encrypt, readOnly, keyStates(rowCrypto))
	implement("Decrypt", (*Service).Decrypt, readOnly, keyStates(rowCrypto))
	implement("ReEncrypt", (*Service).ReEncrypt, readOnly, keyStates(rowCrypto))
	implement("GenerateDataKey", (*Service).GenerateDataKey, readOnly, keyStates(rowCrypto))
	implement("GenerateDataKeyWithoutPlaintext", (*Service).GenerateDataKeyWithoutPlaintext, readOnly, keyStates(rowCrypto))
	implement("GenerateRandom", (*Service).GenerateRandom, readOnly, noKey)
}

// Encryption. A symmetric key encrypts into pkms's own ciphertext blob,
// which names the key and key material and authenticates the encryption
// context; an RSA ENCRYPT_DECRYPT key encrypts with plain RSA-OAEP, which
// openssl can produce and read, so the key and algorithm must be named to
// decrypt.

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

// encryptionKey is cryptoKey for an ENCRYPT_DECRYPT key together with the
// encryption algorithm to use with it ("" means SYMMETRIC_DEFAULT, which
// only symmetric keys support).
func (t *txn) encryptionKey(op, ref string, alg EncryptionAlgorithm) (*keyRecord, EncryptionAlgorithm, error) {
	k, err := t.cryptoKey(op, ref, KeyUsageEncryptDecrypt)
	if err != nil {
		return nil, "", err
	}
	if alg == "" {
		alg = EncryptionAlgorithmSymmetricDefault
	}
	for _, a := range specAlgorithms(k.Spec, k.Usage).encryption {
		if a == alg {
			return k, alg, nil
		}
	}
	return nil, "", newErr(InvalidKeyUsageException, "%s (%s) does not support encryption algorithm %s; it supports %s.",
		t.keyArn(k.KeyID), k.Spec, alg, joinAlgorithms(specAlgorithms(k.Spec, k.Usage).encryption))
}

func joinAlgorithms[T ~string](algs []T) string {
	s := ""
	for i, a := range algs {
		if i > 0 {
			s += ", "
		}
		s += string(a)
	}
	return s
}

// rejectContextForAsymmetric: an encryption context is for symmetric keys only.
func rejectContextForAsymmetric(k *keyRecord, encCtx map[string]string) error {
	if len(encCtx) > 0 && isAsymmetric(k.Spec) {
		return newErr(ValidationException, "EncryptionContext is not supported with asymmetric KMS keys")
	}
	return nil
}

// encryptWith encrypts under k's current material with alg.
func (t *txn) encryptWith(k *keyRecord, alg EncryptionAlgorithm, plaintext []byte, encCtx map[string]string) (blob []byte, materialID string, err error) {
	if k.CustomKeyStoreID != "" {
		return t.tokenEncrypt(k, plaintext, encCtx)
	}
	m, err := t.currentMaterial(k)
	if err != nil {
		return nil, "", err
	}
	if err := rejectContextForAsymmetric(k, encCtx); err != nil {
		return nil, "", err
	}
	if alg != EncryptionAlgorithmSymmetricDefault {
		if max := crypto.OAEPMaxPlaintext(string(k.Spec), string(alg)); len(plaintext) > max {
			return nil, "", newErr(ValidationException, "Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", alg, k.Spec, max)
		}
		blob, err := crypto.EncryptOAEP(t.s.rand, m.Public, string(alg), plaintext)
		return blob, "", kmsError(err)
	}
	var id [crypto.MaterialIDSize]byte
	if _, err := hex.Decode(id[:], []byte(m.ID)); err != nil {
		return nil, "", err
	}
	blob, err = crypto.EncryptBlob(t.s.rand, m.Secret, k.KeyID, id, plaintext, encCtx)
	return blob, m.ID, err
}

// opened is a decrypted ciphertext.
type opened struct {
	key        *keyRecord
	alg        EncryptionAlgorithm
	plaintext  []byte
	materialID string // symmetric keys only
}

var errIncorrectKey = &Error{Code: IncorrectKeyException, Message: "The key ID in the request does not identify a CMK that can perform this operation."}

// decryptWith decrypts a ciphertext. A symmetric ciphertext names its key;
// a keyRef naming another key is IncorrectKeyException. An RSA ciphertext
// needs keyRef and alg. Any damage, a missing material version or another
// encryption context is InvalidCiphertextException, with no detail.
func (t *txn) decryptWith(op string, blob []byte, keyRef string, alg EncryptionAlgorithm, encCtx map[string]string) (*opened, error) {
	if blob == nil {
		return nil, validationNull("ciphertextBlob")
	}
	if alg != "" && alg != EncryptionAlgorithmSymmetricDefault {
		if keyRef == "" {
			return nil, newErr(ValidationException, "KeyId is required to decrypt with encryption algorithm %s", alg)
		}
		k, alg, err := t.encryptionKey(op, keyRef, alg)
		if err != nil {
			return nil, err
		}
		if err := rejectContextForAsymmetric(k, encCtx); err != nil {
			return nil, err
		}
		m, err := t.currentMaterial(k)
		if err != nil {
			return nil, err
		}
		pt, err := crypto.DecryptOAEP(m.Secret, string(alg), blob)
		if err != nil {
			return nil, kmsError(err)
		}
		return &opened{key: k, alg: alg, plaintext: pt}, nil
	}
	b, err := crypto.ParseBlob(blob)
	if err != nil {
		if keyRef != "" {
			// An asymmetric key named without its algorithm says more than
			// "invalid ciphertext".
			if _, _, err := t.encryptionKey(op, keyRef, ""); err != nil {
				return nil, err
			}
		}
		return nil, &Error{Code: InvalidCiphertextException}
	}
	if !validKeyID(b.KeyID) {
		// pkms never writes such an id: the blob was modified (a version 1
		// blob has no header check to catch it earlier).
		return nil, &Error{Code: InvalidCiphertextException}
	}
	if keyRef != "" {
		want, err := t.resolveKeyID(keyRef, true)
		if err != nil {
			return nil, err
		}
		if want != b.KeyID {
			return nil, errIncorrectKey
		}
	}
	k, _, err := t.encryptionKey(op, b.KeyID, EncryptionAlgorithmSymmetricDefault)
	if err != nil {
		return nil, err
	}
	if k.CustomKeyStoreID != "" {
		pt, err := t.tokenDecrypt(k, b, encCtx)
		if err != nil {
			return nil, err
		}
		return &opened{key: k, alg: EncryptionAlgorithmSymmetricDefault, plaintext: pt, materialID: k.CurrentMaterial}, nil
	}
	m := k.materialByID(b.MaterialID)
	if m == nil {
		return nil, &Error{Code: InvalidCiphertextException}
	}
	pt, err := b.Decrypt(m.Secret, encCtx)
	if err != nil {
		return nil, &Error{Code: InvalidCiphertextException}
	}
	return &opened{key: k, alg: EncryptionAlgorithmSymmetricDefault, plaintext: pt, materialID: m.ID}, nil
}

func validationNull(member string) error {
	return newErr(ValidationException, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

// Encrypt encrypts up to 4096 bytes under a symmetric key, or a short
// plaintext with RSA-OAEP under an RSA ENCRYPT_DECRYPT key.
func (s *Service) Encrypt(ctx context.Context, in *EncryptInput) (*EncryptOutput, error) {
	var out *EncryptOutput
	err := s.view(ctx, func(t *txn) error {
		k, alg, err := t.encryptionKey("Encrypt", in.KeyId, in.EncryptionAlgorithm)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		blob, _, err := t.encryptWith(k, alg, in.Plaintext, in.EncryptionContext)
		if err != nil {
			return err
		}
		out = &EncryptOutput{CiphertextBlob: blob, KeyId: t.keyArn(k.KeyID), EncryptionAlgorithm: alg}
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

// dryRunKeyOnly handles DryRun with IGNORE_CIPHERTEXT: only the key (which
// must then be named) is checked.
func (t *txn) dryRunKeyOnly(op, keyRef, member string, alg EncryptionAlgorithm) error {
	if keyRef == "" {
		return validationNull(member)
	}
	if _, _, err := t.encryptionKey(op, keyRef, alg); err != nil {
		return err
	}
	return dryRunErr(ptr(true))
}

// Decrypt decrypts a ciphertext produced by Encrypt, GenerateDataKey* or
// GenerateDataKeyPair*, or an RSA-OAEP ciphertext made with the public key.
func (s *Service) Decrypt(ctx context.Context, in *DecryptInput) (*DecryptOutput, error) {
	if err := rejectRecipient(in.Recipient); err != nil {
		return nil, err
	}
	var out *DecryptOutput
	err := s.view(ctx, func(t *txn) error {
		if in.DryRun != nil && *in.DryRun && ignoresCiphertext(in.DryRunModifiers) {
			return t.dryRunKeyOnly("Decrypt", in.KeyId, "keyId", in.EncryptionAlgorithm)
		}
		o, err := t.decryptWith("Decrypt", in.CiphertextBlob, in.KeyId, in.EncryptionAlgorithm, in.EncryptionContext)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		out = &DecryptOutput{KeyId: t.keyArn(o.key.KeyID), Plaintext: o.plaintext, EncryptionAlgorithm: o.alg, KeyMaterialId: o.materialID}
		return nil
	})
	return out, err
}

// ReEncrypt decrypts a ciphertext and encrypts the plaintext under another
// key (or the same key with another context) without returning it. Either
// side may be symmetric or RSA.
func (s *Service) ReEncrypt(ctx context.Context, in *ReEncryptInput) (*ReEncryptOutput, error) {
	var out *ReEncryptOutput
	err := s.view(ctx, func(t *txn) error {
		// The source side is settled first, as AWS does: a SourceKeyId that
		// does not match the ciphertext is IncorrectKeyException whatever
		// the destination key is.
		var src *opened
		if in.DryRun != nil && *in.DryRun && ignoresCiphertext(in.DryRunModifiers) {
			if err := t.dryRunKeyOnly("ReEncrypt", in.SourceKeyId, "sourceKeyId", in.SourceEncryptionAlgorithm); CodeOf(err) != DryRunOperationException {
				return err
			}
		} else {
			var err error
			if src, err = t.decryptWith("ReEncrypt", in.CiphertextBlob, in.SourceKeyId, in.SourceEncryptionAlgorithm, in.SourceEncryptionContext); err != nil {
				return err
			}
		}
		dst, dstAlg, err := t.encryptionKey("ReEncrypt", in.DestinationKeyId, in.DestinationEncryptionAlgorithm)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		blob, dstMaterial, err := t.encryptWith(dst, dstAlg, src.plaintext, in.DestinationEncryptionContext)
		if err != nil {
			return err
		}
		out = &ReEncryptOutput{CiphertextBlob: blob, SourceKeyId: t.keyArn(src.key.KeyID), KeyId: t.keyArn(dst.KeyID),
			SourceEncryptionAlgorithm: src.alg, DestinationEncryptionAlgorithm: dstAlg,
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

// symmetricDataKey checks that a key can protect data keys: a symmetric
// encryption key (AWS refuses asymmetric and HMAC keys here).
func (t *txn) symmetricDataKey(op, ref string) (*keyRecord, error) {
	k, _, err := t.encryptionKey(op, ref, "")
	if err != nil && CodeOf(err) == InvalidKeyUsageException {
		if k2, e2 := t.resolveKey(ref); e2 == nil {
			return nil, newErr(InvalidKeyUsageException, "%s is not a symmetric encryption key, which %s requires.", t.keyArn(k2.KeyID), op)
		}
	}
	if err == nil {
		err = t.rejectInKeyStore(op, k)
	}
	return k, err
}

// sealedSecret is the shared body of the data key operations: a fresh
// secret made by gen, encrypted under a symmetric key.
func (s *Service) sealedSecret(ctx context.Context, op, ref string, encCtx map[string]string, dry *bool, gen func() ([]byte, error)) (secret, blob []byte, arn, materialID string, err error) {
	err = s.view(ctx, func(t *txn) error {
		k, err := t.symmetricDataKey(op, ref)
		if err != nil {
			return err
		}
		if err := dryRunErr(dry); err != nil {
			return err
		}
		if secret, err = gen(); err != nil {
			return err
		}
		blob, materialID, err = t.encryptWith(k, EncryptionAlgorithmSymmetricDefault, secret, encCtx)
		arn = t.keyArn(k.KeyID)
		return err
	})
	return secret, blob, arn, materialID, err
}

// randomBytes returns a generator of n random bytes.
func (s *Service) randomBytes(n int) func() ([]byte, error) {
	return func() ([]byte, error) {
		b := make([]byte, n)
		_, err := io.ReadFull(s.rand, b)
		return b, err
	}
}

// GenerateDataKey returns a random data key in plaintext and encrypted
// under a symmetric key, for envelope encryption.
func (s *Service) GenerateDataKey(ctx context.Context, in *GenerateDataKeyInput) (*GenerateDataKeyOutput, error) {
	if err := rejectRecipient(in.Recipient); err != nil {
		return nil, err
	}
	size, err := dataKeySize(in.KeySpec, in.NumberOfBytes)
	if err != nil {
		return nil, err
	}
	key, blob, arn, mat, err := s.sealedSecret(ctx, "GenerateDataKey", in.KeyId, in.EncryptionContext, in.DryRun, s.randomBytes(size))
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyOutput{CiphertextBlob: blob, Plaintext: key, KeyId: arn, KeyMaterialId: mat}, nil
}

// GenerateDataKeyWithoutPlaintext is GenerateDataKey without the plaintext.
func (s *Service) GenerateDataKeyWithoutPlaintext(ctx context.Context, in *GenerateDataKeyWithoutPlaintextInput) (*GenerateDataKeyWithoutPlaintextOutput, error) {
	size, err := dataKeySize(in.KeySpec, in.NumberOfBytes)
	if err != nil {
		return nil, err
	}
	_, blob, arn, mat, err := s.sealedSecret(ctx, "GenerateDataKeyWithoutPlaintext", in.KeyId, in.EncryptionContext, in.DryRun, s.randomBytes(size))
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: blob, KeyId: arn, KeyMaterialId: mat}, nil
}

// GenerateRandom returns 1–1024 random bytes. It needs no key.
func (s *Service) GenerateRandom(ctx context.Context, in *GenerateRandomInput) (*GenerateRandomOutput, error) {
	if err := rejectRecipient(in.Recipient); err != nil {
		return nil, err
	}
	if in.NumberOfBytes == nil {
		return nil, newErr(ValidationException, "NumberOfBytes is required.")
	}
	if in.CustomKeyStoreId != "" {
		b, err := s.tokenRandom(ctx, in.CustomKeyStoreId, int(*in.NumberOfBytes))
		if err != nil {
			return nil, err
		}
		return &GenerateRandomOutput{Plaintext: b}, nil
	}
	b, err := s.randomBytes(int(*in.NumberOfBytes))()
	if err != nil {
		return nil, err
	}
	return &GenerateRandomOutput{Plaintext: b}, nil
}
