package cmd

import "github.com/spf13/cobra"

// newCmdExportKeyMaterial is `pkms export-key-material`, a pkms command
// (AWS has none): it wraps the material of a key created with
// --pkms-exportable for `aws kms import-key-material`.
func newCmdExportKeyMaterial(g *globals) *cobra.Command {
	c := opCommand(g, "ExportKeyMaterial", opDoc{
		Short: "Export the material of a --pkms-exportable key, wrapped for aws kms import-key-material (pkms only)",
		Example: `  # on the air-gapped machine: a key whose material may leave the vault, made once
  pkms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --pkms-exportable

  # with WrappingPublicKey.bin from the cloud's get-parameters-for-import
  pkms export-key-material --key-id alias/release --wrapping-public-key fileb://WrappingPublicKey.bin \
      --wrapping-algorithm RSA_AES_KEY_WRAP_SHA_256 --outfile EncryptedKeyMaterial.bin
  aws kms import-key-material --key-id <cloud key> --encrypted-key-material fileb://EncryptedKeyMaterial.bin \
      --import-token fileb://ImportToken.bin --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE`,
		Outfile: "EncryptedKeyMaterial",
		Members: map[string]string{
			"KeyId":             "The key created with --pkms-exportable whose material is exported: key id, key ARN, alias name or alias ARN.",
			"WrappingPublicKey": "The wrapping public key from the destination's get-parameters-for-import (DER SubjectPublicKeyInfo), usually fileb://WrappingPublicKey.bin.",
			"WrappingAlgorithm": "The wrapping algorithm given to the destination's get-parameters-for-import; the output is what import-key-material expects for it.",
		},
	})
	c.GroupID = "pkms"
	return c
}
