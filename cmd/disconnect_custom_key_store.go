package cmd

import "github.com/spf13/cobra"

// newCmdDisconnectCustomKeyStore is `pkms disconnect-custom-key-store`, AWS KMS DisconnectCustomKeyStore.
func newCmdDisconnectCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "DisconnectCustomKeyStore", opDoc{
		Short:   operationShort["DisconnectCustomKeyStore"],
		Differs: keyStoreHelp,
		Example: `  # ends the token session; the store's keys read Unavailable until it reconnects
  pkms disconnect-custom-key-store --custom-key-store-id cks-1234567890abcdef0`,
	})
	return c
}
