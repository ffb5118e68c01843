package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ReEncrypt", newCmdReEncrypt) }

// newCmdReEncrypt is `pkms re-encrypt`, AWS KMS ReEncrypt.
func newCmdReEncrypt(g *globals) *cobra.Command {
	return opCommand(g, "ReEncrypt", opDoc{
		Short:   operationShort["ReEncrypt"],
		Differs: "The symmetric ciphertext is pkms's own format (it names the key and its material and authenticates the encryption context): AWS KMS cannot read it, nor pkms AWS's; RSA-OAEP ciphertexts are standard.",
		Example: `  # move a ciphertext to another key without the plaintext ever leaving pkms
  OLD=$(pkms create-key --query KeyMetadata.KeyId --output text)
  NEW=$(pkms create-key --query KeyMetadata.KeyId --output text)
  echo 'database password' > secret.txt
  pkms encrypt --key-id "$OLD" --plaintext fileb://secret.txt --encryption-context purpose=demo \
      --query CiphertextBlob --output text | base64 -d > secret.enc
  pkms re-encrypt --ciphertext-blob fileb://secret.enc --source-encryption-context purpose=demo \
      --destination-key-id "$NEW" --destination-encryption-context purpose=demo \
      --query CiphertextBlob --output text | base64 -d > secret.enc.new
  pkms decrypt --ciphertext-blob fileb://secret.enc.new --encryption-context purpose=demo \
      --query KeyId --output text`,
	})
}
