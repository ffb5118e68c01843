package cmd

import "github.com/spf13/cobra"

// newCmdDeleteImportedKeyMaterial is `pkms delete-imported-key-material`, AWS KMS DeleteImportedKeyMaterial.
func newCmdDeleteImportedKeyMaterial(g *globals) *cobra.Command {
	return opCommand(g, "DeleteImportedKeyMaterial", opDoc{
		Short:   operationShort["DeleteImportedKeyMaterial"],
		Example: `  pkms delete-imported-key-material --generate-cli-skeleton   # the request template; see pkms delete-imported-key-material --help`,
	})
}
