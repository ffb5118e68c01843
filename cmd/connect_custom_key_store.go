package cmd

import "github.com/spf13/cobra"

// newCmdConnectCustomKeyStore is `pkms connect-custom-key-store`, AWS KMS ConnectCustomKeyStore.
func newCmdConnectCustomKeyStore(g *globals) *cobra.Command {
	return opCommand(g, "ConnectCustomKeyStore", opDoc{
		Short:   operationShort["ConnectCustomKeyStore"],
		Example: `  pkms connect-custom-key-store --generate-cli-skeleton   # the request template; see pkms connect-custom-key-store --help`,
	})
}
