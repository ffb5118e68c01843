package cmd

import "github.com/spf13/cobra"

// newCmdRetireGrant is `pkms retire-grant`, AWS KMS RetireGrant.
func newCmdRetireGrant(g *globals) *cobra.Command {
	return opCommand(g, "RetireGrant", opDoc{
		Short: operationShort["RetireGrant"],
		Example: `  # pkms records grants and checks grant tokens; it does not enforce grants yet (see README.md, "Grants")
  pkms retire-grant --grant-token "$TOKEN"
  pkms retire-grant --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --grant-id <GrantId>`,
	})
}
