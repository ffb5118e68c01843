package cmd

import "github.com/spf13/cobra"

func init() {
	operationCommand("GenerateDataKeyPairWithoutPlaintext", newCmdGenerateDataKeyPairWithoutPlaintext)
}

// newCmdGenerateDataKeyPairWithoutPlaintext is `pkms generate-data-key-pair-without-plaintext`, AWS KMS GenerateDataKeyPairWithoutPlaintext.
func newCmdGenerateDataKeyPairWithoutPlaintext(g *globals) *cobra.Command {
	return opCommand(g, "GenerateDataKeyPairWithoutPlaintext", opDoc{
		Short:   operationShort["GenerateDataKeyPairWithoutPlaintext"],
		Differs: "The private key's encrypted copy is pkms's own symmetric ciphertext format: AWS KMS cannot decrypt it. SM2 key pairs answer UnsupportedOperationException (SM2 is offered only in AWS China Regions).",
		Example: `  # a key pair whose private key stays encrypted until it is needed; then decrypt
  # it and check that it belongs to the public key
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms generate-data-key-pair-without-plaintext --key-id "$K" --key-pair-spec RSA_2048 \
      --query '[PublicKey,PrivateKeyCiphertextBlob]' --output text > pair.txt
  cut -f1 pair.txt | base64 -d > public.der
  cut -f2 pair.txt | base64 -d > private.enc
  pkms decrypt --ciphertext-blob fileb://private.enc --query Plaintext --output text | base64 -d > private.der
  openssl pkey -inform DER -in private.der -pubout -outform DER | cmp - public.der`,
	})
}
