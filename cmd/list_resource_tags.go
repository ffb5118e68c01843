package cmd

import "github.com/spf13/cobra"

// newCmdListResourceTags is `pkms list-resource-tags`, AWS KMS ListResourceTags.
func newCmdListResourceTags(g *globals) *cobra.Command {
	return opCommand(g, "ListResourceTags", opDoc{
		Short:   operationShort["ListResourceTags"],
		Example: `  pkms list-resource-tags --key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	})
}
