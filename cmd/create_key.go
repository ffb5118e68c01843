package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("CreateKey", newCmdCreateKey) }

// newCmdCreateKey is `pkms create-key`, AWS KMS CreateKey.
func newCmdCreateKey(g *globals) *cobra.Command {
	c := opCommand(g, "CreateKey", opDoc{
		Short: operationShort["CreateKey"],
		Members: map[string]string{
			"PkmsExportable":   "pkms only: the key material may leave the vault, wrapped by pkms export-key-material for aws kms import-key-material (escrow, BYOK into a cloud KMS); set only when the key is created, never later",
			"PkmsTokenSigning": "pkms only: with --origin AWS_CLOUDHSM, make an ECC_NIST_P256/P384 or RSA_2048/3072/4096 SIGN_VERIFY key pair in the store's token (AWS allows only symmetric keys there)",
		},
		Differs: "--key-spec SM2 answers UnsupportedOperationException (SM2 is offered only in AWS China Regions), as does --origin EXTERNAL_KEY_STORE. --origin AWS_CLOUDHSM makes the key in a custom key store's PKCS#11 token (see pkms create-custom-key-store --help). --pkms-exportable and --pkms-token-signing are pkms only. The account id in ARNs is the vault's, chosen at pkms vault init.",
		Example: `  # a symmetric encryption key with a description and a tag
  pkms create-key --description "app data key" --tags TagKey=team,TagValue=infra

  # just the new key's id, for scripts
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  echo "$K"

  # an asymmetric signing key (see pkms sign --help) and an HMAC key
  pkms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --query KeyMetadata.SigningAlgorithms
  pkms create-key --key-spec HMAC_256 --key-usage GENERATE_VERIFY_MAC --query KeyMetadata.MacAlgorithms

  # a key for your own (imported) key material, left in PendingImport
  # (see pkms import-key-material --help)
  pkms create-key --origin EXTERNAL --description "my own key material" --query KeyMetadata.KeyState --output text

  # an AES-256 key generated in the PKCS#11 token of a connected custom key store
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout customerCA.key \
      -subj /CN=customerCA -days 365 -out customerCA.crt
  CKS=$(pkms create-custom-key-store --custom-key-store-name lab-hsm --cloud-hsm-cluster-id lab-hsm \
      --trust-anchor-certificate file://customerCA.crt --query CustomKeyStoreId --output text)
  pkms connect-custom-key-store --custom-key-store-id "$CKS"
  pkms create-key --origin AWS_CLOUDHSM --custom-key-store-id "$CKS" --query KeyMetadata.CloudHsmClusterId --output text

  # pkms only: a signing key pair generated in that token; openssl checks its signature
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout customerCA.key \
      -subj /CN=customerCA -days 365 -out customerCA.crt
  CKS=$(pkms create-custom-key-store --custom-key-store-name lab-hsm --cloud-hsm-cluster-id lab-hsm \
      --trust-anchor-certificate file://customerCA.crt --query CustomKeyStoreId --output text)
  pkms connect-custom-key-store --custom-key-store-id "$CKS"
  K=$(pkms create-key --origin AWS_CLOUDHSM --custom-key-store-id "$CKS" --key-spec ECC_NIST_P256 \
      --key-usage SIGN_VERIFY --pkms-token-signing --query KeyMetadata.KeyId --output text)
  echo 'release 1.0' > release.txt
  pkms sign --key-id "$K" --message fileb://release.txt --signing-algorithm ECDSA_SHA_256 \
      --query Signature --output text | base64 -d > release.sig
  pkms get-public-key --key-id "$K" --query PublicKey --output text | base64 -d > public.der
  openssl dgst -sha256 -verify public.der -keyform DER -signature release.sig release.txt`,
	})
	return c
}
