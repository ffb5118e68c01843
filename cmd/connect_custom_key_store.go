package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ConnectCustomKeyStore", newCmdConnectCustomKeyStore) }

// newCmdConnectCustomKeyStore is `pkms connect-custom-key-store`, AWS KMS ConnectCustomKeyStore.
func newCmdConnectCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "ConnectCustomKeyStore", opDoc{
		Short:   operationShort["ConnectCustomKeyStore"],
		Differs: keyStoreHelp,
		Example: `  # a store on the PKCS#11 token labelled lab-hsm (its user PIN is asked on the
  # terminal, or read from PKMS_PIN_FILE), then log in to the token: the store is
  # CONNECTED, or FAILED with INVALID_CREDENTIALS, CLUSTER_NOT_FOUND or USER_LOCKED_OUT
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout customerCA.key \
      -subj /CN=customerCA -days 365 -out customerCA.crt
  CKS=$(pkms create-custom-key-store --custom-key-store-name lab-hsm --cloud-hsm-cluster-id lab-hsm \
      --trust-anchor-certificate file://customerCA.crt --query CustomKeyStoreId --output text)
  pkms connect-custom-key-store --custom-key-store-id "$CKS"
  pkms describe-custom-key-stores --custom-key-store-id "$CKS" \
      --query 'CustomKeyStores[0].[ConnectionState,ConnectionErrorCode]' --output text`,
	})
	return c
}
