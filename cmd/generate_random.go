package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("GenerateRandom", newCmdGenerateRandom) }

// newCmdGenerateRandom is `pkms generate-random`, AWS KMS GenerateRandom.
func newCmdGenerateRandom(g *globals) *cobra.Command {
	return opCommand(g, "GenerateRandom", opDoc{
		Short:   operationShort["GenerateRandom"],
		Differs: "--custom-key-store-id draws the bytes from that store's PKCS#11 token.",
		Example: `  # 32 random bytes into a file
  pkms generate-random --number-of-bytes 32 --query Plaintext --output text | base64 -d > random.bin
  wc -c < random.bin`,
	})
}
