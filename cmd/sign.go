package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("Sign", newCmdSign) }

// newCmdSign is `pkms sign`, AWS KMS Sign.
func newCmdSign(g *globals) *cobra.Command {
	return opCommand(g, "Sign", opDoc{
		Short: operationShort["Sign"],
		Example: `  # sign a release with an ECC_NIST_P256 key; openssl verifies the signature
  # with the public key
  K=$(pkms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
  echo 'release 1.0' > release.txt
  pkms sign --key-id "$K" --message fileb://release.txt --message-type RAW --signing-algorithm ECDSA_SHA_256 \
      --query Signature --output text | base64 -d > release.sig
  pkms get-public-key --key-id "$K" --query PublicKey --output text | base64 -d > public.der
  openssl dgst -sha256 -verify public.der -keyform DER -signature release.sig release.txt

  # sign a SHA-256 digest computed elsewhere (message type DIGEST) with RSA-PSS;
  # the salt is as long as the digest, which openssl is told
  K=$(pkms create-key --key-spec RSA_2048 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
  echo 'release 1.0' > release.txt
  openssl dgst -sha256 -binary release.txt > release.sha256
  pkms sign --key-id "$K" --message fileb://release.sha256 --message-type DIGEST \
      --signing-algorithm RSASSA_PSS_SHA_256 --query Signature --output text | base64 -d > release.sig
  pkms get-public-key --key-id "$K" --query PublicKey --output text | base64 -d > public.der
  openssl pkeyutl -verify -pubin -keyform DER -inkey public.der -in release.sha256 -sigfile release.sig \
      -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32`,
	})
}
