package cmd

import "github.com/spf13/cobra"

// newCmdDeleteCustomKeyStore is `pkms delete-custom-key-store`, AWS KMS DeleteCustomKeyStore.
func newCmdDeleteCustomKeyStore(g *globals) *cobra.Command {
	return opCommand(g, "DeleteCustomKeyStore", opDoc{
		Short:   operationShort["DeleteCustomKeyStore"],
		Example: `  pkms delete-custom-key-store --generate-cli-skeleton   # the request template; see pkms delete-custom-key-store --help`,
	})
}
