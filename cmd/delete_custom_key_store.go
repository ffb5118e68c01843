package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("DeleteCustomKeyStore", newCmdDeleteCustomKeyStore) }

// newCmdDeleteCustomKeyStore is `pkms delete-custom-key-store`, AWS KMS DeleteCustomKeyStore.
func newCmdDeleteCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "DeleteCustomKeyStore", opDoc{
		Short:   operationShort["DeleteCustomKeyStore"],
		Differs: keyStoreHelp,
		Example: `  # only a DISCONNECTED store without keys can go; the token and its objects are untouched
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout customerCA.key \
      -subj /CN=customerCA -days 365 -out customerCA.crt
  CKS=$(pkms create-custom-key-store --custom-key-store-name lab-hsm --cloud-hsm-cluster-id lab-hsm \
      --trust-anchor-certificate file://customerCA.crt --query CustomKeyStoreId --output text)
  pkms delete-custom-key-store --custom-key-store-id "$CKS"
  pkms describe-custom-key-stores --query 'length(CustomKeyStores)'`,
	})
	return c
}
