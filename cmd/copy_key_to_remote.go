package cmd

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/format"
	"github.com/pocketkms/pkms/kms"
)

// newCmdCopyKeyToRemote is `pkms copy-key-to-remote`: the import protocol
// of a cloud KMS run from the vault's side, so that a key created with
// --pkms-exportable on an air-gapped machine moves to a shared KMS in one
// command. The material travels only wrapped under the remote's import
// public key.
func newCmdCopyKeyToRemote(g *globals) *cobra.Command {
	var keyID, targetKeyID, aliasName string
	c := &cobra.Command{
		Use:   "copy-key-to-remote --key-id KEY --endpoint-url URL [--target-key-id KEY] [--alias-name ALIAS]",
		Short: "Copy a --pkms-exportable key into the remote KMS named by --endpoint-url (origin EXTERNAL)",
		Long: `Copies a key created with --pkms-exportable into the KMS named by --endpoint-url
(for AWS KMS: --endpoint-url aws): creates a key there with origin EXTERNAL and
the same key spec and usage (or uses --target-key-id, a PendingImport key of
that spec and usage), runs get-parameters-for-import there, wraps the key
material in the vault under the remote's wrapping key, runs import-key-material
there (material that does not expire), and copies the description, tags and,
with --alias-name, an alias. Prints the remote key's metadata.

The remote key then signs, verifies, MACs and decrypts what the vault key
does for asymmetric and HMAC keys. Symmetric ciphertexts of pkms are not in
AWS's format: re-encrypt data under the remote key.

If a step after the remote key is created fails, the key stays in
PendingImport; the error says how to resume (--target-key-id) or delete it.`,
		Example: `  # move a signing key into another KMS and verify there what the vault signed
  # (pkms serve on a second vault stands in for the KMS; for AWS KMS use
  # --endpoint-url aws with your AWS profile instead)
  K=$(pkms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --pkms-exportable --query KeyMetadata.KeyId --output text)
  PKMS_VAULT=cloud.pkms pkms vault init --scrypt-work-factor 10 > /dev/null
  PKMS_VAULT=cloud.pkms pkms serve credentials create --query '[AccessKeyId,SecretAccessKey]' --output text > creds.txt
  PKMS_VAULT=cloud.pkms pkms serve --listen 127.0.0.1:0 2> serve.log &
  SERVE=$!
  trap 'kill $SERVE' EXIT
  for i in $(seq 100); do grep -q 'listening on' serve.log && break; sleep 0.1; done
  URL=http://$(sed -n 's/.*listening on \([^ ]*\) .*/\1/p' serve.log)
  export AWS_ACCESS_KEY_ID=$(cut -f1 creds.txt) AWS_SECRET_ACCESS_KEY=$(cut -f2 creds.txt) AWS_REGION=us-east-1
  pkms copy-key-to-remote --endpoint-url "$URL" --key-id "$K" --alias-name alias/release --query KeyMetadata.KeyState
  printf 'release 1.0' > msg
  pkms sign --key-id "$K" --message fileb://msg --signing-algorithm ECDSA_SHA_256 --output text --query Signature | base64 -d > sig
  pkms --endpoint-url "$URL" verify --key-id alias/release --message fileb://msg --signing-algorithm ECDSA_SHA_256 \
      --signature fileb://sig --query SignatureValid`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("Unknown options: %s", strings.Join(args, ", "))
			}
			return nil
		},
		RunE: func(c *cobra.Command, _ []string) error {
			if !g.remote.on() {
				return usagef("copy-key-to-remote needs --endpoint-url: the KMS to copy the key to (aws for AWS KMS)")
			}
			opts, err := g.renderOptions("DescribeKey")
			if err != nil {
				return err
			}
			cp := &keyCopy{g: g, local: g.localInvoker(), remote: &remoteInvoker{g: g}}
			defer cp.local.close()
			out, err := cp.run(c.Context(), keyID, targetKeyID, aliasName)
			if err != nil {
				return err
			}
			return format.Render(g.env.stdout, out, opts)
		},
	}
	f := c.Flags()
	f.StringVar(&keyID, "key-id", "", "the vault key to copy (created with --pkms-exportable): key id, ARN or alias")
	f.StringVar(&targetKeyID, "target-key-id", "", "an existing remote key (origin EXTERNAL, PendingImport) to import into instead of creating one")
	f.StringVar(&aliasName, "alias-name", "", "also create this alias (alias/...) for the remote key")
	_ = c.MarkFlagRequired("key-id")
	return c
}

// importableSpecs are the key specs whose material AWS KMS imports.
var importableSpecs = map[kms.KeySpec]bool{
	"SYMMETRIC_DEFAULT": true, "HMAC_224": true, "HMAC_256": true, "HMAC_384": true, "HMAC_512": true,
	"RSA_2048": true, "RSA_3072": true, "RSA_4096": true,
	"ECC_NIST_P256": true, "ECC_NIST_P384": true, "ECC_NIST_P521": true, "ECC_SECG_P256K1": true,
}

// wrappingFor is the wrapping algorithm for a key spec's material: RSA
// private keys are too long for RSA-OAEP alone.
func wrappingFor(spec kms.KeySpec) kms.WrappingAlgorithm {
	if strings.HasPrefix(string(spec), "RSA_") {
		return "RSA_AES_KEY_WRAP_SHA_256"
	}
	return "RSAES_OAEP_SHA_256"
}

// keyCopy runs one copy-key-to-remote.
type keyCopy struct {
	g             *globals
	local, remote invoker
}

func (k *keyCopy) call(ctx context.Context, inv invoker, name string, in any) (any, error) {
	op, _ := kms.LookupOperation(name)
	return inv.invoke(ctx, op, in)
}

func (k *keyCopy) run(ctx context.Context, keyID, targetKeyID, aliasName string) (any, error) {
	out, err := k.call(ctx, k.local, "DescribeKey", &kms.DescribeKeyInput{KeyId: keyID})
	if err != nil {
		return nil, err
	}
	md := out.(*kms.DescribeKeyOutput).KeyMetadata
	if md.CustomKeyStoreId != "" {
		return nil, usagef("%s is in the custom key store %s: its material is in the token and cannot be copied", md.Arn, md.CustomKeyStoreId)
	}
	if !importableSpecs[md.KeySpec] {
		return nil, usagef("%s has key spec %s, whose key material a KMS does not import", md.Arn, md.KeySpec)
	}
	alg := wrappingFor(md.KeySpec)
	// Before anything is created remotely: is the key exportable (and in a
	// state to export)? Wrap its material under a throwaway key and drop it.
	if err := k.probeExport(ctx, md.Arn, alg); err != nil {
		return nil, err
	}
	tags, err := k.localTags(ctx, md.Arn)
	if err != nil {
		return nil, err
	}
	var target string
	if targetKeyID != "" {
		out, err := k.call(ctx, k.remote, "DescribeKey", &kms.DescribeKeyInput{KeyId: targetKeyID})
		if err != nil {
			return nil, err
		}
		t := out.(*kms.DescribeKeyOutput).KeyMetadata
		if t.Origin != "EXTERNAL" || t.KeySpec != md.KeySpec || t.KeyUsage != md.KeyUsage {
			return nil, usagef("--target-key-id %s has origin %s, key spec %s and usage %s; the copy needs origin EXTERNAL, %s and %s",
				t.Arn, t.Origin, t.KeySpec, t.KeyUsage, md.KeySpec, md.KeyUsage)
		}
		target = t.Arn
	} else {
		out, err := k.call(ctx, k.remote, "CreateKey", &kms.CreateKeyInput{Origin: "EXTERNAL", KeySpec: md.KeySpec,
			KeyUsage: md.KeyUsage, Description: md.Description, Tags: tags})
		if err != nil {
			return nil, err
		}
		target = out.(*kms.CreateKeyOutput).KeyMetadata.Arn
	}
	if err := k.importInto(ctx, md.Arn, target, alg); err != nil {
		k.hintResume(keyID, target)
		return nil, err
	}
	if targetKeyID != "" {
		if md.Description != "" {
			if _, err := k.call(ctx, k.remote, "UpdateKeyDescription", &kms.UpdateKeyDescriptionInput{KeyId: target, Description: md.Description}); err != nil {
				return nil, err
			}
		}
		if len(tags) > 0 {
			if _, err := k.call(ctx, k.remote, "TagResource", &kms.TagResourceInput{KeyId: target, Tags: tags}); err != nil {
				return nil, err
			}
		}
	}
	if aliasName != "" {
		if _, err := k.call(ctx, k.remote, "CreateAlias", &kms.CreateAliasInput{AliasName: aliasName, TargetKeyId: target}); err != nil {
			return nil, err
		}
	}
	return k.call(ctx, k.remote, "DescribeKey", &kms.DescribeKeyInput{KeyId: target})
}

// importInto runs the import protocol: the remote's wrapping key and
// token, the material wrapped in the vault, the import.
func (k *keyCopy) importInto(ctx context.Context, source, target string, alg kms.WrappingAlgorithm) error {
	out, err := k.call(ctx, k.remote, "GetParametersForImport", &kms.GetParametersForImportInput{KeyId: target,
		WrappingAlgorithm: alg, WrappingKeySpec: "RSA_4096"})
	if err != nil {
		return err
	}
	params := out.(*kms.GetParametersForImportOutput)
	out, err = k.call(ctx, k.local, "ExportKeyMaterial", &kms.ExportKeyMaterialInput{KeyId: source,
		WrappingPublicKey: params.PublicKey, WrappingAlgorithm: alg})
	if err != nil {
		return err
	}
	wrapped := out.(*kms.ExportKeyMaterialOutput).EncryptedKeyMaterial
	defer clear(wrapped)
	_, err = k.call(ctx, k.remote, "ImportKeyMaterial", &kms.ImportKeyMaterialInput{KeyId: target,
		ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	return err
}

// probeExport checks that the vault exports the key's material by
// wrapping it under a throwaway RSA key whose private half is never used.
func (k *keyCopy) probeExport(ctx context.Context, keyID string, alg kms.WrappingAlgorithm) error {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return err
	}
	out, err := k.call(ctx, k.local, "ExportKeyMaterial", &kms.ExportKeyMaterialInput{KeyId: keyID, WrappingPublicKey: pub, WrappingAlgorithm: alg})
	if err != nil {
		return err
	}
	clear(out.(*kms.ExportKeyMaterialOutput).EncryptedKeyMaterial)
	return nil
}

// localTags are the vault key's tags, every page.
func (k *keyCopy) localTags(ctx context.Context, keyID string) ([]kms.Tag, error) {
	var tags []kms.Tag
	in := &kms.ListResourceTagsInput{KeyId: keyID}
	for {
		out, err := k.call(ctx, k.local, "ListResourceTags", in)
		if err != nil {
			return nil, err
		}
		page := out.(*kms.ListResourceTagsOutput)
		tags = append(tags, page.Tags...)
		if page.NextMarker == "" {
			return tags, nil
		}
		in.Marker = page.NextMarker
	}
}

// hintResume says, before the error itself, what to do with a remote key
// left in PendingImport.
func (k *keyCopy) hintResume(keyID, target string) {
	ep := k.g.remote.endpoint
	fmt.Fprintf(k.g.env.stderr, "pkms: the remote key %s is left in PendingImport.\n"+
		"hint: resume with: pkms --endpoint-url %s copy-key-to-remote --key-id %s --target-key-id %s\n"+
		"hint: or delete it: pkms --endpoint-url %s schedule-key-deletion --key-id %s --pending-window-in-days 7\n",
		target, ep, keyID, target, ep, target)
}
