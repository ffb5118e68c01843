package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ListResourceTags", newCmdListResourceTags) }

// newCmdListResourceTags is `pkms list-resource-tags`, AWS KMS ListResourceTags.
func newCmdListResourceTags(g *globals) *cobra.Command {
	return opCommand(g, "ListResourceTags", opDoc{
		Short: operationShort["ListResourceTags"],
		Example: `  # the tags of a key
  K=$(pkms create-key --tags TagKey=team,TagValue=infra TagKey=cost-center,TagValue=42 --query KeyMetadata.KeyId --output text)
  pkms list-resource-tags --key-id "$K" --output table`,
	})
}
