package cmd

import "github.com/spf13/cobra"

// newCmdReplicateKey is `pkms replicate-key`, AWS KMS ReplicateKey.
func newCmdReplicateKey(g *globals) *cobra.Command {
	return opCommand(g, "ReplicateKey", opDoc{
		Short: operationShort["ReplicateKey"],
		Example: `  pkms create-key --multi-region --query KeyMetadata.KeyId --output text   # mrk-...
  pkms replicate-key --key-id mrk-1234abcd12ab34cd56ef1234567890ab --replica-region eu-west-1
  pkms decrypt --region eu-west-1 --ciphertext-blob fileb://secret.bin   # made by the primary`,
	})
}
