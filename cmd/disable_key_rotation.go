package cmd

import "github.com/spf13/cobra"

// newCmdDisableKeyRotation is `pkms disable-key-rotation`, AWS KMS DisableKeyRotation.
func newCmdDisableKeyRotation(g *globals) *cobra.Command {
	return opCommand(g, "DisableKeyRotation", opDoc{
		Short:   operationShort["DisableKeyRotation"],
		Example: `  pkms disable-key-rotation --key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	})
}
