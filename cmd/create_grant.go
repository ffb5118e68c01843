package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("CreateGrant", newCmdCreateGrant) }

// newCmdCreateGrant is `pkms create-grant`, AWS KMS CreateGrant.
func newCmdCreateGrant(g *globals) *cobra.Command {
	return opCommand(g, "CreateGrant", opDoc{
		Short:   operationShort["CreateGrant"],
		Differs: grantsNotEnforced,
		Example: `  # let a role decrypt with a key, only when the encryption context holds purpose=backup
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  ACCOUNT=$(pkms describe-key --key-id "$K" --query KeyMetadata.AWSAccountId --output text)
  pkms create-grant --key-id "$K" --grantee-principal "arn:aws:iam::$ACCOUNT:role/backup" \
      --operations Decrypt DescribeKey --constraints EncryptionContextSubset={purpose=backup} \
      --name backup-restore`,
	})
}

// grantsNotEnforced is the difference every grant command states.
const grantsNotEnforced = "Grants are recorded, listed, retired and revoked as AWS does, and grant tokens are checked, but pkms does not enforce grants yet: like key policies, they grant nothing until pkms serve evaluates permissions."
