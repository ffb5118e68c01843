package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ScheduleKeyDeletion", newCmdScheduleKeyDeletion) }

// newCmdScheduleKeyDeletion is `pkms schedule-key-deletion`, AWS KMS ScheduleKeyDeletion.
func newCmdScheduleKeyDeletion(g *globals) *cobra.Command {
	return opCommand(g, "ScheduleKeyDeletion", opDoc{
		Short: operationShort["ScheduleKeyDeletion"],
		Example: `  # delete a key after the shortest waiting period, 7 days (pkms cancel-key-deletion
  # until then); deleted, its ciphertexts cannot be decrypted any more
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms schedule-key-deletion --key-id "$K" --pending-window-in-days 7
  pkms describe-key --key-id "$K" --query KeyMetadata.[KeyState,DeletionDate] --output text`,
	})
}
