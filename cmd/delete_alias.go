package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("DeleteAlias", newCmdDeleteAlias) }

// newCmdDeleteAlias is `pkms delete-alias`, AWS KMS DeleteAlias.
func newCmdDeleteAlias(g *globals) *cobra.Command {
	return opCommand(g, "DeleteAlias", opDoc{
		Short: operationShort["DeleteAlias"],
		Example: `  # remove a name; the key it pointed at is unaffected
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms create-alias --alias-name alias/old-name --target-key-id "$K"
  pkms delete-alias --alias-name alias/old-name
  pkms list-aliases --key-id "$K" --query 'length(Aliases)'`,
	})
}
