package cmd

import "github.com/spf13/cobra"

// newCmdCreateGrant is `pkms create-grant`, AWS KMS CreateGrant.
func newCmdCreateGrant(g *globals) *cobra.Command {
	return opCommand(g, "CreateGrant", opDoc{
		Short:   operationShort["CreateGrant"],
		Example: `  pkms create-grant --generate-cli-skeleton   # the request template; see pkms create-grant --help`,
	})
}
