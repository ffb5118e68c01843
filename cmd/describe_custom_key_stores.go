package cmd

import "github.com/spf13/cobra"

// newCmdDescribeCustomKeyStores is `pkms describe-custom-key-stores`, AWS KMS DescribeCustomKeyStores.
func newCmdDescribeCustomKeyStores(g *globals) *cobra.Command {
	c := opCommand(g, "DescribeCustomKeyStores", opDoc{
		Short:   operationShort["DescribeCustomKeyStores"],
		Differs: keyStoreHelp,
		Example: `  pkms describe-custom-key-stores --output table
  pkms describe-custom-key-stores --custom-key-store-name lab-hsm --query 'CustomKeyStores[0].ConnectionState'`,
	})
	return c
}
