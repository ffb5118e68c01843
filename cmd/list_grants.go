package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ListGrants", newCmdListGrants) }

// newCmdListGrants is `pkms list-grants`, AWS KMS ListGrants.
func newCmdListGrants(g *globals) *cobra.Command {
	return opCommand(g, "ListGrants", opDoc{
		Short:   operationShort["ListGrants"],
		Differs: grantsNotEnforced,
		Example: `  # the grants on a key
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  ACCOUNT=$(pkms describe-key --key-id "$K" --query KeyMetadata.AWSAccountId --output text)
  GRANT=$(pkms create-grant --key-id "$K" --grantee-principal "arn:aws:iam::$ACCOUNT:role/backup" \
      --operations Decrypt DescribeKey --query GrantId --output text)
  pkms list-grants --key-id "$K" --query 'Grants[].[GrantId,GranteePrincipal]' --output text`,
	})
}
