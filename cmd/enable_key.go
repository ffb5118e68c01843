package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("EnableKey", newCmdEnableKey) }

// newCmdEnableKey is `pkms enable-key`, AWS KMS EnableKey.
func newCmdEnableKey(g *globals) *cobra.Command {
	return opCommand(g, "EnableKey", opDoc{
		Short: operationShort["EnableKey"],
		Example: `  # a disabled key enabled again: it encrypts once more
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms disable-key --key-id "$K"
  pkms enable-key --key-id "$K"
  pkms encrypt --key-id "$K" --plaintext fileb://<(echo hello) --query KeyId --output text`,
	})
}
