package cmd

import "github.com/spf13/cobra"

// newCmdUpdateCustomKeyStore is `pkms update-custom-key-store`, AWS KMS UpdateCustomKeyStore.
func newCmdUpdateCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "UpdateCustomKeyStore", opDoc{
		Short: operationShort["UpdateCustomKeyStore"],
		Example: `  # rename (any state); the PIN or the token reference only while DISCONNECTED,
  # and only for the same token (its serial number)
  pkms update-custom-key-store --custom-key-store-id cks-1234567890abcdef0 --new-custom-key-store-name lab`,
		Prepare: func(c *cobra.Command, _ any) error {
			if c.Flags().Changed("key-store-password") {
				g.warnArgvPassword()
			}
			return nil
		},
	})
	c.Long = operationShort["UpdateCustomKeyStore"] + "\n" + keyStoreHelp
	return c
}
