package cmd

import "github.com/spf13/cobra"

// newCmdGenerateDataKeyPairWithoutPlaintext is `pkms generate-data-key-pair-without-plaintext`, AWS KMS GenerateDataKeyPairWithoutPlaintext.
func newCmdGenerateDataKeyPairWithoutPlaintext(g *globals) *cobra.Command {
	return opCommand(g, "GenerateDataKeyPairWithoutPlaintext", opDoc{
		Short:   operationShort["GenerateDataKeyPairWithoutPlaintext"],
		Example: `  pkms generate-data-key-pair-without-plaintext --generate-cli-skeleton   # the request template; see pkms generate-data-key-pair-without-plaintext --help`,
	})
}
