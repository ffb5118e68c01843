package cmd

import "github.com/spf13/cobra"

// newCmdCreateGrant is `pkms create-grant`, AWS KMS CreateGrant.
func newCmdCreateGrant(g *globals) *cobra.Command {
	return opCommand(g, "CreateGrant", opDoc{
		Short: operationShort["CreateGrant"],
		Example: `  # pkms records grants and checks grant tokens; it does not enforce grants yet (see README.md, "Grants")
  pkms create-grant --key-id alias/app --grantee-principal arn:aws:iam::111122223333:role/app \
      --operations Encrypt Decrypt --constraints EncryptionContextSubset={purpose=backup} --name app-backup
  pkms encrypt --key-id alias/app --plaintext fileb://f --grant-tokens "$TOKEN"   # a token from create-grant`,
	})
}
