package cmd

import "github.com/spf13/cobra"

// newCmdUpdatePrimaryRegion is `pkms update-primary-region`, AWS KMS UpdatePrimaryRegion.
func newCmdUpdatePrimaryRegion(g *globals) *cobra.Command {
	return opCommand(g, "UpdatePrimaryRegion", opDoc{
		Short:   operationShort["UpdatePrimaryRegion"],
		Example: `  pkms update-primary-region --key-id mrk-1234abcd12ab34cd56ef1234567890ab --primary-region eu-west-1`,
	})
}
