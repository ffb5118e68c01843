package cmd

import "github.com/spf13/cobra"

// newCmdDescribeCustomKeyStores is `pkms describe-custom-key-stores`, AWS KMS DescribeCustomKeyStores.
func newCmdDescribeCustomKeyStores(g *globals) *cobra.Command {
	return opCommand(g, "DescribeCustomKeyStores", opDoc{
		Short:   operationShort["DescribeCustomKeyStores"],
		Example: `  pkms describe-custom-key-stores --generate-cli-skeleton   # the request template; see pkms describe-custom-key-stores --help`,
	})
}
