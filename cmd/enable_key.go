package cmd

import "github.com/spf13/cobra"

// newCmdEnableKey is `pkms enable-key`, AWS KMS EnableKey.
func newCmdEnableKey(g *globals) *cobra.Command {
	return opCommand(g, "EnableKey", opDoc{
		Short:   operationShort["EnableKey"],
		Example: `  pkms enable-key --key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	})
}
