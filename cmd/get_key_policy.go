package cmd

import "github.com/spf13/cobra"

// newCmdGetKeyPolicy is `pkms get-key-policy`, AWS KMS GetKeyPolicy.
func newCmdGetKeyPolicy(g *globals) *cobra.Command {
	return opCommand(g, "GetKeyPolicy", opDoc{
		Short:   operationShort["GetKeyPolicy"],
		Example: `  pkms get-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --query Policy --output text`,
	})
}
