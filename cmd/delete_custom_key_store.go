package cmd

import "github.com/spf13/cobra"

// newCmdDeleteCustomKeyStore is `pkms delete-custom-key-store`, AWS KMS DeleteCustomKeyStore.
func newCmdDeleteCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "DeleteCustomKeyStore", opDoc{
		Short:   operationShort["DeleteCustomKeyStore"],
		Differs: keyStoreHelp,
		Example: `  # only a DISCONNECTED store without keys; the token and its objects are untouched
  pkms delete-custom-key-store --custom-key-store-id cks-1234567890abcdef0`,
	})
	return c
}
