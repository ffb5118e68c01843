package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("UntagResource", newCmdUntagResource) }

// newCmdUntagResource is `pkms untag-resource`, AWS KMS UntagResource.
func newCmdUntagResource(g *globals) *cobra.Command {
	return opCommand(g, "UntagResource", opDoc{
		Short: operationShort["UntagResource"],
		Example: `  # remove tags by their keys
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms tag-resource --key-id "$K" --tags TagKey=Purpose,TagValue=Test TagKey=Team,TagValue=Infra
  pkms untag-resource --key-id "$K" --tag-keys Purpose Team
  pkms list-resource-tags --key-id "$K" --query 'length(Tags)'`,
	})
}
