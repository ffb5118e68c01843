package cmd

import "github.com/spf13/cobra"

// newCmdScheduleKeyDeletion is `pkms schedule-key-deletion`, AWS KMS ScheduleKeyDeletion.
func newCmdScheduleKeyDeletion(g *globals) *cobra.Command {
	return opCommand(g, "ScheduleKeyDeletion", opDoc{
		Short:   operationShort["ScheduleKeyDeletion"],
		Example: `  pkms schedule-key-deletion --key-id alias/app --pending-window-in-days 7`,
	})
}
