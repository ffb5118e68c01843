package cmd

import "github.com/spf13/cobra"

// newCmdImportKeyMaterial is `pkms import-key-material`, AWS KMS ImportKeyMaterial.
func newCmdImportKeyMaterial(g *globals) *cobra.Command {
	return opCommand(g, "ImportKeyMaterial", opDoc{
		Short:   operationShort["ImportKeyMaterial"],
		Example: `  pkms import-key-material --generate-cli-skeleton   # the request template; see pkms import-key-material --help`,
	})
}
