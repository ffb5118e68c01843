package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("VerifyMac", newCmdVerifyMac) }

// newCmdVerifyMac is `pkms verify-mac`, AWS KMS VerifyMac.
func newCmdVerifyMac(g *globals) *cobra.Command {
	return opCommand(g, "VerifyMac", opDoc{
		Short: operationShort["VerifyMac"],
		Example: `  # check a tag made by generate-mac; a tag that does not match answers
  # KMSInvalidMacException (exit 254), never MacValid false
  K=$(pkms create-key --key-spec HMAC_512 --key-usage GENERATE_VERIFY_MAC --query KeyMetadata.KeyId --output text)
  echo 'session 42' > msg.txt
  pkms generate-mac --key-id "$K" --mac-algorithm HMAC_SHA_512 --message fileb://msg.txt \
      --query Mac --output text | base64 -d > msg.mac
  pkms verify-mac --key-id "$K" --mac-algorithm HMAC_SHA_512 --message fileb://msg.txt --mac fileb://msg.mac
  echo 'session 43' > other.txt
  pkms verify-mac --key-id "$K" --mac-algorithm HMAC_SHA_512 --message fileb://other.txt \
      --mac fileb://msg.mac 2> error.txt || test $? = 254
  grep KMSInvalidMacException error.txt`,
	})
}
