package cmd

import "github.com/spf13/cobra"

// newCmdDisableKeyRotation is `pkms disable-key-rotation`, AWS KMS DisableKeyRotation.
func newCmdDisableKeyRotation(g *globals) *cobra.Command {
	return opCommand(g, "DisableKeyRotation", opDoc{
		Short:   operationShort["DisableKeyRotation"],
		Example: `  pkms disable-key-rotation --generate-cli-skeleton   # the request template; see pkms disable-key-rotation --help`,
	})
}
