package kms

import (
	"context"
	"errors"

	"github.com/pocketkms/pkms/crypto"
)

func init() {
	implement("DeriveSharedSecret", (*Service).DeriveSharedSecret, readOnly, keyStates(rowCrypto))
}

// DeriveSharedSecret runs ECDH between a KEY_AGREEMENT key and a peer's
// public key on the same curve and returns the raw shared secret, as AWS
// does (the caller applies a KDF).
func (s *Service) DeriveSharedSecret(ctx context.Context, in *DeriveSharedSecretInput) (*DeriveSharedSecretOutput, error) {
	if err := rejectRecipient(in.Recipient); err != nil {
		return nil, err
	}
	var out *DeriveSharedSecretOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.cryptoKey("DeriveSharedSecret", in.KeyId, KeyUsageKeyAgreement)
		if err != nil {
			return err
		}
		if in.KeyAgreementAlgorithm != KeyAgreementAlgorithmEcdh {
			return newErr(InvalidKeyUsageException, "%s does not support key agreement algorithm %s; it supports ECDH.", t.keyArn(k.KeyID), in.KeyAgreementAlgorithm)
		}
		m, err := t.currentMaterial(k)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		secret, err := crypto.DeriveSharedSecret(m.Secret, in.PublicKey)
		if errors.Is(err, crypto.ErrInvalidKey) {
			// A peer key that does not parse, or is on another curve: AWS
			// answers ValidationException with no message.
			return &Error{Code: ValidationException}
		}
		if err != nil {
			return kmsError(err)
		}
		out = &DeriveSharedSecretOutput{KeyId: t.keyArn(k.KeyID), SharedSecret: secret,
			KeyAgreementAlgorithm: KeyAgreementAlgorithmEcdh, KeyOrigin: k.Origin}
		return nil
	})
	return out, err
}
