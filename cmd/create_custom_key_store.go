package cmd

import "github.com/spf13/cobra"

// newCmdCreateCustomKeyStore is `pkms create-custom-key-store`, AWS KMS CreateCustomKeyStore.
func newCmdCreateCustomKeyStore(g *globals) *cobra.Command {
	return opCommand(g, "CreateCustomKeyStore", opDoc{
		Short:   operationShort["CreateCustomKeyStore"],
		Example: `  pkms create-custom-key-store --generate-cli-skeleton   # the request template; see pkms create-custom-key-store --help`,
	})
}
