package cmd

import "github.com/spf13/cobra"

// newCmdGetPublicKey is `pkms get-public-key`, AWS KMS GetPublicKey.
func newCmdGetPublicKey(g *globals) *cobra.Command {
	return opCommand(g, "GetPublicKey", opDoc{
		Short:   operationShort["GetPublicKey"],
		Example: `  pkms get-public-key --generate-cli-skeleton   # the request template; see pkms get-public-key --help`,
	})
}
