package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("DescribeKey", newCmdDescribeKey) }

// newCmdDescribeKey is `pkms describe-key`, AWS KMS DescribeKey.
func newCmdDescribeKey(g *globals) *cobra.Command {
	return opCommand(g, "DescribeKey", opDoc{
		Short: operationShort["DescribeKey"],
		Example: `  # a key's metadata, by alias; one field of it for a script
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms create-alias --alias-name alias/app --target-key-id "$K"
  pkms describe-key --key-id alias/app
  pkms describe-key --key-id "$K" --query KeyMetadata.KeyState --output text`,
	})
}
