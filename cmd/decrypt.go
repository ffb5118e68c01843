package cmd

import "github.com/spf13/cobra"

// newCmdDecrypt is `pkms decrypt`, AWS KMS Decrypt.
func newCmdDecrypt(g *globals) *cobra.Command {
	return opCommand(g, "Decrypt", opDoc{
		Short: operationShort["Decrypt"],
		Example: `  pkms decrypt --ciphertext-blob fileb://secret.enc --encryption-context purpose=demo \
      --query Plaintext --output text | base64 -d`,
	})
}
