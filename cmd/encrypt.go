package cmd

import "github.com/spf13/cobra"

// newCmdEncrypt is `pkms encrypt`, AWS KMS Encrypt.
func newCmdEncrypt(g *globals) *cobra.Command {
	return opCommand(g, "Encrypt", opDoc{
		Short: operationShort["Encrypt"],
		Example: `  # encrypt a file and keep the raw ciphertext
  pkms encrypt --key-id alias/app --plaintext fileb://secret.txt --encryption-context purpose=demo \
      --query CiphertextBlob --output text | base64 -d > secret.enc`,
	})
}
