package cmd

import "github.com/spf13/cobra"

// newCmdUpdateAlias is `pkms update-alias`, AWS KMS UpdateAlias.
func newCmdUpdateAlias(g *globals) *cobra.Command {
	return opCommand(g, "UpdateAlias", opDoc{
		Short:   operationShort["UpdateAlias"],
		Example: `  pkms update-alias --alias-name alias/app --target-key-id 0987dcba-09fe-87dc-65ba-ab0987654321`,
	})
}
