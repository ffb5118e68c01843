package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("DisableKey", newCmdDisableKey) }

// newCmdDisableKey is `pkms disable-key`, AWS KMS DisableKey.
func newCmdDisableKey(g *globals) *cobra.Command {
	return opCommand(g, "DisableKey", opDoc{
		Short: operationShort["DisableKey"],
		Example: `  # stop all cryptographic use of a key, reversibly (pkms enable-key)
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms disable-key --key-id "$K"
  test "$(pkms describe-key --key-id "$K" --query KeyMetadata.KeyState --output text)" = Disabled`,
	})
}
