package cmd

import "github.com/spf13/cobra"

// newCmdGetParametersForImport is `pkms get-parameters-for-import`, AWS KMS GetParametersForImport.
func newCmdGetParametersForImport(g *globals) *cobra.Command {
	return opCommand(g, "GetParametersForImport", opDoc{
		Short:   operationShort["GetParametersForImport"],
		Example: `  pkms get-parameters-for-import --generate-cli-skeleton   # the request template; see pkms get-parameters-for-import --help`,
	})
}
