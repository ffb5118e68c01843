package cmd

import "github.com/spf13/cobra"

// newCmdVerifyMac is `pkms verify-mac`, AWS KMS VerifyMac.
func newCmdVerifyMac(g *globals) *cobra.Command {
	return opCommand(g, "VerifyMac", opDoc{
		Short:   operationShort["VerifyMac"],
		Example: `  pkms verify-mac --generate-cli-skeleton   # the request template; see pkms verify-mac --help`,
	})
}
