package cmd

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pocketkms/pkms/kms"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// recorder stands in for the vault: it records the input of each call and
// answers with a canned output (or error).
type recorder struct {
	inputs []any
	reply  func(op string, in any) (any, error)
}

func (r *recorder) invoke(_ context.Context, op *kms.Operation, in any) (any, error) {
	r.inputs = append(r.inputs, in)
	if r.reply != nil {
		if out, err := r.reply(op.Name, in); out != nil || err != nil {
			return out, err
		}
	}
	return op.NewOutput(), nil
}

func (r *recorder) close() {}

type result struct {
	code           int
	stdout, stderr string
}

// runWith runs a command line in-process against rec, with a clean environment.
func runWith(t *testing.T, rec *recorder, envs map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{getenv: func(k string) string { return envs[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		tty: func() (*os.File, error) { return nil, os.ErrNotExist }}
	g := newGlobals(e)
	g.newInvoker = func() invoker { return rec }
	code := execute(context.Background(), g, args)
	return result{code, out.String(), errb.String()}
}

func i32(n int32) *int32 { return &n }
func yes() *bool         { b := true; return &b }
func no() *bool          { b := false; return &b }

// TestFlagsToInput checks that command lines become exactly the request a
// script means, compared whole.
func TestFlagsToInput(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "secret.bin")
	if err := os.WriteFile(bin, []byte{0, 1, 2, 0xff}, 0o600); err != nil {
		t.Fatal(err)
	}
	txt := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(txt, []byte("{\"Version\":\"2012-10-17\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want any
	}{
		{"encrypt base64 plaintext and shorthand context",
			[]string{"encrypt", "--key-id", "alias/app", "--plaintext", "aGVsbG8=", "--encryption-context", "purpose=demo,stage=test"},
			&kms.EncryptInput{KeyId: "alias/app", Plaintext: []byte("hello"), EncryptionContext: map[string]string{"purpose": "demo", "stage": "test"}}},
		{"encrypt fileb and JSON context, global option after",
			[]string{"encrypt", "--key-id", "k", "--plaintext", "fileb://" + bin, "--encryption-context", `{"a":"b"}`, "--output", "text"},
			&kms.EncryptInput{KeyId: "k", Plaintext: []byte{0, 1, 2, 0xff}, EncryptionContext: map[string]string{"a": "b"}}},
		{"raw-in-base64-out reads the plaintext literally",
			[]string{"--cli-binary-format", "raw-in-base64-out", "encrypt", "--key-id", "k", "--plaintext", "hello"},
			&kms.EncryptInput{KeyId: "k", Plaintext: []byte("hello")}},
		{"boolean flag and grant tokens as words",
			[]string{"encrypt", "--key-id", "k", "--plaintext", "AA==", "--dry-run", "--grant-tokens", "t1", "t2"},
			&kms.EncryptInput{KeyId: "k", Plaintext: []byte{0}, DryRun: yes(), GrantTokens: []string{"t1", "t2"}}},
		{"a bare list option is an empty list",
			[]string{"encrypt", "--key-id", "k", "--grant-tokens", "--plaintext", "AA=="},
			&kms.EncryptInput{KeyId: "k", Plaintext: []byte{0}, GrantTokens: []string{}}},
		{"--no-dry-run",
			[]string{"encrypt", "--key-id", "k", "--plaintext", "AA==", "--no-dry-run"},
			&kms.EncryptInput{KeyId: "k", Plaintext: []byte{0}, DryRun: no()}},
		{"last repeated option wins",
			[]string{"describe-key", "--key-id", "a", "--key-id", "b"},
			&kms.DescribeKeyInput{KeyId: "b"}},
		{"create-key tags as shorthand words and a policy file",
			[]string{"create-key", "--description", "app data key", "--tags", "TagKey=team,TagValue=infra", "TagKey=env,TagValue=", "--policy", "file://" + txt, "--bypass-policy-lockout-safety-check"},
			&kms.CreateKeyInput{Description: "app data key", Tags: []kms.Tag{{TagKey: "team", TagValue: "infra"}, {TagKey: "env", TagValue: ""}},
				Policy: "{\"Version\":\"2012-10-17\"}\n", BypassPolicyLockoutSafetyCheck: yes()}},
		{"tags as a JSON array",
			[]string{"tag-resource", "--key-id", "k", "--tags", `[{"TagKey":"a","TagValue":"b"}]`},
			&kms.TagResourceInput{KeyId: "k", Tags: []kms.Tag{{TagKey: "a", TagValue: "b"}}}},
		{"tag keys as words",
			[]string{"untag-resource", "--key-id", "k", "--tag-keys", "owner", "note"},
			&kms.UntagResourceInput{KeyId: "k", TagKeys: []string{"owner", "note"}}},
		{"integers",
			[]string{"generate-data-key", "--key-id", "k", "--number-of-bytes", "64"},
			&kms.GenerateDataKeyInput{KeyId: "k", NumberOfBytes: i32(64)}},
		{"enable-key-rotation with a period",
			[]string{"enable-key-rotation", "--key-id", "k", "--rotation-period-in-days", "180"},
			&kms.EnableKeyRotationInput{KeyId: "k", RotationPeriodInDays: i32(180)}},
		{"list-key-rotations with every member",
			[]string{"list-key-rotations", "--key-id", "k", "--include-key-material", "ALL_KEY_MATERIAL", "--limit", "2", "--marker", "m"},
			&kms.ListKeyRotationsInput{KeyId: "k", IncludeKeyMaterial: "ALL_KEY_MATERIAL", Limit: i32(2), Marker: "m"}},
		{"import-key-material of new material",
			[]string{"import-key-material", "--key-id", "k", "--import-token", "AQI=", "--encrypted-key-material", "AQI=", "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE",
				"--import-type", "NEW_KEY_MATERIAL", "--key-material-description", "second"},
			&kms.ImportKeyMaterialInput{KeyId: "k", ImportToken: []byte{1, 2}, EncryptedKeyMaterial: []byte{1, 2}, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
				ImportType: "NEW_KEY_MATERIAL", KeyMaterialDescription: "second"}},
		{"schedule with window",
			[]string{"schedule-key-deletion", "--key-id", "alias/app", "--pending-window-in-days", "7"},
			&kms.ScheduleKeyDeletionInput{KeyId: "alias/app", PendingWindowInDays: i32(7)}},
		{"cli-input-json with a command-line override",
			[]string{"encrypt", "--cli-input-json", `{"KeyId":"from-json","Plaintext":"aGk=","EncryptionContext":{"x":"y"}}`, "--key-id", "from-flag"},
			&kms.EncryptInput{KeyId: "from-flag", Plaintext: []byte("hi"), EncryptionContext: map[string]string{"x": "y"}}},
		{"cli-input-json blobs literal with raw-in-base64-out",
			[]string{"encrypt", "--cli-binary-format", "raw-in-base64-out", "--cli-input-json", `{"KeyId":"k","Plaintext":"aGk="}`},
			&kms.EncryptInput{KeyId: "k", Plaintext: []byte("aGk=")}},
		{"list-aliases raw limit",
			[]string{"list-aliases", "--key-id", "k", "--limit", "5", "--marker", "m"},
			&kms.ListAliasesInput{KeyId: "k", Limit: i32(5), Marker: "m"}},
		{"create-key external origin", []string{"create-key", "--origin", "EXTERNAL", "--key-spec", "SYMMETRIC_DEFAULT", "--key-usage", "ENCRYPT_DECRYPT"},
			&kms.CreateKeyInput{Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT"}},
		{"list-keys", []string{"list-keys", "--limit", "3"}, &kms.ListKeysInput{Limit: i32(3)}},
		{"enable-key", []string{"enable-key", "--key-id", "k"}, &kms.EnableKeyInput{KeyId: "k"}},
		{"disable-key", []string{"disable-key", "--key-id", "k"}, &kms.DisableKeyInput{KeyId: "k"}},
		{"update-key-description to empty", []string{"update-key-description", "--key-id", "k", "--description", ""},
			&kms.UpdateKeyDescriptionInput{KeyId: "k", Description: ""}},
		{"cancel-key-deletion", []string{"cancel-key-deletion", "--key-id", "k"}, &kms.CancelKeyDeletionInput{KeyId: "k"}},
		{"decrypt with context and key", []string{"decrypt", "--ciphertext-blob", "fileb://" + bin, "--encryption-context", "a=b", "--key-id", "alias/app", "--encryption-algorithm", "SYMMETRIC_DEFAULT"},
			&kms.DecryptInput{CiphertextBlob: []byte{0, 1, 2, 0xff}, EncryptionContext: map[string]string{"a": "b"}, KeyId: "alias/app", EncryptionAlgorithm: "SYMMETRIC_DEFAULT"}},
		{"re-encrypt", []string{"re-encrypt", "--ciphertext-blob", "AQI=", "--source-encryption-context", "a=b", "--destination-key-id", "alias/new", "--destination-encryption-context", "c=d"},
			&kms.ReEncryptInput{CiphertextBlob: []byte{1, 2}, SourceEncryptionContext: map[string]string{"a": "b"}, DestinationKeyId: "alias/new", DestinationEncryptionContext: map[string]string{"c": "d"}}},
		{"generate-data-key-without-plaintext", []string{"generate-data-key-without-plaintext", "--key-id", "k", "--key-spec", "AES_128"},
			&kms.GenerateDataKeyWithoutPlaintextInput{KeyId: "k", KeySpec: "AES_128"}},
		{"generate-random", []string{"generate-random", "--number-of-bytes", "32"}, &kms.GenerateRandomInput{NumberOfBytes: i32(32)}},
		{"create-alias", []string{"create-alias", "--alias-name", "alias/app", "--target-key-id", "k"}, &kms.CreateAliasInput{AliasName: "alias/app", TargetKeyId: "k"}},
		{"update-alias", []string{"update-alias", "--alias-name", "alias/app", "--target-key-id", "k2"}, &kms.UpdateAliasInput{AliasName: "alias/app", TargetKeyId: "k2"}},
		{"delete-alias", []string{"delete-alias", "--alias-name", "alias/app"}, &kms.DeleteAliasInput{AliasName: "alias/app"}},
		{"list-resource-tags", []string{"list-resource-tags", "--key-id", "k"}, &kms.ListResourceTagsInput{KeyId: "k"}},
		{"put-key-policy inline", []string{"put-key-policy", "--key-id", "k", "--policy-name", "default", "--policy", `{"Version":"2012-10-17"}`},
			&kms.PutKeyPolicyInput{KeyId: "k", PolicyName: "default", Policy: `{"Version":"2012-10-17"}`}},
		{"get-key-policy", []string{"get-key-policy", "--key-id", "k"}, &kms.GetKeyPolicyInput{KeyId: "k"}},
		{"list-key-policies", []string{"list-key-policies", "--key-id", "k"}, &kms.ListKeyPoliciesInput{KeyId: "k"}},
		{"sign a digest", []string{"sign", "--key-id", "alias/release", "--message", "fileb://" + bin, "--message-type", "DIGEST", "--signing-algorithm", "ECDSA_SHA_256"},
			&kms.SignInput{KeyId: "alias/release", Message: []byte{0, 1, 2, 0xff}, MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256"}},
		{"verify", []string{"verify", "--key-id", "k", "--message", "aGk=", "--signature", "fileb://" + bin, "--signing-algorithm", "RSASSA_PSS_SHA_256"},
			&kms.VerifyInput{KeyId: "k", Message: []byte("hi"), Signature: []byte{0, 1, 2, 0xff}, SigningAlgorithm: "RSASSA_PSS_SHA_256"}},
		{"get-public-key", []string{"get-public-key", "--key-id", "k"}, &kms.GetPublicKeyInput{KeyId: "k"}},
		{"generate-mac", []string{"generate-mac", "--key-id", "k", "--message", "aGk=", "--mac-algorithm", "HMAC_SHA_256"},
			&kms.GenerateMacInput{KeyId: "k", Message: []byte("hi"), MacAlgorithm: "HMAC_SHA_256"}},
		{"verify-mac", []string{"verify-mac", "--key-id", "k", "--message", "aGk=", "--mac", "AQI=", "--mac-algorithm", "HMAC_SHA_256"},
			&kms.VerifyMacInput{KeyId: "k", Message: []byte("hi"), Mac: []byte{1, 2}, MacAlgorithm: "HMAC_SHA_256"}},
		{"derive-shared-secret", []string{"derive-shared-secret", "--key-id", "k", "--key-agreement-algorithm", "ECDH", "--public-key", "fileb://" + bin},
			&kms.DeriveSharedSecretInput{KeyId: "k", KeyAgreementAlgorithm: "ECDH", PublicKey: []byte{0, 1, 2, 0xff}}},
		{"generate-data-key-pair", []string{"generate-data-key-pair", "--key-id", "k", "--key-pair-spec", "RSA_2048", "--encryption-context", "a=b"},
			&kms.GenerateDataKeyPairInput{KeyId: "k", KeyPairSpec: "RSA_2048", EncryptionContext: map[string]string{"a": "b"}}},
		{"generate-data-key-pair-without-plaintext", []string{"generate-data-key-pair-without-plaintext", "--key-id", "k", "--key-pair-spec", "ECC_NIST_P256"},
			&kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: "k", KeyPairSpec: "ECC_NIST_P256"}},
		{"encrypt with RSA-OAEP", []string{"encrypt", "--key-id", "k", "--plaintext", "aGk=", "--encryption-algorithm", "RSAES_OAEP_SHA_256"},
			&kms.EncryptInput{KeyId: "k", Plaintext: []byte("hi"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256"}},
		{"get-parameters-for-import", []string{"get-parameters-for-import", "--key-id", "k", "--wrapping-algorithm", "RSA_AES_KEY_WRAP_SHA_256", "--wrapping-key-spec", "RSA_4096"},
			&kms.GetParametersForImportInput{KeyId: "k", WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec: "RSA_4096"}},
		{"import-key-material with ISO valid-to", []string{"import-key-material", "--key-id", "k", "--encrypted-key-material", "AQI=", "--import-token", "AwQ=",
			"--expiration-model", "KEY_MATERIAL_EXPIRES", "--valid-to", "2023-06-17T12:00:00-08:00"},
			&kms.ImportKeyMaterialInput{KeyId: "k", EncryptedKeyMaterial: []byte{1, 2}, ImportToken: []byte{3, 4}, ExpirationModel: "KEY_MATERIAL_EXPIRES",
				ValidTo: &kms.Timestamp{Time: time.Date(2023, 6, 17, 20, 0, 0, 0, time.UTC)}}},
		{"import-key-material with epoch valid-to", []string{"import-key-material", "--key-id", "k", "--encrypted-key-material", "AQI=", "--import-token", "AwQ=", "--valid-to", "1700000000"},
			&kms.ImportKeyMaterialInput{KeyId: "k", EncryptedKeyMaterial: []byte{1, 2}, ImportToken: []byte{3, 4}, ValidTo: &kms.Timestamp{Time: time.Unix(1700000000, 0).UTC()}}},
		{"delete-imported-key-material", []string{"delete-imported-key-material", "--key-id", "k"}, &kms.DeleteImportedKeyMaterialInput{KeyId: "k"}},
		{"create-key exportable", []string{"create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY", "--pkms-exportable"},
			&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", PkmsExportable: yes()}},
		{"export-key-material", []string{"export-key-material", "--key-id", "k", "--wrapping-public-key", "fileb://" + bin, "--wrapping-algorithm", "RSAES_OAEP_SHA_256"},
			&kms.ExportKeyMaterialInput{KeyId: "k", WrappingPublicKey: []byte{0, 1, 2, 0xff}, WrappingAlgorithm: "RSAES_OAEP_SHA_256"}},
		{"decrypt dry-run modifiers",
			[]string{"decrypt", "--key-id", "k", "--dry-run", "--dry-run-modifiers", "IGNORE_CIPHERTEXT"},
			&kms.DecryptInput{KeyId: "k", DryRun: yes(), DryRunModifiers: []kms.DryRunModifierType{"IGNORE_CIPHERTEXT"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			r := runWith(t, rec, nil, tc.args...)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if len(rec.inputs) != 1 {
				t.Fatalf("%d calls, want 1", len(rec.inputs))
			}
			if !reflect.DeepEqual(rec.inputs[0], tc.want) {
				t.Fatalf("input\n got %#v\nwant %#v", rec.inputs[0], tc.want)
			}
		})
	}
}

// TestUsageErrors checks the client-side failures: no call is made, the
// exit code and the first line of stderr are the AWS CLI's.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"missing required", []string{"encrypt", "--key-id", "k"}, 252, "pkms: [ERROR]: the following arguments are required: --plaintext"},
		{"two missing", []string{"encrypt"}, 252, "pkms: [ERROR]: the following arguments are required: --key-id, --plaintext"},
		{"unknown option", []string{"describe-key", "--key-id", "k", "--bogus"}, 252, "pkms: [ERROR]: Unknown options: --bogus"},
		{"stray word", []string{"describe-key", "--key-id", "k", "extra"}, 252, "pkms: [ERROR]: Unknown options: extra"},
		{"boolean with a value", []string{"encrypt", "--key-id", "k", "--plaintext", "AA==", "--dry-run", "true"}, 252, "pkms: [ERROR]: Unknown options: true"},
		{"bad output", []string{"list-keys", "--output", "xml"}, 252, "pkms: [ERROR]: argument --output: Invalid choice"},
		{"empty key id", []string{"describe-key", "--key-id", ""}, 252, "\nParameter validation failed:\nInvalid length for parameter KeyId, value: 0, valid min length: 1"},
		{"zero bytes", []string{"generate-random", "--number-of-bytes", "0"}, 252, "\nParameter validation failed:\nInvalid value for parameter NumberOfBytes, value: 0, valid min value: 1"},
		{"not an int", []string{"generate-random", "--number-of-bytes", "abc"}, 255, "\ninvalid literal for int() with base 10: 'abc'"},
		{"bad JSON", []string{"encrypt", "--key-id", "k", "--plaintext", "AA==", "--encryption-context", "{not json"}, 252, "\nError parsing parameter '--encryption-context': Invalid JSON:"},
		{"bad base64", []string{"encrypt", "--key-id", "k", "--plaintext", "hello"}, 255, "\nInvalid base64: \"hello\""},
		{"missing file", []string{"encrypt", "--key-id", "k", "--plaintext", "fileb://no-such-file.bin"}, 252, "\nError parsing parameter '--plaintext': Unable to load paramfile fileb://no-such-file.bin"},
		{"unknown cli-input-json member", []string{"describe-key", "--cli-input-json", `{"KeyId":"k","Bogus":1}`}, 252, "\nParameter validation failed:\nUnknown parameter in input: \"Bogus\", must be one of: KeyId, GrantTokens"},
		{"bad query", []string{"list-keys", "--query", "Keys["}, 252, "\nBad value for --query Keys["},
		{"no-paginate with max-items", []string{"list-keys", "--no-paginate", "--max-items", "1"}, 252, "\nError during pagination: Cannot specify --no-paginate along with pagination arguments: --max-items"},
		{"tag without value", []string{"tag-resource", "--key-id", "k", "--tags", "TagKey=a"}, 252, "\nParameter validation failed:\nMissing required parameter in Tags[0]: \"TagValue\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			r := runWith(t, rec, nil, tc.args...)
			if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q\nwant exit %d, stderr starting %q", r.code, r.stderr, tc.code, tc.stderr)
			}
			if r.stdout != "" {
				t.Fatalf("stdout %q, want nothing", r.stdout)
			}
			if len(rec.inputs) != 0 {
				t.Fatalf("made %d calls on a usage error", len(rec.inputs))
			}
		})
	}
}

// TestServiceErrorText checks the AWS form of a KMS exception, including
// the trailing space of an empty message, and exit code 254.
func TestServiceErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  *kms.Error
		want string
	}{
		{&kms.Error{Code: kms.NotFoundException, Message: "Key 'arn:aws:kms:us-east-1:111122223333:key/x' does not exist"},
			"\nAn error occurred (NotFoundException) when calling the DescribeKey operation: Key 'arn:aws:kms:us-east-1:111122223333:key/x' does not exist\n"},
		{&kms.Error{Code: kms.InvalidCiphertextException},
			"\nAn error occurred (InvalidCiphertextException) when calling the DescribeKey operation: \n"},
	} {
		rec := &recorder{reply: func(string, any) (any, error) { return nil, &opError{op: "DescribeKey", err: tc.err} }}
		r := runWith(t, rec, nil, "describe-key", "--key-id", "x")
		if r.code != 254 || r.stderr != tc.want || r.stdout != "" {
			t.Errorf("exit %d stderr %q stdout %q; want 254 %q", r.code, r.stderr, r.stdout, tc.want)
		}
	}
}

var fixedTime = &kms.Timestamp{Time: time.Date(2025, 11, 22, 7, 31, 31, 242e6, time.UTC)}

// goldenBlob is deterministic binary content of n bytes standing in for a
// ciphertext, signature or key in a canned reply.
func goldenBlob(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func goldenTime(days int) *kms.Timestamp {
	return &kms.Timestamp{Time: fixedTime.Time.AddDate(0, 0, days)}
}

// goldenCase is one command line of TestOutputGoldens and the reply the
// fake vault gives it (nil for operations whose output has no members).
type goldenCase struct {
	golden string
	args   []string
	reply  any
}

// goldenCases gives every operation that has an output a realistic reply,
// shaped as AWS returns it, so that each golden holds real output.
func goldenCases() []goldenCase {
	const (
		account = "111122223333"
		keyID   = "1234abcd-12ab-34cd-56ef-1234567890ab"
		arn     = "arn:aws:kms:us-east-1:111122223333:key/" + keyID
		mrkID   = "mrk-1234abcd12ab34cd56ef1234567890ab"
		grantID = "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60"
		policy  = "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::111122223333:root\"\n    },\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}"
	)
	material := strings.Repeat("ab", 32)
	meta := &kms.KeyMetadata{AWSAccountId: account, KeyId: keyID, Arn: arn, CreationDate: fixedTime,
		Enabled: yes(), KeyUsage: "ENCRYPT_DECRYPT", KeyState: "Enabled", Origin: "AWS_KMS", KeyManager: "CUSTOMER",
		CustomerMasterKeySpec: "SYMMETRIC_DEFAULT", KeySpec: "SYMMETRIC_DEFAULT",
		EncryptionAlgorithms: []kms.EncryptionAlgorithm{"SYMMETRIC_DEFAULT"}, MultiRegion: no()}
	replica := &kms.KeyMetadata{AWSAccountId: account, KeyId: mrkID, Arn: "arn:aws:kms:us-west-2:111122223333:key/" + mrkID,
		CreationDate: fixedTime, Enabled: no(), KeyUsage: "ENCRYPT_DECRYPT", KeyState: "Creating", Origin: "AWS_KMS",
		KeyManager: "CUSTOMER", CustomerMasterKeySpec: "SYMMETRIC_DEFAULT", KeySpec: "SYMMETRIC_DEFAULT",
		EncryptionAlgorithms: []kms.EncryptionAlgorithm{"SYMMETRIC_DEFAULT"}, MultiRegion: yes(),
		MultiRegionConfiguration: &kms.MultiRegionConfiguration{MultiRegionKeyType: "REPLICA",
			PrimaryKey:  &kms.MultiRegionKey{Arn: "arn:aws:kms:us-east-1:111122223333:key/" + mrkID, Region: "us-east-1"},
			ReplicaKeys: []kms.MultiRegionKey{{Arn: "arn:aws:kms:us-west-2:111122223333:key/" + mrkID, Region: "us-west-2"}}},
		CurrentKeyMaterialId: material}
	grant := kms.GrantListEntry{KeyId: arn, GrantId: grantID, Name: "golden-grant", CreationDate: fixedTime,
		GranteePrincipal: "arn:aws:iam::111122223333:role/golden-role", IssuingAccount: "arn:aws:iam::111122223333:root",
		Operations:  []kms.GrantOperation{"Encrypt", "Decrypt", "GenerateDataKey"},
		Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"purpose": "golden"}}}
	retirable := grant
	retirable.RetiringPrincipal = "arn:aws:iam::111122223333:role/retiring-role"
	return []goldenCase{
		{"create-key", []string{"create-key"}, &kms.CreateKeyOutput{KeyMetadata: meta}},
		{"encrypt", []string{"encrypt", "--key-id", "k", "--plaintext", "AA=="},
			&kms.EncryptOutput{CiphertextBlob: []byte("ciphertext"), KeyId: arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT"}},
		{"list-aliases", []string{"list-aliases"}, &kms.ListAliasesOutput{Aliases: []kms.AliasListEntry{{AliasName: "alias/app",
			AliasArn: "arn:aws:kms:us-east-1:111122223333:alias/app", TargetKeyId: keyID, CreationDate: fixedTime, LastUpdatedDate: fixedTime}}, Truncated: no()}},
		{"schedule-key-deletion", []string{"schedule-key-deletion", "--key-id", "k", "--pending-window-in-days", "7"},
			&kms.ScheduleKeyDeletionOutput{KeyId: arn, DeletionDate: fixedTime, KeyState: "PendingDeletion", PendingWindowInDays: i32(7)}},
		{"create-alias", []string{"create-alias", "--alias-name", "alias/app", "--target-key-id", "k"}, nil},
		{"describe-key", []string{"describe-key", "--key-id", "k"}, &kms.DescribeKeyOutput{KeyMetadata: meta}},
		{"list-keys", []string{"list-keys"}, &kms.ListKeysOutput{Keys: []kms.KeyListEntry{{KeyId: keyID, KeyArn: arn}}, Truncated: no()}},
		{"cancel-key-deletion", []string{"cancel-key-deletion", "--key-id", "k"}, &kms.CancelKeyDeletionOutput{KeyId: arn}},
		{"decrypt", []string{"decrypt", "--ciphertext-blob", "AA=="},
			&kms.DecryptOutput{KeyId: arn, Plaintext: []byte("plaintext"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT", KeyMaterialId: material}},
		{"re-encrypt", []string{"re-encrypt", "--ciphertext-blob", "AA==", "--destination-key-id", "k"},
			&kms.ReEncryptOutput{CiphertextBlob: []byte("new ciphertext"), SourceKeyId: arn, KeyId: arn,
				SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT", DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
				SourceKeyMaterialId: material, DestinationKeyMaterialId: strings.Repeat("cd", 32)}},
		{"generate-data-key", []string{"generate-data-key", "--key-id", "k", "--key-spec", "AES_128"},
			&kms.GenerateDataKeyOutput{CiphertextBlob: []byte("wrapped"), Plaintext: []byte("0123456789abcdef"), KeyId: arn, KeyMaterialId: material}},
		{"generate-data-key-without-plaintext", []string{"generate-data-key-without-plaintext", "--key-id", "k", "--key-spec", "AES_128"},
			&kms.GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: []byte("wrapped"), KeyId: arn, KeyMaterialId: material}},
		{"generate-random", []string{"generate-random", "--number-of-bytes", "12"}, &kms.GenerateRandomOutput{Plaintext: []byte("random bytes")}},
		{"list-resource-tags", []string{"list-resource-tags", "--key-id", "k"},
			&kms.ListResourceTagsOutput{Tags: []kms.Tag{{TagKey: "team", TagValue: "infra"}, {TagKey: "env", TagValue: ""}}, Truncated: no()}},
		{"get-key-policy", []string{"get-key-policy", "--key-id", "k"}, &kms.GetKeyPolicyOutput{Policy: policy, PolicyName: "default"}},
		{"list-key-policies", []string{"list-key-policies", "--key-id", "k"}, &kms.ListKeyPoliciesOutput{PolicyNames: []string{"default"}, Truncated: no()}},
		{"enable-key", []string{"enable-key", "--key-id", "k"}, nil},
		{"disable-key", []string{"disable-key", "--key-id", "k"}, nil},
		{"update-key-description", []string{"update-key-description", "--key-id", "k", "--description", "d"}, nil},
		{"update-alias", []string{"update-alias", "--alias-name", "alias/app", "--target-key-id", "k"}, nil},
		{"delete-alias", []string{"delete-alias", "--alias-name", "alias/app"}, nil},
		{"tag-resource", []string{"tag-resource", "--key-id", "k", "--tags", "TagKey=a,TagValue=b"}, nil},
		{"untag-resource", []string{"untag-resource", "--key-id", "k", "--tag-keys", "a"}, nil},
		{"put-key-policy", []string{"put-key-policy", "--key-id", "k", "--policy", "{}"}, nil},
		{"sign", []string{"sign", "--key-id", "k", "--message", "aGk=", "--signing-algorithm", "ECDSA_SHA_256"},
			&kms.SignOutput{KeyId: arn, Signature: goldenBlob(71, 0x30), SigningAlgorithm: "ECDSA_SHA_256"}},
		{"verify", []string{"verify", "--key-id", "k", "--message", "aGk=", "--signature", "aGk=", "--signing-algorithm", "ECDSA_SHA_256"},
			&kms.VerifyOutput{KeyId: arn, SignatureValid: yes(), SigningAlgorithm: "ECDSA_SHA_256"}},
		{"get-public-key", []string{"get-public-key", "--key-id", "k"},
			&kms.GetPublicKeyOutput{KeyId: arn, PublicKey: goldenBlob(294, 0x30), CustomerMasterKeySpec: "RSA_2048", KeySpec: "RSA_2048",
				KeyUsage: "SIGN_VERIFY", SigningAlgorithms: []kms.SigningAlgorithm{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384",
					"RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"}}},
		{"generate-mac", []string{"generate-mac", "--key-id", "k", "--message", "aGk=", "--mac-algorithm", "HMAC_SHA_256"},
			&kms.GenerateMacOutput{Mac: goldenBlob(32, 0x11), MacAlgorithm: "HMAC_SHA_256", KeyId: arn}},
		{"verify-mac", []string{"verify-mac", "--key-id", "k", "--message", "aGk=", "--mac", "aGk=", "--mac-algorithm", "HMAC_SHA_256"},
			&kms.VerifyMacOutput{KeyId: arn, MacValid: yes(), MacAlgorithm: "HMAC_SHA_256"}},
		{"derive-shared-secret", []string{"derive-shared-secret", "--key-id", "k", "--key-agreement-algorithm", "ECDH", "--public-key", "aGk="},
			&kms.DeriveSharedSecretOutput{KeyId: arn, SharedSecret: goldenBlob(32, 0x5a), KeyAgreementAlgorithm: "ECDH", KeyOrigin: "AWS_KMS"}},
		{"generate-data-key-pair", []string{"generate-data-key-pair", "--key-id", "k", "--key-pair-spec", "ECC_NIST_P256"},
			&kms.GenerateDataKeyPairOutput{PrivateKeyCiphertextBlob: goldenBlob(218, 0x01), PrivateKeyPlaintext: goldenBlob(138, 0x30),
				PublicKey: goldenBlob(91, 0x30), KeyId: arn, KeyPairSpec: "ECC_NIST_P256", KeyMaterialId: material}},
		{"generate-data-key-pair-without-plaintext", []string{"generate-data-key-pair-without-plaintext", "--key-id", "k", "--key-pair-spec", "ECC_NIST_P256"},
			&kms.GenerateDataKeyPairWithoutPlaintextOutput{PrivateKeyCiphertextBlob: goldenBlob(218, 0x01), PublicKey: goldenBlob(91, 0x30),
				KeyId: arn, KeyPairSpec: "ECC_NIST_P256", KeyMaterialId: material}},
		{"get-parameters-for-import", []string{"get-parameters-for-import", "--key-id", "k", "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048"},
			&kms.GetParametersForImportOutput{KeyId: arn, ImportToken: goldenBlob(120, 0x02), PublicKey: goldenBlob(294, 0x30), ParametersValidTo: goldenTime(1)}},
		{"import-key-material", []string{"import-key-material", "--key-id", "k", "--encrypted-key-material", "AQI=", "--import-token", "AQI="},
			&kms.ImportKeyMaterialOutput{KeyId: arn, KeyMaterialId: material}},
		{"delete-imported-key-material", []string{"delete-imported-key-material", "--key-id", "k"},
			&kms.DeleteImportedKeyMaterialOutput{KeyId: arn, KeyMaterialId: material}},
		{"export-key-material", []string{"export-key-material", "--key-id", "k", "--wrapping-public-key", "AQI=", "--wrapping-algorithm", "RSAES_OAEP_SHA_256"},
			&kms.ExportKeyMaterialOutput{KeyId: arn, EncryptedKeyMaterial: goldenBlob(256, 0x7f), WrappingAlgorithm: "RSAES_OAEP_SHA_256", KeySpec: "SYMMETRIC_DEFAULT"}},
		{"create-grant", []string{"create-grant", "--key-id", "k", "--grantee-principal", "arn:aws:iam::111122223333:role/golden-role", "--operations", "Encrypt", "Decrypt"},
			&kms.CreateGrantOutput{GrantToken: "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNGY3NiKIAQEBAgB4sqeq", GrantId: grantID}},
		{"list-grants", []string{"list-grants", "--key-id", "k"}, &kms.ListGrantsOutput{Grants: []kms.GrantListEntry{grant}, Truncated: no()}},
		{"list-retirable-grants", []string{"list-retirable-grants", "--retiring-principal", "arn:aws:iam::111122223333:role/retiring-role"},
			&kms.ListRetirableGrantsOutput{Grants: []kms.GrantListEntry{retirable}, Truncated: no()}},
		{"get-key-rotation-status", []string{"get-key-rotation-status", "--key-id", "k"},
			&kms.GetKeyRotationStatusOutput{KeyRotationEnabled: yes(), KeyId: arn, RotationPeriodInDays: i32(365), NextRotationDate: goldenTime(365)}},
		{"rotate-key-on-demand", []string{"rotate-key-on-demand", "--key-id", "k"}, &kms.RotateKeyOnDemandOutput{KeyId: keyID}},
		{"list-key-rotations", []string{"list-key-rotations", "--key-id", "k"}, &kms.ListKeyRotationsOutput{Rotations: []kms.RotationsListEntry{
			{KeyId: keyID, KeyMaterialId: material, KeyMaterialState: "NON_CURRENT", RotationDate: goldenTime(-365), RotationType: "AUTOMATIC"},
			{KeyId: keyID, KeyMaterialId: strings.Repeat("cd", 32), KeyMaterialState: "CURRENT", RotationDate: fixedTime, RotationType: "ON_DEMAND"},
		}, Truncated: no()}},
		{"get-key-last-usage", []string{"get-key-last-usage", "--key-id", "k"},
			&kms.GetKeyLastUsageOutput{KeyId: arn, KeyLastUsage: &kms.KeyLastUsageData{Operation: "Decrypt", Timestamp: goldenTime(30),
				KmsRequestId: "5c6b3e2a-8f1d-4c7e-9a0b-3d2e1f4a5b6c"}, TrackingStartDate: goldenTime(-10), KeyCreationDate: fixedTime}},
		{"replicate-key", []string{"replicate-key", "--key-id", mrkID, "--replica-region", "us-west-2"},
			&kms.ReplicateKeyOutput{ReplicaKeyMetadata: replica, ReplicaPolicy: policy, ReplicaTags: []kms.Tag{{TagKey: "team", TagValue: "infra"}}}},
		{"create-custom-key-store", []string{"create-custom-key-store", "--custom-key-store-name", "ExampleKeyStore", "--cloud-hsm-cluster-id", "cluster-1a23b4cdefg",
			"--trust-anchor-certificate", "<certificate-goes-here>", "--key-store-password", "kmsPswd"},
			&kms.CreateCustomKeyStoreOutput{CustomKeyStoreId: "cks-1234567890abcdef0"}},
		{"describe-custom-key-stores", []string{"describe-custom-key-stores"}, &kms.DescribeCustomKeyStoresOutput{CustomKeyStores: []kms.CustomKeyStoresListEntry{{
			CustomKeyStoreId: "cks-1234567890abcdef0", CustomKeyStoreName: "ExampleKeyStore", CloudHsmClusterId: "cluster-1a23b4cdefg",
			TrustAnchorCertificate: "<certificate-goes-here>", ConnectionState: "CONNECTED", CreationDate: fixedTime, CustomKeyStoreType: "AWS_CLOUDHSM"}},
			Truncated: no()}},
	}
}

// TestOutputGoldens renders canned responses in every output format and
// compares them with testdata/golden (rewrite with -update). Every
// operation whose output has members must have a case with a reply of its
// output type, and its goldens must not be empty.
func TestOutputGoldens(t *testing.T) {
	cases := goldenCases()
	covered := map[reflect.Type]bool{}
	for _, tc := range cases {
		if tc.reply != nil {
			covered[reflect.TypeOf(tc.reply)] = true
		}
	}
	for _, op := range kms.Operations() {
		if op.Output.NumField() > 0 && !covered[reflect.PointerTo(op.Output)] {
			t.Errorf("%s has an output but no golden case with a canned %s", op.Name, op.Output.Name())
		}
	}
	for _, tc := range cases {
		for _, output := range []string{"json", "text", "table", "yaml"} {
			name := tc.golden + "." + output
			t.Run(name, func(t *testing.T) {
				var called *kms.Operation
				rec := &recorder{}
				rec.reply = func(op string, _ any) (any, error) {
					called, _ = kms.LookupOperation(op)
					if tc.reply == nil {
						return nil, nil // the zero output
					}
					if reflect.TypeOf(tc.reply) != reflect.PointerTo(called.Output) {
						return nil, fmt.Errorf("canned %T for %s", tc.reply, op)
					}
					return tc.reply, nil
				}
				r := runWith(t, rec, map[string]string{"TZ": "UTC"}, append(tc.args, "--output", output)...)
				if r.code != 0 {
					t.Fatalf("exit %d: %s", r.code, r.stderr)
				}
				if called == nil {
					t.Fatal("the command called no operation")
				}
				if called.Output.NumField() > 0 && strings.TrimSpace(r.stdout) == "" {
					t.Fatalf("%s has an output but printed nothing", called.Name)
				}
				compareGolden(t, name, r.stdout)
			})
		}
	}
}

func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("output differs from %s\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestPagination drives the CLI's own paging over a fake ListKeys of 5 keys
// served 2 per page, checking merged output, --max-items tokens and
// resuming with --starting-token.
func TestPagination(t *testing.T) {
	all := []string{"k1", "k2", "k3", "k4", "k5"}
	serve := func(_ string, in any) (any, error) {
		req := in.(*kms.ListKeysInput)
		start := 0
		if req.Marker != "" {
			for i, k := range all {
				if k == req.Marker {
					start = i + 1
				}
			}
		}
		n := 2
		if req.Limit != nil {
			n = int(*req.Limit)
		}
		end := min(start+n, len(all))
		out := &kms.ListKeysOutput{Truncated: ptrTo(end < len(all))}
		for _, k := range all[start:end] {
			out.Keys = append(out.Keys, kms.KeyListEntry{KeyId: k})
		}
		if end < len(all) {
			out.NextMarker = all[end-1]
		}
		return out, nil
	}
	q := []string{"--query", "Keys[].KeyId", "--output", "text"}
	tests := []struct {
		name  string
		args  []string
		want  string
		calls int
	}{
		{"all pages merged", []string{"list-keys", "--output", "json"}, "{\n    \"Keys\": [\n        {\n            \"KeyId\": \"k1\"\n        },\n        {\n            \"KeyId\": \"k2\"\n        },\n        {\n            \"KeyId\": \"k3\"\n        },\n        {\n            \"KeyId\": \"k4\"\n        },\n        {\n            \"KeyId\": \"k5\"\n        }\n    ]\n}\n", 3},
		// Text output applies --query to each page, then to the token page.
		{"page size", append([]string{"list-keys", "--page-size", "4"}, q...), "k1\tk2\tk3\tk4\nk5\n", 2},
		{"text query per page", []string{"list-keys", "--query", "Keys[0].KeyId", "--output", "text"}, "k1\nk3\nk5\n", 3},
		{"text rows then the token", []string{"list-keys", "--max-items", "3", "--output", "text"},
			"KEYS\tk1\nKEYS\tk2\nKEYS\tk3\nNEXTTOKEN\t" + pageToken{Marker: "k2", Truncate: 1}.encode() + "\n", 2},
		{"text query on a truncated result", append([]string{"list-keys", "--max-items", "1"}, q...), "k1\nNone\n", 1},
		{"json query once on the merged result", []string{"list-keys", "--max-items", "3", "--query", "Keys[0].KeyId", "--output", "json"}, "\"k1\"\n", 2},
		{"yaml-stream prints each page as sent, without NextToken", []string{"list-keys", "--max-items", "3", "--output", "yaml-stream"},
			"- Keys:\n  - KeyId: k1\n  - KeyId: k2\n  NextMarker: k2\n  Truncated: true\n- Keys:\n  - KeyId: k3\n  NextMarker: k4\n  Truncated: true\n", 2},
		{"max-items mid-page", []string{"list-keys", "--max-items", "3", "--query", "[Keys[].KeyId, NextToken]", "--output", "json"},
			"[\n    [\n        \"k1\",\n        \"k2\",\n        \"k3\"\n    ],\n    \"" + pageToken{Marker: "k2", Truncate: 1}.encode() + "\"\n]\n", 2},
		{"resume mid-page", append([]string{"list-keys", "--starting-token", pageToken{Marker: "k2", Truncate: 1}.encode()}, q...), "k4\nk5\n", 2},
		{"max-items on a page boundary", []string{"list-keys", "--max-items", "2", "--query", "NextToken", "--output", "text"}, "None\n" + pageToken{Marker: "k2"}.encode() + "\n", 1},
		{"no-paginate prints the raw page", []string{"list-keys", "--no-paginate", "--output", "json"}, "{\n    \"Keys\": [\n        {\n            \"KeyId\": \"k1\"\n        },\n        {\n            \"KeyId\": \"k2\"\n        }\n    ],\n    \"NextMarker\": \"k2\",\n    \"Truncated\": true\n}\n", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{reply: serve}
			r := runWith(t, rec, nil, tc.args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stdout != tc.want {
				t.Fatalf("stdout\n%q\nwant\n%q", r.stdout, tc.want)
			}
			if len(rec.inputs) != tc.calls {
				t.Fatalf("%d calls, want %d", len(rec.inputs), tc.calls)
			}
		})
	}
	if got := (pageToken{Truncate: 2}).encode(); got != "eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==" {
		t.Fatalf("token %s differs from botocore's", got)
	}
}

func TestKebab(t *testing.T) {
	for in, want := range map[string]string{
		"KeyId": "key-id", "ReEncrypt": "re-encrypt", "AWSAccountId": "aws-account-id",
		"GenerateDataKeyPairWithoutPlaintext": "generate-data-key-pair-without-plaintext",
		"BypassPolicyLockoutSafetyCheck":      "bypass-policy-lockout-safety-check",
		"XksProxyUriEndpoint":                 "xks-proxy-uri-endpoint", "DryRunModifiers": "dry-run-modifiers",
		"PendingWindowInDays": "pending-window-in-days", "GetParametersForImport": "get-parameters-for-import",
	} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestEveryOperationHasACommand(t *testing.T) {
	root := newRoot(newGlobals(&env{getenv: func(string) string { return "" }}), "")
	for _, op := range kms.Operations() {
		c, _, err := root.Find([]string{kebab(op.Name)})
		if err != nil || c.Name() != kebab(op.Name) {
			t.Errorf("no command for %s", op.Name)
			continue
		}
		if c.Example == "" || c.Short == "" {
			t.Errorf("%s has no help example or summary", c.Name())
		}
	}
}

// TestOutfile: --outfile writes the blob raw (mode 0600) and the printed
// result no longer carries it.
func TestOutfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "EncryptedKeyMaterial.bin")
	rec := &recorder{reply: func(string, any) (any, error) {
		return &kms.ExportKeyMaterialOutput{KeyId: "arn", EncryptedKeyMaterial: []byte{9, 8, 7}, WrappingAlgorithm: "RSAES_OAEP_SHA_256"}, nil
	}}
	r := runWith(t, rec, nil, "export-key-material", "--key-id", "k", "--wrapping-public-key", "AQI=", "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--outfile", path)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(b, []byte{9, 8, 7}) {
		t.Fatalf("outfile holds %v, %v", b, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("outfile mode %v", fi.Mode().Perm())
	}
	if strings.Contains(r.stdout, "EncryptedKeyMaterial") || !strings.Contains(r.stdout, `"KeyId": "arn"`) {
		t.Fatalf("stdout %s", r.stdout)
	}
}
