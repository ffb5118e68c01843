package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("UpdateAlias", newCmdUpdateAlias) }

// newCmdUpdateAlias is `pkms update-alias`, AWS KMS UpdateAlias.
func newCmdUpdateAlias(g *globals) *cobra.Command {
	return opCommand(g, "UpdateAlias", opDoc{
		Short: operationShort["UpdateAlias"],
		Example: `  # point an alias at a new key; scripts that use the alias follow
  OLD=$(pkms create-key --query KeyMetadata.KeyId --output text)
  NEW=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms create-alias --alias-name alias/app --target-key-id "$OLD"
  pkms update-alias --alias-name alias/app --target-key-id "$NEW"
  test "$(pkms describe-key --key-id alias/app --query KeyMetadata.KeyId --output text)" = "$NEW"`,
	})
}
