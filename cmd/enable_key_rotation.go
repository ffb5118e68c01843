package cmd

import "github.com/spf13/cobra"

// newCmdEnableKeyRotation is `pkms enable-key-rotation`, AWS KMS EnableKeyRotation.
func newCmdEnableKeyRotation(g *globals) *cobra.Command {
	return opCommand(g, "EnableKeyRotation", opDoc{
		Short:   operationShort["EnableKeyRotation"],
		Example: `  pkms enable-key-rotation --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --rotation-period-in-days 180`,
	})
}
