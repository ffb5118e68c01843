package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("DeleteImportedKeyMaterial", newCmdDeleteImportedKeyMaterial) }

// newCmdDeleteImportedKeyMaterial is `pkms delete-imported-key-material`, AWS KMS DeleteImportedKeyMaterial.
func newCmdDeleteImportedKeyMaterial(g *globals) *cobra.Command {
	return opCommand(g, "DeleteImportedKeyMaterial", opDoc{
		Short: operationShort["DeleteImportedKeyMaterial"],
		Example: `  # import 256 bits of your own key material, then delete it: the key is
  # PendingImport (unusable) until the same material is imported again
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
      --import-token fileb://ImportToken.bin --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE
  pkms delete-imported-key-material --key-id "$K"
  pkms describe-key --key-id "$K" --query KeyMetadata.KeyState --output text`,
	})
}
