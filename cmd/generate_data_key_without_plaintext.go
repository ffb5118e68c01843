package cmd

import "github.com/spf13/cobra"

// newCmdGenerateDataKeyWithoutPlaintext is `pkms generate-data-key-without-plaintext`, AWS KMS GenerateDataKeyWithoutPlaintext.
func newCmdGenerateDataKeyWithoutPlaintext(g *globals) *cobra.Command {
	return opCommand(g, "GenerateDataKeyWithoutPlaintext", opDoc{
		Short:   operationShort["GenerateDataKeyWithoutPlaintext"],
		Example: `  pkms generate-data-key-without-plaintext --key-id alias/app --number-of-bytes 64`,
	})
}
