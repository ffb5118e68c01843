package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("UpdateKeyDescription", newCmdUpdateKeyDescription) }

// newCmdUpdateKeyDescription is `pkms update-key-description`, AWS KMS UpdateKeyDescription.
func newCmdUpdateKeyDescription(g *globals) *cobra.Command {
	return opCommand(g, "UpdateKeyDescription", opDoc{
		Short: operationShort["UpdateKeyDescription"],
		Example: `  # a new description
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms update-key-description --key-id "$K" --description "payments key"
  pkms describe-key --key-id "$K" --query KeyMetadata.Description --output text`,
	})
}
