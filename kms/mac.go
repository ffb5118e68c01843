package kms

import (
	"context"

	"github.com/pocketkms/pkms/crypto"
)

func init() {
	implement("GenerateMac", (*Service).GenerateMac, readOnly, keyStates(rowCrypto))
	implement("VerifyMac", (*Service).VerifyMac, readOnly, keyStates(rowCrypto))
}

// macKey resolves a GENERATE_VERIFY_MAC key and checks that alg is its
// one MAC algorithm.
func (t *txn) macKey(op, ref string, alg MacAlgorithm) (*keyRecord, *material, error) {
	k, err := t.cryptoKey(op, ref, KeyUsageGenerateVerifyMac)
	if err != nil {
		return nil, nil, err
	}
	if want := macAlgorithm(k.Spec); alg != want {
		return nil, nil, newErr(InvalidKeyUsageException, "Algorithm %s is incompatible with key spec %s.", alg, k.Spec)
	}
	m, err := t.currentMaterial(k)
	if err != nil {
		return nil, nil, err
	}
	return k, m, nil
}

// GenerateMac computes an HMAC of a message with an HMAC key.
func (s *Service) GenerateMac(ctx context.Context, in *GenerateMacInput) (*GenerateMacOutput, error) {
	var out *GenerateMacOutput
	err := s.view(ctx, func(t *txn) error {
		k, m, err := t.macKey("GenerateMac", in.KeyId, in.MacAlgorithm)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		mac, err := crypto.MAC(m.Secret, string(in.MacAlgorithm), in.Message)
		if err != nil {
			return kmsError(err)
		}
		out = &GenerateMacOutput{Mac: mac, MacAlgorithm: in.MacAlgorithm, KeyId: t.keyArn(k.KeyID)}
		return nil
	})
	return out, err
}

// VerifyMac checks an HMAC in constant time; a mismatch raises
// KMSInvalidMacException.
func (s *Service) VerifyMac(ctx context.Context, in *VerifyMacInput) (*VerifyMacOutput, error) {
	var out *VerifyMacOutput
	err := s.view(ctx, func(t *txn) error {
		k, m, err := t.macKey("VerifyMac", in.KeyId, in.MacAlgorithm)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		if err := crypto.VerifyMAC(m.Secret, string(in.MacAlgorithm), in.Message, in.Mac); err != nil {
			return kmsError(err)
		}
		out = &VerifyMacOutput{KeyId: t.keyArn(k.KeyID), MacValid: ptr(true), MacAlgorithm: in.MacAlgorithm}
		return nil
	})
	return out, err
}
