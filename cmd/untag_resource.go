package cmd

import "github.com/spf13/cobra"

// newCmdUntagResource is `pkms untag-resource`, AWS KMS UntagResource.
func newCmdUntagResource(g *globals) *cobra.Command {
	return opCommand(g, "UntagResource", opDoc{
		Short:   operationShort["UntagResource"],
		Example: `  pkms untag-resource --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --tag-keys Purpose Team`,
	})
}
