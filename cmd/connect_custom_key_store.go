package cmd

import "github.com/spf13/cobra"

// newCmdConnectCustomKeyStore is `pkms connect-custom-key-store`, AWS KMS ConnectCustomKeyStore.
func newCmdConnectCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "ConnectCustomKeyStore", opDoc{
		Short:   operationShort["ConnectCustomKeyStore"],
		Differs: keyStoreHelp,
		Example: `  # logs in to the token; then describe-custom-key-stores shows CONNECTED, or FAILED
  # with INVALID_CREDENTIALS (wrong PIN), CLUSTER_NOT_FOUND or USER_LOCKED_OUT
  pkms connect-custom-key-store --custom-key-store-id cks-1234567890abcdef0`,
	})
	return c
}
