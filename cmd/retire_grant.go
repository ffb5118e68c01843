package cmd

import "github.com/spf13/cobra"

// newCmdRetireGrant is `pkms retire-grant`, AWS KMS RetireGrant.
func newCmdRetireGrant(g *globals) *cobra.Command {
	return opCommand(g, "RetireGrant", opDoc{
		Short:   operationShort["RetireGrant"],
		Example: `  pkms retire-grant --generate-cli-skeleton   # the request template; see pkms retire-grant --help`,
	})
}
