package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("GetPublicKey", newCmdGetPublicKey) }

// newCmdGetPublicKey is `pkms get-public-key`, AWS KMS GetPublicKey.
func newCmdGetPublicKey(g *globals) *cobra.Command {
	return opCommand(g, "GetPublicKey", opDoc{
		Short: operationShort["GetPublicKey"],
		Example: `  # the public key of an asymmetric key, as PEM for openssl
  K=$(pkms create-key --key-spec RSA_2048 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
  pkms get-public-key --key-id "$K" --query PublicKey --output text | base64 -d > public.der
  openssl pkey -pubin -inform DER -in public.der -out public.pem
  openssl pkey -pubin -in public.pem -noout -text | head -1
  pkms get-public-key --key-id "$K" --query SigningAlgorithms --output text`,
	})
}
