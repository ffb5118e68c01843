package cmd

import "github.com/spf13/cobra"

// newCmdListRetirableGrants is `pkms list-retirable-grants`, AWS KMS ListRetirableGrants.
func newCmdListRetirableGrants(g *globals) *cobra.Command {
	return opCommand(g, "ListRetirableGrants", opDoc{
		Short:   operationShort["ListRetirableGrants"],
		Example: `  pkms list-retirable-grants --generate-cli-skeleton   # the request template; see pkms list-retirable-grants --help`,
	})
}
