package cmd

import "github.com/spf13/cobra"

// newCmdDeleteAlias is `pkms delete-alias`, AWS KMS DeleteAlias.
func newCmdDeleteAlias(g *globals) *cobra.Command {
	return opCommand(g, "DeleteAlias", opDoc{
		Short:   operationShort["DeleteAlias"],
		Example: `  pkms delete-alias --alias-name alias/app`,
	})
}
