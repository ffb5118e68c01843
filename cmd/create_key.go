package cmd

import "github.com/spf13/cobra"

// newCmdCreateKey is `pkms create-key`, AWS KMS CreateKey.
func newCmdCreateKey(g *globals) *cobra.Command {
	return opCommand(g, "CreateKey", opDoc{
		Short: operationShort["CreateKey"],
		Example: `  # a symmetric encryption key with a description and a tag
  pkms create-key --description "app data key" --tags TagKey=team,TagValue=infra

  # just the new key's id, for scripts
  pkms create-key --query KeyMetadata.KeyId --output text

  # a key for your own (imported) key material, left in PendingImport
  pkms create-key --origin EXTERNAL --description "my own key material"`,
	})
}
