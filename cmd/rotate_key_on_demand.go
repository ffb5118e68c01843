package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("RotateKeyOnDemand", newCmdRotateKeyOnDemand) }

// newCmdRotateKeyOnDemand is `pkms rotate-key-on-demand`, AWS KMS RotateKeyOnDemand.
func newCmdRotateKeyOnDemand(g *globals) *cobra.Command {
	return opCommand(g, "RotateKeyOnDemand", opDoc{
		Short: operationShort["RotateKeyOnDemand"],
		Example: `  # new key material now; ciphertexts made before still decrypt
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  echo 'made before the rotation' > old.txt
  pkms encrypt --key-id "$K" --plaintext fileb://old.txt --query CiphertextBlob --output text | base64 -d > old.enc
  pkms rotate-key-on-demand --key-id "$K"
  pkms list-key-rotations --key-id "$K" --query 'Rotations[].RotationType' --output text
  pkms decrypt --ciphertext-blob fileb://old.enc --query Plaintext --output text | base64 -d | cmp - old.txt`,
	})
}
