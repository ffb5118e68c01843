package cmd

import "github.com/spf13/cobra"

// newCmdSign is `pkms sign`, AWS KMS Sign.
func newCmdSign(g *globals) *cobra.Command {
	return opCommand(g, "Sign", opDoc{
		Short:   operationShort["Sign"],
		Example: `  pkms sign --generate-cli-skeleton   # the request template; see pkms sign --help`,
	})
}
