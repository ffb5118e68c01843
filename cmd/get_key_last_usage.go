package cmd

import "github.com/spf13/cobra"

// newCmdGetKeyLastUsage is `pkms get-key-last-usage`, AWS KMS GetKeyLastUsage.
func newCmdGetKeyLastUsage(g *globals) *cobra.Command {
	return opCommand(g, "GetKeyLastUsage", opDoc{
		Short:   operationShort["GetKeyLastUsage"],
		Example: `  pkms get-key-last-usage --generate-cli-skeleton   # the request template; see pkms get-key-last-usage --help`,
	})
}
