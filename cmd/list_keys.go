package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ListKeys", newCmdListKeys) }

// newCmdListKeys is `pkms list-keys`, AWS KMS ListKeys.
func newCmdListKeys(g *globals) *cobra.Command {
	return opCommand(g, "ListKeys", opDoc{
		Short: operationShort["ListKeys"],
		Example: `  # all keys; then one page at a time, following NextToken
  pkms create-key --query KeyMetadata.KeyId --output text
  pkms create-key --query KeyMetadata.KeyId --output text
  pkms list-keys --output table
  TOKEN=$(pkms list-keys --max-items 1 --output text | awk '$1 == "NEXTTOKEN" {print $2}')
  pkms list-keys --max-items 1 --starting-token "$TOKEN"`,
	})
}
