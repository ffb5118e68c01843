package cmd

import (
	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/kms"
)

func init() { operationCommand("UpdateCustomKeyStore", newCmdUpdateCustomKeyStore) }

// newCmdUpdateCustomKeyStore is `pkms update-custom-key-store`, AWS KMS UpdateCustomKeyStore.
func newCmdUpdateCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "UpdateCustomKeyStore", opDoc{
		Short:   operationShort["UpdateCustomKeyStore"],
		Differs: keyStoreHelp,
		Members: xksMembers,
		Example: `  # rename a store (any state); the PIN or the token reference change only while
  # DISCONNECTED, and only for the same token (its serial number)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout customerCA.key \
      -subj /CN=customerCA -days 365 -out customerCA.crt
  CKS=$(pkms create-custom-key-store --custom-key-store-name lab-hsm --cloud-hsm-cluster-id lab-hsm \
      --trust-anchor-certificate file://customerCA.crt --query CustomKeyStoreId --output text)
  pkms update-custom-key-store --custom-key-store-id "$CKS" --new-custom-key-store-name lab
  # pkms only: a new PIN, read from PKMS_PIN_FILE or asked on the terminal (never argv)
  pkms update-custom-key-store --custom-key-store-id "$CKS" --pkms-new-key-store-password
  pkms describe-custom-key-stores --custom-key-store-id "$CKS" --query 'CustomKeyStores[0].CustomKeyStoreName' --output text`,
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
