package cmd

import "github.com/spf13/cobra"

// newCmdDescribeKey is `pkms describe-key`, AWS KMS DescribeKey.
func newCmdDescribeKey(g *globals) *cobra.Command {
	return opCommand(g, "DescribeKey", opDoc{
		Short: operationShort["DescribeKey"],
		Example: `  pkms describe-key --key-id alias/app
  pkms describe-key --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --query KeyMetadata.KeyState --output text`,
	})
}
