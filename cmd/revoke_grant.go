package cmd

import "github.com/spf13/cobra"

// newCmdRevokeGrant is `pkms revoke-grant`, AWS KMS RevokeGrant.
func newCmdRevokeGrant(g *globals) *cobra.Command {
	return opCommand(g, "RevokeGrant", opDoc{
		Short:   operationShort["RevokeGrant"],
		Example: `  pkms revoke-grant --generate-cli-skeleton   # the request template; see pkms revoke-grant --help`,
	})
}
