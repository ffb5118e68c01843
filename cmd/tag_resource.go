package cmd

import "github.com/spf13/cobra"

// newCmdTagResource is `pkms tag-resource`, AWS KMS TagResource.
func newCmdTagResource(g *globals) *cobra.Command {
	return opCommand(g, "TagResource", opDoc{
		Short:   operationShort["TagResource"],
		Example: `  pkms tag-resource --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --tags TagKey=Purpose,TagValue=Test TagKey=Team,TagValue=Infra`,
	})
}
