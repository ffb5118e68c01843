package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ListKeyRotations", newCmdListKeyRotations) }

// newCmdListKeyRotations is `pkms list-key-rotations`, AWS KMS ListKeyRotations.
func newCmdListKeyRotations(g *globals) *cobra.Command {
	return opCommand(g, "ListKeyRotations", opDoc{
		Short: operationShort["ListKeyRotations"],
		Example: `  # the completed rotations of a key, newest material included
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms rotate-key-on-demand --key-id "$K"
  pkms list-key-rotations --key-id "$K" --output table`,
	})
}
