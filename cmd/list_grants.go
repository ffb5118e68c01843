package cmd

import "github.com/spf13/cobra"

// newCmdListGrants is `pkms list-grants`, AWS KMS ListGrants.
func newCmdListGrants(g *globals) *cobra.Command {
	return opCommand(g, "ListGrants", opDoc{
		Short:   operationShort["ListGrants"],
		Example: `  pkms list-grants --generate-cli-skeleton   # the request template; see pkms list-grants --help`,
	})
}
