package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("ImportKeyMaterial", newCmdImportKeyMaterial) }

// newCmdImportKeyMaterial is `pkms import-key-material`, AWS KMS ImportKeyMaterial.
func newCmdImportKeyMaterial(g *globals) *cobra.Command {
	return opCommand(g, "ImportKeyMaterial", opDoc{
		Short: operationShort["ImportKeyMaterial"],
		Example: `  # the AWS guide's steps: a key without material, the wrapping key and import
  # token, your material wrapped by openssl, the import; then the key encrypts
  K=$(pkms create-key --origin EXTERNAL --description "my own key material" --query KeyMetadata.KeyId --output text)
  pkms get-parameters-for-import --key-id "$K" --wrapping-algorithm RSAES_OAEP_SHA_256 \
      --wrapping-key-spec RSA_2048 --query '[PublicKey,ImportToken]' --output text > params.txt
  cut -f1 params.txt | base64 -d > WrappingPublicKey.bin
  cut -f2 params.txt | base64 -d > ImportToken.bin
  openssl rand -out PlaintextKeyMaterial.bin 32
  openssl pkeyutl -encrypt -in PlaintextKeyMaterial.bin -out EncryptedKeyMaterial.bin \
      -inkey WrappingPublicKey.bin -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep \
      -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
  pkms import-key-material --key-id "$K" --encrypted-key-material fileb://EncryptedKeyMaterial.bin \
      --import-token fileb://ImportToken.bin --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE
  pkms encrypt --key-id "$K" --plaintext fileb://<(echo hello) --query KeyId --output text

  # material that expires: ValidTo is required with KEY_MATERIAL_EXPIRES (the default)
  K=$(pkms create-key --origin EXTERNAL --query KeyMetadata.KeyId --output text)
  pkms get-parameters-for-import --key-id "$K" --wrapping-algorithm RSAES_OAEP_SHA_256 \
      --wrapping-key-spec RSA_2048 --query '[PublicKey,ImportToken]' --output text > params.txt
  cut -f1 params.txt | base64 -d > WrappingPublicKey.bin
  cut -f2 params.txt | base64 -d > ImportToken.bin
  openssl rand -out PlaintextKeyMaterial.bin 32
  openssl pkeyutl -encrypt -in PlaintextKeyMaterial.bin -out EncryptedKeyMaterial.bin \
      -inkey WrappingPublicKey.bin -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep \
      -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
  pkms import-key-material --key-id "$K" --encrypted-key-material fileb://EncryptedKeyMaterial.bin \
      --import-token fileb://ImportToken.bin --valid-to "$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)"
  pkms describe-key --key-id "$K" --query KeyMetadata.[ExpirationModel,ValidTo] --output text`,
	})
}
