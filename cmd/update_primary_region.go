package cmd

import "github.com/spf13/cobra"

// newCmdUpdatePrimaryRegion is `pkms update-primary-region`, AWS KMS UpdatePrimaryRegion.
func newCmdUpdatePrimaryRegion(g *globals) *cobra.Command {
	return opCommand(g, "UpdatePrimaryRegion", opDoc{
		Short:   operationShort["UpdatePrimaryRegion"],
		Example: `  pkms update-primary-region --generate-cli-skeleton   # the request template; see pkms update-primary-region --help`,
	})
}
