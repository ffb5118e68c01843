package cmd

import "github.com/spf13/cobra"

// newCmdListKeys is `pkms list-keys`, AWS KMS ListKeys.
func newCmdListKeys(g *globals) *cobra.Command {
	return opCommand(g, "ListKeys", opDoc{
		Short: operationShort["ListKeys"],
		Example: `  pkms list-keys
  pkms list-keys --max-items 10 --output table
  pkms list-keys --max-items 10 --starting-token <NextToken from the previous call>`,
	})
}
