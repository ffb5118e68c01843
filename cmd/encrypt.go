package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("Encrypt", newCmdEncrypt) }

// newCmdEncrypt is `pkms encrypt`, AWS KMS Encrypt.
func newCmdEncrypt(g *globals) *cobra.Command {
	return opCommand(g, "Encrypt", opDoc{
		Short:   operationShort["Encrypt"],
		Differs: "The symmetric ciphertext is pkms's own format (it names the key and its material and authenticates the encryption context): AWS KMS cannot read it, nor pkms AWS's; RSA-OAEP ciphertexts are standard.",
		Example: `  # encrypt a file under an alias and keep the raw ciphertext; decrypt it back
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms create-alias --alias-name alias/app --target-key-id "$K"
  echo 'api token 1234' > secret.txt
  pkms encrypt --key-id alias/app --plaintext fileb://secret.txt --encryption-context purpose=demo \
      --query CiphertextBlob --output text | base64 -d > secret.enc
  pkms decrypt --ciphertext-blob fileb://secret.enc --encryption-context purpose=demo \
      --query Plaintext --output text | base64 -d | cmp - secret.txt

  # with an RSA key (RSAES_OAEP_SHA_256): the ciphertext is plain RSA-OAEP
  K=$(pkms create-key --key-spec RSA_3072 --key-usage ENCRYPT_DECRYPT --query KeyMetadata.KeyId --output text)
  pkms encrypt --key-id "$K" --encryption-algorithm RSAES_OAEP_SHA_256 --plaintext fileb://<(echo hello) \
      --query CiphertextBlob --output text | base64 -d > hello.enc
  pkms decrypt --key-id "$K" --encryption-algorithm RSAES_OAEP_SHA_256 --ciphertext-blob fileb://hello.enc \
      --query Plaintext --output text | base64 -d`,
	})
}
