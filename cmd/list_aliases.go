package cmd

import "github.com/spf13/cobra"

// newCmdListAliases is `pkms list-aliases`, AWS KMS ListAliases.
func newCmdListAliases(g *globals) *cobra.Command {
	return opCommand(g, "ListAliases", opDoc{
		Short: operationShort["ListAliases"],
		Example: `  pkms list-aliases --output table
  pkms list-aliases --key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	})
}
