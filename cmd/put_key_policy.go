package cmd

import "github.com/spf13/cobra"

// newCmdPutKeyPolicy is `pkms put-key-policy`, AWS KMS PutKeyPolicy.
func newCmdPutKeyPolicy(g *globals) *cobra.Command {
	return opCommand(g, "PutKeyPolicy", opDoc{
		Short:   operationShort["PutKeyPolicy"],
		Example: `  pkms put-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --policy file://policy.json`,
	})
}
