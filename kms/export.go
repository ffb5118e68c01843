package kms

import (
	"context"

	"github.com/pocketkms/pkms/crypto"
)

// Export for BYOK, beyond AWS. An air-gapped machine generates key material
// in pkms, exports it wrapped exactly as `aws kms import-key-material`
// expects (with the wrapping public key and algorithm from the cloud KMS's
// GetParametersForImport), and keeps its own copy as escrow. Only keys
// created with the pkms-only CreateKey member PkmsExportable can be
// exported; that choice can never be made later, so the material of any
// other key never leaves the vault.

func init() {
	implement("ExportKeyMaterial", (*Service).ExportKeyMaterial, writes, keyStates(rowCrypto))
}

// ExportKeyMaterial wraps the key material of an exportable key with a
// cloud KMS's wrapping public key, in the format ImportKeyMaterial takes:
// the 32-byte AES key, the HMAC key, or the PKCS#8 private key.
func (s *Service) ExportKeyMaterial(ctx context.Context, in *ExportKeyMaterialInput) (*ExportKeyMaterialOutput, error) {
	var out *ExportKeyMaterialOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("ExportKeyMaterial", k); err != nil {
			return err
		}
		if !k.Exportable {
			return newErr(UnsupportedOperationException, "%s was not created with --pkms-exportable; its key material never leaves the vault.", t.keyArn(k.KeyID))
		}
		m, err := t.currentMaterial(k)
		if err != nil {
			return err
		}
		if err := checkWrapping(k.Spec, in.WrappingAlgorithm, ""); err != nil {
			return err
		}
		wrapped, err := crypto.WrapKeyMaterial(s.rand, in.WrappingPublicKey, string(in.WrappingAlgorithm), m.Secret)
		if err != nil {
			return kmsError(err)
		}
		out = &ExportKeyMaterialOutput{KeyId: t.keyArn(k.KeyID), EncryptedKeyMaterial: wrapped, WrappingAlgorithm: in.WrappingAlgorithm, KeySpec: k.Spec}
		return nil
	})
	return out, err
}
