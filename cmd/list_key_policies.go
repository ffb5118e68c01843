package cmd

import "github.com/spf13/cobra"

// newCmdListKeyPolicies is `pkms list-key-policies`, AWS KMS ListKeyPolicies.
func newCmdListKeyPolicies(g *globals) *cobra.Command {
	return opCommand(g, "ListKeyPolicies", opDoc{
		Short:   operationShort["ListKeyPolicies"],
		Example: `  pkms list-key-policies --key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	})
}
