package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("CancelKeyDeletion", newCmdCancelKeyDeletion) }

// newCmdCancelKeyDeletion is `pkms cancel-key-deletion`, AWS KMS CancelKeyDeletion.
func newCmdCancelKeyDeletion(g *globals) *cobra.Command {
	return opCommand(g, "CancelKeyDeletion", opDoc{
		Short: operationShort["CancelKeyDeletion"],
		Example: `  # schedule a key's deletion, then change your mind: the key comes back Disabled,
  # so enable it to use it again
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms schedule-key-deletion --key-id "$K" --pending-window-in-days 7
  pkms cancel-key-deletion --key-id "$K"
  pkms enable-key --key-id "$K"
  pkms describe-key --key-id "$K" --query KeyMetadata.KeyState --output text`,
	})
}
