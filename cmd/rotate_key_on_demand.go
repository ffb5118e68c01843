package cmd

import "github.com/spf13/cobra"

// newCmdRotateKeyOnDemand is `pkms rotate-key-on-demand`, AWS KMS RotateKeyOnDemand.
func newCmdRotateKeyOnDemand(g *globals) *cobra.Command {
	return opCommand(g, "RotateKeyOnDemand", opDoc{
		Short:   operationShort["RotateKeyOnDemand"],
		Example: `  pkms rotate-key-on-demand --key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	})
}
