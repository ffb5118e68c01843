package cmd

import "github.com/spf13/cobra"

// newCmdCreateKey is `pkms create-key`, AWS KMS CreateKey.
func newCmdCreateKey(g *globals) *cobra.Command {
	c := opCommand(g, "CreateKey", opDoc{
		Short: operationShort["CreateKey"],
		Members: map[string]string{
			"PkmsExportable":   "pkms only: the key material may leave the vault, wrapped by pkms export-key-material for aws kms import-key-material (escrow, BYOK into a cloud KMS); set only when the key is created, never later",
			"PkmsTokenSigning": "pkms only: with --origin AWS_CLOUDHSM, make an ECC_NIST_P256/P384 or RSA_2048/3072/4096 SIGN_VERIFY key pair in the store's token (AWS allows only symmetric keys there)",
		},
		Example: `  # a symmetric encryption key with a description and a tag
  pkms create-key --description "app data key" --tags TagKey=team,TagValue=infra

  # just the new key's id, for scripts
  pkms create-key --query KeyMetadata.KeyId --output text

  # a key for your own (imported) key material, left in PendingImport
  pkms create-key --origin EXTERNAL --description "my own key material"

  # an AES-256 key generated in the PKCS#11 token of a connected custom key store
  pkms create-key --origin AWS_CLOUDHSM --custom-key-store-id cks-1234567890abcdef0

  # pkms only: a release signing key pair generated in that token
  pkms create-key --origin AWS_CLOUDHSM --custom-key-store-id cks-1234567890abcdef0 \
       --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --pkms-token-signing`,
	})
	return c
}
