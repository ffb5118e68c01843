package cmd

import "github.com/spf13/cobra"

// newCmdUpdateKeyDescription is `pkms update-key-description`, AWS KMS UpdateKeyDescription.
func newCmdUpdateKeyDescription(g *globals) *cobra.Command {
	return opCommand(g, "UpdateKeyDescription", opDoc{
		Short:   operationShort["UpdateKeyDescription"],
		Example: `  pkms update-key-description --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --description "payments key"`,
	})
}
