package cmd

import "github.com/spf13/cobra"

// newCmdListGrants is `pkms list-grants`, AWS KMS ListGrants.
func newCmdListGrants(g *globals) *cobra.Command {
	return opCommand(g, "ListGrants", opDoc{
		Short: operationShort["ListGrants"],
		Example: `  # pkms records grants and checks grant tokens; it does not enforce grants yet (see README.md, "Grants")
  pkms list-grants --key-id alias/app
  pkms list-grants --key-id alias/app --grantee-principal arn:aws:iam::111122223333:role/app --output table`,
	})
}
