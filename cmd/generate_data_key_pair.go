package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("GenerateDataKeyPair", newCmdGenerateDataKeyPair) }

// newCmdGenerateDataKeyPair is `pkms generate-data-key-pair`, AWS KMS GenerateDataKeyPair.
func newCmdGenerateDataKeyPair(g *globals) *cobra.Command {
	return opCommand(g, "GenerateDataKeyPair", opDoc{
		Short:   operationShort["GenerateDataKeyPair"],
		Differs: "The private key's encrypted copy is pkms's own symmetric ciphertext format: AWS KMS cannot decrypt it. SM2 key pairs answer UnsupportedOperationException (SM2 is offered only in AWS China Regions).",
		Example: `  # a key pair for a device: the private key as PKCS#8 DER, and a copy of it
  # encrypted under a KMS key; openssl signs and verifies with the two halves
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms generate-data-key-pair --key-id "$K" --key-pair-spec ECC_NIST_P256 \
      --query '[PublicKey,PrivateKeyPlaintext,PrivateKeyCiphertextBlob]' --output text > pair.txt
  cut -f1 pair.txt | base64 -d > public.der
  cut -f2 pair.txt | base64 -d > private.der
  cut -f3 pair.txt | base64 -d > private.enc
  rm pair.txt
  echo 'firmware 1.2' > fw.txt
  openssl dgst -sha256 -sign private.der -keyform DER -out fw.sig fw.txt
  openssl dgst -sha256 -verify public.der -keyform DER -signature fw.sig fw.txt`,
	})
}
