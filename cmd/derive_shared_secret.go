package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("DeriveSharedSecret", newCmdDeriveSharedSecret) }

// newCmdDeriveSharedSecret is `pkms derive-shared-secret`, AWS KMS DeriveSharedSecret.
func newCmdDeriveSharedSecret(g *globals) *cobra.Command {
	return opCommand(g, "DeriveSharedSecret", opDoc{
		Short: operationShort["DeriveSharedSecret"],
		Example: `  # ECDH between a KMS key and a peer key made by openssl: both sides get the same secret
  K=$(pkms create-key --key-spec ECC_NIST_P256 --key-usage KEY_AGREEMENT --query KeyMetadata.KeyId --output text)
  pkms get-public-key --key-id "$K" --query PublicKey --output text | base64 -d > kms-public.der
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out peer.pem
  openssl pkey -in peer.pem -pubout -outform DER -out peer-public.der
  pkms derive-shared-secret --key-id "$K" --key-agreement-algorithm ECDH \
      --public-key fileb://peer-public.der --query SharedSecret --output text | base64 -d > kms-side.bin
  openssl pkey -pubin -inform DER -in kms-public.der -out kms-public.pem
  openssl pkeyutl -derive -inkey peer.pem -peerkey kms-public.pem -out peer-side.bin
  cmp kms-side.bin peer-side.bin`,
	})
}
