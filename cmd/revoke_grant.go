package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("RevokeGrant", newCmdRevokeGrant) }

// newCmdRevokeGrant is `pkms revoke-grant`, AWS KMS RevokeGrant.
func newCmdRevokeGrant(g *globals) *cobra.Command {
	return opCommand(g, "RevokeGrant", opDoc{
		Short:   operationShort["RevokeGrant"],
		Differs: grantsNotEnforced,
		Example: `  # a key administrator removes a grant by its id
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  ACCOUNT=$(pkms describe-key --key-id "$K" --query KeyMetadata.AWSAccountId --output text)
  GRANT=$(pkms create-grant --key-id "$K" --grantee-principal "arn:aws:iam::$ACCOUNT:role/backup" \
      --operations Decrypt DescribeKey --query GrantId --output text)
  pkms revoke-grant --key-id "$K" --grant-id "$GRANT"
  pkms list-grants --key-id "$K" --query 'length(Grants)'`,
	})
}
