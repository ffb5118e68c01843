package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("DisableKeyRotation", newCmdDisableKeyRotation) }

// newCmdDisableKeyRotation is `pkms disable-key-rotation`, AWS KMS DisableKeyRotation.
func newCmdDisableKeyRotation(g *globals) *cobra.Command {
	return opCommand(g, "DisableKeyRotation", opDoc{
		Short: operationShort["DisableKeyRotation"],
		Example: `  # stop automatic rotation; the key keeps every material it has
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms enable-key-rotation --key-id "$K"
  pkms disable-key-rotation --key-id "$K"
  pkms get-key-rotation-status --key-id "$K" --query KeyRotationEnabled`,
	})
}
