package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("GetKeyPolicy", newCmdGetKeyPolicy) }

// newCmdGetKeyPolicy is `pkms get-key-policy`, AWS KMS GetKeyPolicy.
func newCmdGetKeyPolicy(g *globals) *cobra.Command {
	return opCommand(g, "GetKeyPolicy", opDoc{
		Short:   operationShort["GetKeyPolicy"],
		Differs: "Key policies are validated (JSON, size, the lockout safety check) and stored, but not evaluated: a vault has one user.",
		Example: `  # the key policy document (its name is always default)
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms get-key-policy --key-id "$K" --policy-name default --query Policy --output text`,
	})
}
