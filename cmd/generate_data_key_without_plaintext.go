package cmd

import "github.com/spf13/cobra"

func init() {
	operationCommand("GenerateDataKeyWithoutPlaintext", newCmdGenerateDataKeyWithoutPlaintext)
}

// newCmdGenerateDataKeyWithoutPlaintext is `pkms generate-data-key-without-plaintext`, AWS KMS GenerateDataKeyWithoutPlaintext.
func newCmdGenerateDataKeyWithoutPlaintext(g *globals) *cobra.Command {
	return opCommand(g, "GenerateDataKeyWithoutPlaintext", opDoc{
		Short:   operationShort["GenerateDataKeyWithoutPlaintext"],
		Differs: "The data key's encrypted copy is pkms's own symmetric ciphertext format: AWS KMS cannot decrypt it.",
		Example: `  # a data key for later: only its encrypted copy now, the plaintext when decrypted
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms generate-data-key-without-plaintext --key-id "$K" --key-spec AES_256 \
      --query CiphertextBlob --output text | base64 -d > datakey.enc
  pkms decrypt --ciphertext-blob fileb://datakey.enc --query Plaintext --output text | base64 -d | wc -c`,
	})
}
