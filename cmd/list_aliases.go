package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ListAliases", newCmdListAliases) }

// newCmdListAliases is `pkms list-aliases`, AWS KMS ListAliases.
func newCmdListAliases(g *globals) *cobra.Command {
	return opCommand(g, "ListAliases", opDoc{
		Short: operationShort["ListAliases"],
		Example: `  # every alias as a table, and the aliases of one key
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms create-alias --alias-name alias/app --target-key-id "$K"
  pkms create-alias --alias-name alias/app-previous --target-key-id "$K"
  pkms list-aliases --output table
  pkms list-aliases --key-id "$K" --query 'Aliases[].AliasName' --output text`,
	})
}
