package cmd

import "github.com/spf13/cobra"

// newCmdDisableKey is `pkms disable-key`, AWS KMS DisableKey.
func newCmdDisableKey(g *globals) *cobra.Command {
	return opCommand(g, "DisableKey", opDoc{
		Short:   operationShort["DisableKey"],
		Example: `  pkms disable-key --key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	})
}
