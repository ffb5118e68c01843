package cmd

import "github.com/spf13/cobra"

// newCmdReplicateKey is `pkms replicate-key`, AWS KMS ReplicateKey.
func newCmdReplicateKey(g *globals) *cobra.Command {
	return opCommand(g, "ReplicateKey", opDoc{
		Short:   operationShort["ReplicateKey"],
		Example: `  pkms replicate-key --generate-cli-skeleton   # the request template; see pkms replicate-key --help`,
	})
}
