package cmd

import (
	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/kms"
)

// newCmdUpdateCustomKeyStore is `pkms update-custom-key-store`, AWS KMS UpdateCustomKeyStore.
func newCmdUpdateCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "UpdateCustomKeyStore", opDoc{
		Short:   operationShort["UpdateCustomKeyStore"],
		Differs: keyStoreHelp,
		Members: xksMembers,
		Example: `  # rename (any state); the PIN or the token reference only while DISCONNECTED,
  # and only for the same token (its serial number)
  pkms update-custom-key-store --custom-key-store-id cks-1234567890abcdef0 --new-custom-key-store-name lab
  # a new PIN, read from PKMS_PIN_FILE or asked on the terminal (not in argv)
  pkms update-custom-key-store --custom-key-store-id cks-1234567890abcdef0 --pkms-new-key-store-password`,
		Prepare: func(c *cobra.Command, in any) error {
			req := in.(*kms.UpdateCustomKeyStoreInput)
			if newPIN, _ := c.Flags().GetBool(flagNewKeyStorePassword); newPIN {
				if c.Flags().Changed("key-store-password") || req.KeyStorePassword != "" {
					return usagef("--%s and --key-store-password are alternatives: give one", flagNewKeyStorePassword)
				}
				return g.keyStorePassword(c, &req.KeyStorePassword, req.CustomKeyStoreId)
			}
			if c.Flags().Changed("key-store-password") {
				g.warnArgvPassword()
			}
			return nil
		},
	})
	c.Flags().Bool(flagNewKeyStorePassword, false, "pkms only: set a new key store password (the token's user PIN), read from PKMS_PIN_FILE or asked on the terminal, never from argv")
	return c
}

// flagNewKeyStorePassword asks update-custom-key-store for a new PIN the way
// create-custom-key-store asks for one, instead of --key-store-password.
const flagNewKeyStorePassword = "pkms-new-key-store-password"
