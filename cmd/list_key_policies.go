package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ListKeyPolicies", newCmdListKeyPolicies) }

// newCmdListKeyPolicies is `pkms list-key-policies`, AWS KMS ListKeyPolicies.
func newCmdListKeyPolicies(g *globals) *cobra.Command {
	return opCommand(g, "ListKeyPolicies", opDoc{
		Short:   operationShort["ListKeyPolicies"],
		Differs: "Key policies are validated (JSON, size, the lockout safety check) and stored, but not evaluated: a vault has one user.",
		Example: `  # the names of a key's policies (always default)
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms list-key-policies --key-id "$K"`,
	})
}
