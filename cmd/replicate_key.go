package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ReplicateKey", newCmdReplicateKey) }

// newCmdReplicateKey is `pkms replicate-key`, AWS KMS ReplicateKey.
func newCmdReplicateKey(g *globals) *cobra.Command {
	return opCommand(g, "ReplicateKey", opDoc{
		Short: operationShort["ReplicateKey"],
		Example: `  # a multi-Region key, and its replica in us-west-2 (same key id, same material)
  K=$(pkms create-key --multi-region --region us-east-1 --query KeyMetadata.KeyId --output text)
  pkms replicate-key --key-id "$K" --region us-east-1 --replica-region us-west-2
  pkms describe-key --key-id "$K" --region us-west-2 \
      --query KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType --output text`,
	})
}
