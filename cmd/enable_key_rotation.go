package cmd

import "github.com/spf13/cobra"

// newCmdEnableKeyRotation is `pkms enable-key-rotation`, AWS KMS EnableKeyRotation.
func newCmdEnableKeyRotation(g *globals) *cobra.Command {
	return opCommand(g, "EnableKeyRotation", opDoc{
		Short:   operationShort["EnableKeyRotation"],
		Example: `  pkms enable-key-rotation --generate-cli-skeleton   # the request template; see pkms enable-key-rotation --help`,
	})
}
