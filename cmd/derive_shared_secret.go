package cmd

import "github.com/spf13/cobra"

// newCmdDeriveSharedSecret is `pkms derive-shared-secret`, AWS KMS DeriveSharedSecret.
func newCmdDeriveSharedSecret(g *globals) *cobra.Command {
	return opCommand(g, "DeriveSharedSecret", opDoc{
		Short:   operationShort["DeriveSharedSecret"],
		Example: `  pkms derive-shared-secret --generate-cli-skeleton   # the request template; see pkms derive-shared-secret --help`,
	})
}
