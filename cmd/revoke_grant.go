package cmd

import "github.com/spf13/cobra"

// newCmdRevokeGrant is `pkms revoke-grant`, AWS KMS RevokeGrant.
func newCmdRevokeGrant(g *globals) *cobra.Command {
	return opCommand(g, "RevokeGrant", opDoc{
		Short: operationShort["RevokeGrant"],
		Example: `  # pkms records grants and checks grant tokens; it does not enforce grants yet (see README.md, "Grants")
  pkms revoke-grant --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --grant-id <GrantId>`,
	})
}
