package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ExportKeyMaterial", newCmdExportKeyMaterial) }

// newCmdExportKeyMaterial is `pkms export-key-material`, a pkms command
// (AWS has none): it wraps the material of a key created with
// --pkms-exportable for `aws kms import-key-material`.
func newCmdExportKeyMaterial(g *globals) *cobra.Command {
	c := opCommand(g, "ExportKeyMaterial", opDoc{
		Short: "Export the material of a --pkms-exportable key, wrapped for aws kms import-key-material (pkms only)",
		Example: `  # escrow a signing key into another KMS: make it exportable when it is created,
  # wrap its material for the other side's import (here a key in the same vault
  # stands in for the cloud's; with AWS, run the get-parameters-for-import and
  # import-key-material steps with aws kms), and check both hold the same key pair
  K=$(pkms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --pkms-exportable --query KeyMetadata.KeyId --output text)
  CLOUD=$(pkms create-key --origin EXTERNAL --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
  pkms get-parameters-for-import --key-id "$CLOUD" --wrapping-algorithm RSA_AES_KEY_WRAP_SHA_256 \
      --wrapping-key-spec RSA_3072 --query '[PublicKey,ImportToken]' --output text > params.txt
  cut -f1 params.txt | base64 -d > WrappingPublicKey.bin
  cut -f2 params.txt | base64 -d > ImportToken.bin
  pkms export-key-material --key-id "$K" --wrapping-public-key fileb://WrappingPublicKey.bin \
      --wrapping-algorithm RSA_AES_KEY_WRAP_SHA_256 --outfile EncryptedKeyMaterial.bin
  pkms import-key-material --key-id "$CLOUD" --encrypted-key-material fileb://EncryptedKeyMaterial.bin \
      --import-token fileb://ImportToken.bin --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE
  test "$(pkms get-public-key --key-id "$K" --query PublicKey)" = "$(pkms get-public-key --key-id "$CLOUD" --query PublicKey)"`,
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
