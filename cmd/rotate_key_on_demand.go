package cmd

import "github.com/spf13/cobra"

// newCmdRotateKeyOnDemand is `pkms rotate-key-on-demand`, AWS KMS RotateKeyOnDemand.
func newCmdRotateKeyOnDemand(g *globals) *cobra.Command {
	return opCommand(g, "RotateKeyOnDemand", opDoc{
		Short:   operationShort["RotateKeyOnDemand"],
		Example: `  pkms rotate-key-on-demand --generate-cli-skeleton   # the request template; see pkms rotate-key-on-demand --help`,
	})
}
