package cmd

import "github.com/spf13/cobra"

// newCmdGetKeyRotationStatus is `pkms get-key-rotation-status`, AWS KMS GetKeyRotationStatus.
func newCmdGetKeyRotationStatus(g *globals) *cobra.Command {
	return opCommand(g, "GetKeyRotationStatus", opDoc{
		Short:   operationShort["GetKeyRotationStatus"],
		Example: `  pkms get-key-rotation-status --key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	})
}
