package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("GenerateMac", newCmdGenerateMac) }

// newCmdGenerateMac is `pkms generate-mac`, AWS KMS GenerateMac.
func newCmdGenerateMac(g *globals) *cobra.Command {
	return opCommand(g, "GenerateMac", opDoc{
		Short: operationShort["GenerateMac"],
		Example: `  # an HMAC tag over a message, checked with verify-mac
  K=$(pkms create-key --key-spec HMAC_256 --key-usage GENERATE_VERIFY_MAC --query KeyMetadata.KeyId --output text)
  echo 'order 1234: 10 EUR' > order.txt
  pkms generate-mac --key-id "$K" --mac-algorithm HMAC_SHA_256 --message fileb://order.txt \
      --query Mac --output text | base64 -d > order.mac
  pkms verify-mac --key-id "$K" --mac-algorithm HMAC_SHA_256 --message fileb://order.txt \
      --mac fileb://order.mac --query MacValid`,
	})
}
