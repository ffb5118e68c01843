package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("DescribeCustomKeyStores", newCmdDescribeCustomKeyStores) }

// newCmdDescribeCustomKeyStores is `pkms describe-custom-key-stores`, AWS KMS DescribeCustomKeyStores.
func newCmdDescribeCustomKeyStores(g *globals) *cobra.Command {
	c := opCommand(g, "DescribeCustomKeyStores", opDoc{
		Short:   operationShort["DescribeCustomKeyStores"],
		Differs: keyStoreHelp,
		Example: `  # every store with its state, and one store by name
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout customerCA.key \
      -subj /CN=customerCA -days 365 -out customerCA.crt
  CKS=$(pkms create-custom-key-store --custom-key-store-name lab-hsm --cloud-hsm-cluster-id lab-hsm \
      --trust-anchor-certificate file://customerCA.crt --query CustomKeyStoreId --output text)
  pkms connect-custom-key-store --custom-key-store-id "$CKS"
  pkms describe-custom-key-stores --output table
  pkms describe-custom-key-stores --custom-key-store-name lab-hsm \
      --query 'CustomKeyStores[0].ConnectionState' --output text`,
	})
	return c
}
