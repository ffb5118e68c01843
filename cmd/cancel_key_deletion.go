package cmd

import "github.com/spf13/cobra"

// newCmdCancelKeyDeletion is `pkms cancel-key-deletion`, AWS KMS CancelKeyDeletion.
func newCmdCancelKeyDeletion(g *globals) *cobra.Command {
	return opCommand(g, "CancelKeyDeletion", opDoc{
		Short: operationShort["CancelKeyDeletion"],
		Example: `  pkms cancel-key-deletion --key-id 1234abcd-12ab-34cd-56ef-1234567890ab
  pkms enable-key --key-id 1234abcd-12ab-34cd-56ef-1234567890ab   # the key is Disabled after cancelling`,
	})
}
