package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("CreateAlias", newCmdCreateAlias) }

// newCmdCreateAlias is `pkms create-alias`, AWS KMS CreateAlias.
func newCmdCreateAlias(g *globals) *cobra.Command {
	return opCommand(g, "CreateAlias", opDoc{
		Short: operationShort["CreateAlias"],
		Example: `  # a friendly name for a new key, usable wherever a key id goes
  K=$(pkms create-key --description "app data key" --query KeyMetadata.KeyId --output text)
  pkms create-alias --alias-name alias/app --target-key-id "$K"
  pkms describe-key --key-id alias/app --query KeyMetadata.Description --output text`,
	})
}
