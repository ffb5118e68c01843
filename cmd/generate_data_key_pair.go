package cmd

import "github.com/spf13/cobra"

// newCmdGenerateDataKeyPair is `pkms generate-data-key-pair`, AWS KMS GenerateDataKeyPair.
func newCmdGenerateDataKeyPair(g *globals) *cobra.Command {
	return opCommand(g, "GenerateDataKeyPair", opDoc{
		Short:   operationShort["GenerateDataKeyPair"],
		Example: `  pkms generate-data-key-pair --generate-cli-skeleton   # the request template; see pkms generate-data-key-pair --help`,
	})
}
