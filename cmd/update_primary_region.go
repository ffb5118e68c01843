package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("UpdatePrimaryRegion", newCmdUpdatePrimaryRegion) }

// newCmdUpdatePrimaryRegion is `pkms update-primary-region`, AWS KMS UpdatePrimaryRegion.
func newCmdUpdatePrimaryRegion(g *globals) *cobra.Command {
	return opCommand(g, "UpdatePrimaryRegion", opDoc{
		Short: operationShort["UpdatePrimaryRegion"],
		Example: `  # make the replica in us-west-2 the primary key of the set
  K=$(pkms create-key --multi-region --region us-east-1 --query KeyMetadata.KeyId --output text)
  pkms replicate-key --key-id "$K" --region us-east-1 --replica-region us-west-2
  pkms update-primary-region --key-id "$K" --region us-east-1 --primary-region us-west-2
  pkms describe-key --key-id "$K" --region us-west-2 \
      --query KeyMetadata.MultiRegionConfiguration.PrimaryKey.Region --output text`,
	})
}
