package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("GetParametersForImport", newCmdGetParametersForImport) }

// newCmdGetParametersForImport is `pkms get-parameters-for-import`, AWS KMS GetParametersForImport.
func newCmdGetParametersForImport(g *globals) *cobra.Command {
	return opCommand(g, "GetParametersForImport", opDoc{
		Short: operationShort["GetParametersForImport"],
		Example: `  # the first step of importing key material: a wrapping public key and an import
  # token, both valid 24 hours (see pkms import-key-material --help for the rest)
  K=$(pkms create-key --origin EXTERNAL --query KeyMetadata.KeyId --output text)
  pkms get-parameters-for-import --key-id "$K" --wrapping-algorithm RSAES_OAEP_SHA_256 \
      --wrapping-key-spec RSA_2048 --query '[PublicKey,ImportToken]' --output text > params.txt
  cut -f1 params.txt | base64 -d > WrappingPublicKey.bin
  cut -f2 params.txt | base64 -d > ImportToken.bin
  openssl pkey -pubin -inform DER -in WrappingPublicKey.bin -noout -text | head -1`,
	})
}
