package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("GenerateDataKey", newCmdGenerateDataKey) }

// newCmdGenerateDataKey is `pkms generate-data-key`, AWS KMS GenerateDataKey.
func newCmdGenerateDataKey(g *globals) *cobra.Command {
	return opCommand(g, "GenerateDataKey", opDoc{
		Short:   operationShort["GenerateDataKey"],
		Differs: "The data key's encrypted copy is pkms's own symmetric ciphertext format: AWS KMS cannot decrypt it.",
		Example: `  # envelope encryption: a data key encrypts a file with openssl; only the data
  # key's encrypted copy is kept next to the file
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms generate-data-key --key-id "$K" --key-spec AES_256 --query '[Plaintext,CiphertextBlob]' --output text > dk.txt
  cut -f2 dk.txt | base64 -d > datakey.enc
  echo 'a large file' > data.txt
  DATAKEY=$(cut -f1 dk.txt) openssl enc -aes-256-cbc -pbkdf2 -in data.txt -out data.enc -pass env:DATAKEY
  rm dk.txt
  # later: decrypt the data key, then the file
  DATAKEY=$(pkms decrypt --ciphertext-blob fileb://datakey.enc --query Plaintext --output text) \
      openssl enc -d -aes-256-cbc -pbkdf2 -in data.enc -pass env:DATAKEY | cmp - data.txt`,
	})
}
