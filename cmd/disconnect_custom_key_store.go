package cmd

import "github.com/spf13/cobra"

// newCmdDisconnectCustomKeyStore is `pkms disconnect-custom-key-store`, AWS KMS DisconnectCustomKeyStore.
func newCmdDisconnectCustomKeyStore(g *globals) *cobra.Command {
	return opCommand(g, "DisconnectCustomKeyStore", opDoc{
		Short:   operationShort["DisconnectCustomKeyStore"],
		Example: `  pkms disconnect-custom-key-store --generate-cli-skeleton   # the request template; see pkms disconnect-custom-key-store --help`,
	})
}
