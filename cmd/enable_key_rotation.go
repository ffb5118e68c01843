package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("EnableKeyRotation", newCmdEnableKeyRotation) }

// newCmdEnableKeyRotation is `pkms enable-key-rotation`, AWS KMS EnableKeyRotation.
func newCmdEnableKeyRotation(g *globals) *cobra.Command {
	return opCommand(g, "EnableKeyRotation", opDoc{
		Short: operationShort["EnableKeyRotation"],
		Example: `  # rotate a symmetric key's material automatically every 180 days (90 to 2560;
  # default 365); old ciphertexts still decrypt
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms enable-key-rotation --key-id "$K" --rotation-period-in-days 180
  pkms get-key-rotation-status --key-id "$K" --query '[KeyRotationEnabled,RotationPeriodInDays]' --output text`,
	})
}
