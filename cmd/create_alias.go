package cmd

import "github.com/spf13/cobra"

// newCmdCreateAlias is `pkms create-alias`, AWS KMS CreateAlias.
func newCmdCreateAlias(g *globals) *cobra.Command {
	return opCommand(g, "CreateAlias", opDoc{
		Short:   operationShort["CreateAlias"],
		Example: `  pkms create-alias --alias-name alias/app --target-key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	})
}
