package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ListRetirableGrants", newCmdListRetirableGrants) }

// newCmdListRetirableGrants is `pkms list-retirable-grants`, AWS KMS ListRetirableGrants.
func newCmdListRetirableGrants(g *globals) *cobra.Command {
	return opCommand(g, "ListRetirableGrants", opDoc{
		Short:   operationShort["ListRetirableGrants"],
		Differs: grantsNotEnforced,
		Example: `  # the grants a principal may retire
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  ACCOUNT=$(pkms describe-key --key-id "$K" --query KeyMetadata.AWSAccountId --output text)
  pkms create-grant --key-id "$K" --grantee-principal "arn:aws:iam::$ACCOUNT:role/backup" \
      --retiring-principal "arn:aws:iam::$ACCOUNT:role/admin" --operations Decrypt
  pkms list-retirable-grants --retiring-principal "arn:aws:iam::$ACCOUNT:role/admin" \
      --query 'Grants[].[KeyId,GrantId]' --output text`,
	})
}
