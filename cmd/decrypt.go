package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("Decrypt", newCmdDecrypt) }

// newCmdDecrypt is `pkms decrypt`, AWS KMS Decrypt.
func newCmdDecrypt(g *globals) *cobra.Command {
	return opCommand(g, "Decrypt", opDoc{
		Short:   operationShort["Decrypt"],
		Differs: "The symmetric ciphertext is pkms's own format (it names the key and its material and authenticates the encryption context): AWS KMS cannot read it, nor pkms AWS's; RSA-OAEP ciphertexts are standard. Any modified ciphertext answers InvalidCiphertextException.",
		Example: `  # a round trip: encrypt a file, decrypt it, compare
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  echo 'database password' > secret.txt
  pkms encrypt --key-id "$K" --plaintext fileb://secret.txt --encryption-context purpose=demo \
      --query CiphertextBlob --output text | base64 -d > secret.enc
  pkms decrypt --ciphertext-blob fileb://secret.enc --encryption-context purpose=demo \
      --query Plaintext --output text | base64 -d > secret.out
  cmp secret.txt secret.out

  # data encrypted outside with an RSA key's public key (openssl), decrypted inside
  K=$(pkms create-key --key-spec RSA_2048 --key-usage ENCRYPT_DECRYPT --query KeyMetadata.KeyId --output text)
  pkms get-public-key --key-id "$K" --query PublicKey --output text | base64 -d > public.der
  echo 'for the key holder only' > note.txt
  openssl pkeyutl -encrypt -pubin -keyform DER -inkey public.der -in note.txt -out note.enc \
      -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
  pkms decrypt --key-id "$K" --encryption-algorithm RSAES_OAEP_SHA_256 --ciphertext-blob fileb://note.enc \
      --query Plaintext --output text | base64 -d | cmp - note.txt`,
	})
}
