package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("GetKeyRotationStatus", newCmdGetKeyRotationStatus) }

// newCmdGetKeyRotationStatus is `pkms get-key-rotation-status`, AWS KMS GetKeyRotationStatus.
func newCmdGetKeyRotationStatus(g *globals) *cobra.Command {
	return opCommand(g, "GetKeyRotationStatus", opDoc{
		Short: operationShort["GetKeyRotationStatus"],
		Example: `  # whether a key rotates automatically, how often, and when next
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms enable-key-rotation --key-id "$K"
  pkms get-key-rotation-status --key-id "$K"`,
	})
}
