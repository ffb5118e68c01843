package cmd

import "github.com/spf13/cobra"

// newCmdGetKeyRotationStatus is `pkms get-key-rotation-status`, AWS KMS GetKeyRotationStatus.
func newCmdGetKeyRotationStatus(g *globals) *cobra.Command {
	return opCommand(g, "GetKeyRotationStatus", opDoc{
		Short:   operationShort["GetKeyRotationStatus"],
		Example: `  pkms get-key-rotation-status --generate-cli-skeleton   # the request template; see pkms get-key-rotation-status --help`,
	})
}
