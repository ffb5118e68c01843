package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("TagResource", newCmdTagResource) }

// newCmdTagResource is `pkms tag-resource`, AWS KMS TagResource.
func newCmdTagResource(g *globals) *cobra.Command {
	return opCommand(g, "TagResource", opDoc{
		Short: operationShort["TagResource"],
		Example: `  # add tags (a tag with an existing key is overwritten)
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms tag-resource --key-id "$K" --tags TagKey=Purpose,TagValue=Test TagKey=Team,TagValue=Infra
  pkms list-resource-tags --key-id "$K" --query 'Tags[].[TagKey,TagValue]' --output text`,
	})
}
