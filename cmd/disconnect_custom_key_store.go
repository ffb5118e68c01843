package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("DisconnectCustomKeyStore", newCmdDisconnectCustomKeyStore) }

// newCmdDisconnectCustomKeyStore is `pkms disconnect-custom-key-store`, AWS KMS DisconnectCustomKeyStore.
func newCmdDisconnectCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "DisconnectCustomKeyStore", opDoc{
		Short:   operationShort["DisconnectCustomKeyStore"],
		Differs: keyStoreHelp,
		Example: `  # end the token session: the store's keys read Unavailable until it reconnects
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout customerCA.key \
      -subj /CN=customerCA -days 365 -out customerCA.crt
  CKS=$(pkms create-custom-key-store --custom-key-store-name lab-hsm --cloud-hsm-cluster-id lab-hsm \
      --trust-anchor-certificate file://customerCA.crt --query CustomKeyStoreId --output text)
  pkms connect-custom-key-store --custom-key-store-id "$CKS"
  K=$(pkms create-key --origin AWS_CLOUDHSM --custom-key-store-id "$CKS" --query KeyMetadata.KeyId --output text)
  pkms disconnect-custom-key-store --custom-key-store-id "$CKS"
  pkms describe-key --key-id "$K" --query KeyMetadata.KeyState --output text`,
	})
	return c
}
