package kms

import (
	"context"
	"errors"

	"github.com/pocketkms/pkms/crypto"
)

func init() {
	implement("Sign", (*Service).Sign, readOnly, keyStates(rowCrypto))
	implement("Verify", (*Service).Verify, readOnly, keyStates(rowCrypto))
	implement("GetPublicKey", (*Service).GetPublicKey, readOnly, keyStates(rowCrypto))
}

// signingKey resolves a SIGN_VERIFY key and checks that it supports alg.
func (t *txn) signingKey(op, ref string, alg SigningAlgorithm) (*keyRecord, *material, error) {
	k, err := t.cryptoKey(op, ref, KeyUsageSignVerify)
	if err != nil {
		return nil, nil, err
	}
	algs := specAlgorithms(k.Spec, k.Usage).signing
	if !contains(stringsOf(algs), string(alg)) {
		return nil, nil, newErr(InvalidKeyUsageException, "%s (%s) does not support signing algorithm %s; it supports %s.",
			t.keyArn(k.KeyID), k.Spec, alg, joinAlgorithms(algs))
	}
	m, err := t.currentMaterial(k)
	if err != nil {
		return nil, nil, err
	}
	return k, m, nil
}

// signer returns the parsed private key of a key material, parsing it once
// per service: material never changes under its id, so the cache needs no
// invalidation.
func (s *Service) signer(m *material) (*crypto.PrivateKey, error) {
	if k, ok := s.parsed.Load(m.ID); ok {
		return k.(*crypto.PrivateKey), nil
	}
	k, err := crypto.ParsePrivateKey(m.Secret)
	if err != nil {
		return nil, err
	}
	s.parsed.Store(m.ID, k)
	return k, nil
}

func stringsOf[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

func messageType(mt MessageType) string {
	if mt == "" {
		return string(MessageTypeRaw)
	}
	return string(mt)
}

// signError is kmsError for Sign and Verify, with AWS's words for a DIGEST
// whose length is not the algorithm's hash size.
func signError(err error, alg SigningAlgorithm, mt MessageType) error {
	if mt == MessageTypeDigest && errors.Is(err, crypto.ErrMessageLength) {
		return newErr(ValidationException, "Digest is invalid length for algorithm %s.", alg)
	}
	return kmsError(err)
}

// Sign signs a message (or a digest, or an ML-DSA μ) with an asymmetric
// SIGN_VERIFY key. RSA-PSS uses a salt as long as the digest; DIGEST
// messages are signed as given, not hashed again.
func (s *Service) Sign(ctx context.Context, in *SignInput) (*SignOutput, error) {
	var out *SignOutput
	err := s.view(ctx, func(t *txn) error {
		k, m, err := t.signingKey("Sign", in.KeyId, in.SigningAlgorithm)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		var sig []byte
		if k.CustomKeyStoreID != "" {
			if sig, err = t.tokenSign(k, in); err != nil {
				return err
			}
		} else {
			key, err := s.signer(m)
			if err != nil {
				return kmsError(err)
			}
			sig, err = key.Sign(s.rand, string(in.SigningAlgorithm), messageType(in.MessageType), in.Message)
			if err != nil {
				return signError(err, in.SigningAlgorithm, in.MessageType)
			}
		}
		out = &SignOutput{KeyId: t.keyArn(k.KeyID), Signature: sig, SigningAlgorithm: in.SigningAlgorithm}
		return nil
	})
	return out, err
}

// Verify checks a signature. A signature that does not verify raises
// KMSInvalidSignatureException; Verify never answers "false".
func (s *Service) Verify(ctx context.Context, in *VerifyInput) (*VerifyOutput, error) {
	var out *VerifyOutput
	err := s.view(ctx, func(t *txn) error {
		k, m, err := t.signingKey("Verify", in.KeyId, in.SigningAlgorithm)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		if err := crypto.Verify(m.Public, string(in.SigningAlgorithm), messageType(in.MessageType), in.Message, in.Signature); err != nil {
			return signError(err, in.SigningAlgorithm, in.MessageType)
		}
		out = &VerifyOutput{KeyId: t.keyArn(k.KeyID), SignatureValid: ptr(true), SigningAlgorithm: in.SigningAlgorithm}
		return nil
	})
	return out, err
}

// GetPublicKey returns the DER SubjectPublicKeyInfo of an asymmetric key
// with what it may be used for.
func (s *Service) GetPublicKey(ctx context.Context, in *GetPublicKeyInput) (*GetPublicKeyOutput, error) {
	var out *GetPublicKeyOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("GetPublicKey", k); err != nil {
			return err
		}
		if !isAsymmetric(k.Spec) {
			return newErr(UnsupportedOperationException, "%s is a %s key, which has no public key; GetPublicKey needs an asymmetric KMS key.", t.keyArn(k.KeyID), k.Spec)
		}
		m, err := t.currentMaterial(k)
		if err != nil {
			return err
		}
		meta := t.metadata(k)
		out = &GetPublicKeyOutput{KeyId: meta.Arn, PublicKey: m.Public, CustomerMasterKeySpec: meta.CustomerMasterKeySpec,
			KeySpec: k.Spec, KeyUsage: k.Usage, EncryptionAlgorithms: meta.EncryptionAlgorithms,
			SigningAlgorithms: meta.SigningAlgorithms, KeyAgreementAlgorithms: meta.KeyAgreementAlgorithms}
		return nil
	})
	return out, err
}
