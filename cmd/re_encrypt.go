package cmd

import "github.com/spf13/cobra"

// newCmdReEncrypt is `pkms re-encrypt`, AWS KMS ReEncrypt.
func newCmdReEncrypt(g *globals) *cobra.Command {
	return opCommand(g, "ReEncrypt", opDoc{
		Short: operationShort["ReEncrypt"],
		Example: `  pkms re-encrypt --ciphertext-blob fileb://secret.enc --source-encryption-context purpose=demo \
      --destination-key-id alias/new --query CiphertextBlob --output text | base64 -d > secret.enc.new`,
	})
}
