package cmd

import "github.com/spf13/cobra"

// newCmdVerify is `pkms verify`, AWS KMS Verify.
func newCmdVerify(g *globals) *cobra.Command {
	return opCommand(g, "Verify", opDoc{
		Short:   operationShort["Verify"],
		Example: `  pkms verify --generate-cli-skeleton   # the request template; see pkms verify --help`,
	})
}
