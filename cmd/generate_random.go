package cmd

import "github.com/spf13/cobra"

// newCmdGenerateRandom is `pkms generate-random`, AWS KMS GenerateRandom.
func newCmdGenerateRandom(g *globals) *cobra.Command {
	return opCommand(g, "GenerateRandom", opDoc{
		Short:   operationShort["GenerateRandom"],
		Example: `  pkms generate-random --number-of-bytes 32 --query Plaintext --output text | base64 -d > random.bin`,
	})
}
