package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("GetKeyLastUsage", newCmdGetKeyLastUsage) }

// newCmdGetKeyLastUsage is `pkms get-key-last-usage`, AWS KMS GetKeyLastUsage.
func newCmdGetKeyLastUsage(g *globals) *cobra.Command {
	return opCommand(g, "GetKeyLastUsage", opDoc{
		Short:   operationShort["GetKeyLastUsage"],
		Differs: "Usage is written in batches (at the end of a command, every second in an agent or pkms serve) and merged with what is not yet written when read.",
		Example: `  # when and by which operation a key was last used
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms encrypt --key-id "$K" --plaintext fileb://<(echo hello) --query KeyId --output text
  pkms get-key-last-usage --key-id "$K" --query KeyLastUsage.Operation --output text`,
	})
}
