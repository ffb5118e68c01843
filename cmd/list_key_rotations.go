package cmd

import "github.com/spf13/cobra"

// newCmdListKeyRotations is `pkms list-key-rotations`, AWS KMS ListKeyRotations.
func newCmdListKeyRotations(g *globals) *cobra.Command {
	return opCommand(g, "ListKeyRotations", opDoc{
		Short:   operationShort["ListKeyRotations"],
		Example: `  pkms list-key-rotations --generate-cli-skeleton   # the request template; see pkms list-key-rotations --help`,
	})
}
