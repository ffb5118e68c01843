package cmd

import "github.com/spf13/cobra"

// newCmdUpdateCustomKeyStore is `pkms update-custom-key-store`, AWS KMS UpdateCustomKeyStore.
func newCmdUpdateCustomKeyStore(g *globals) *cobra.Command {
	return opCommand(g, "UpdateCustomKeyStore", opDoc{
		Short:   operationShort["UpdateCustomKeyStore"],
		Example: `  pkms update-custom-key-store --generate-cli-skeleton   # the request template; see pkms update-custom-key-store --help`,
	})
}
