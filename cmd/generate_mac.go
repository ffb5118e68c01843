package cmd

import "github.com/spf13/cobra"

// newCmdGenerateMac is `pkms generate-mac`, AWS KMS GenerateMac.
func newCmdGenerateMac(g *globals) *cobra.Command {
	return opCommand(g, "GenerateMac", opDoc{
		Short:   operationShort["GenerateMac"],
		Example: `  pkms generate-mac --generate-cli-skeleton   # the request template; see pkms generate-mac --help`,
	})
}
