package cmd

import "github.com/spf13/cobra"

// newCmdGenerateDataKey is `pkms generate-data-key`, AWS KMS GenerateDataKey.
func newCmdGenerateDataKey(g *globals) *cobra.Command {
	return opCommand(g, "GenerateDataKey", opDoc{
		Short: operationShort["GenerateDataKey"],
		Example: `  # a 256-bit data key: use Plaintext, store CiphertextBlob next to the data
  pkms generate-data-key --key-id alias/app --key-spec AES_256`,
	})
}
