package cmd

import "github.com/spf13/cobra"

// newCmdListKeyRotations is `pkms list-key-rotations`, AWS KMS ListKeyRotations.
func newCmdListKeyRotations(g *globals) *cobra.Command {
	return opCommand(g, "ListKeyRotations", opDoc{
		Short:   operationShort["ListKeyRotations"],
		Example: `  pkms list-key-rotations --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --include-key-material ALL_KEY_MATERIAL`,
	})
}
