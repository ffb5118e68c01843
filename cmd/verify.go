package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("Verify", newCmdVerify) }

// newCmdVerify is `pkms verify`, AWS KMS Verify.
func newCmdVerify(g *globals) *cobra.Command {
	return opCommand(g, "Verify", opDoc{
		Short:   operationShort["Verify"],
		Differs: "ML-DSA signatures made with --message-type EXTERNAL_MU cannot be verified with EXTERNAL_MU (UnsupportedOperationException): verify them as RAW over the original message.",
		Example: `  # check a signature with the key itself; one that does not verify answers
  # KMSInvalidSignatureException (exit 254), never SignatureValid false
  K=$(pkms create-key --key-spec ECC_NIST_P384 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
  echo 'release 1.0' > release.txt
  pkms sign --key-id "$K" --message fileb://release.txt --signing-algorithm ECDSA_SHA_384 \
      --query Signature --output text | base64 -d > release.sig
  pkms verify --key-id "$K" --message fileb://release.txt --signature fileb://release.sig \
      --signing-algorithm ECDSA_SHA_384 --query SignatureValid
  echo 'release 1.1' > other.txt
  pkms verify --key-id "$K" --message fileb://other.txt --signature fileb://release.sig \
      --signing-algorithm ECDSA_SHA_384 2> error.txt || test $? = 254
  grep KMSInvalidSignatureException error.txt`,
	})
}
