package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("RetireGrant", newCmdRetireGrant) }

// newCmdRetireGrant is `pkms retire-grant`, AWS KMS RetireGrant.
func newCmdRetireGrant(g *globals) *cobra.Command {
	return opCommand(g, "RetireGrant", opDoc{
		Short:   operationShort["RetireGrant"],
		Differs: grantsNotEnforced,
		Example: `  # the grantee or retiring principal gives a grant up, by its grant token
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  ACCOUNT=$(pkms describe-key --key-id "$K" --query KeyMetadata.AWSAccountId --output text)
  TOKEN=$(pkms create-grant --key-id "$K" --grantee-principal "arn:aws:iam::$ACCOUNT:role/backup" \
      --retiring-principal "arn:aws:iam::$ACCOUNT:role/admin" --operations Decrypt --query GrantToken --output text)
  pkms retire-grant --grant-token "$TOKEN"
  pkms list-grants --key-id "$K" --query 'length(Grants)'`,
	})
}
