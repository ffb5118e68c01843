package cmd

import "github.com/spf13/cobra"

// newCmdListRetirableGrants is `pkms list-retirable-grants`, AWS KMS ListRetirableGrants.
func newCmdListRetirableGrants(g *globals) *cobra.Command {
	return opCommand(g, "ListRetirableGrants", opDoc{
		Short: operationShort["ListRetirableGrants"],
		Example: `  # pkms records grants and checks grant tokens; it does not enforce grants yet (see README.md, "Grants")
  pkms list-retirable-grants --retiring-principal arn:aws:iam::111122223333:role/admin`,
	})
}
