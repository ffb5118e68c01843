package kms

import (
	"bytes"
	"strings"
	"testing"
)

func TestValidateMessages(t *testing.T) {
	long := strings.Repeat("k", 129)
	tests := []struct {
		name string
		in   any
		msg  string // "" = valid
	}{
		{"valid", &EncryptInput{KeyId: "k", Plaintext: []byte("x")}, ""},
		{"length min", &CreateAliasInput{AliasName: "", TargetKeyId: "k"},
			"1 validation error detected: Value '' at 'aliasName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"length max", &DescribeKeyInput{KeyId: strings.Repeat("x", 2049)},
			"1 validation error detected: Value '" + strings.Repeat("x", 2049) + "' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"length counts characters, not bytes", &UpdateKeyDescriptionInput{KeyId: "k", Description: strings.Repeat("é", 8192)}, ""},
		{"numeric min", &GenerateRandomInput{NumberOfBytes: ptr(int32(0))},
			"1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"numeric max", &ListKeysInput{Limit: ptr(int32(1001))},
			"1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"numeric in range", &ScheduleKeyDeletionInput{KeyId: "k", PendingWindowInDays: ptr(int32(365))}, ""},
		{"enum", &GenerateDataKeyInput{KeyId: "k", KeySpec: "AES_512"},
			"1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"},
		{"enum in a list", &DecryptInput{CiphertextBlob: []byte("c"), DryRunModifiers: []DryRunModifierType{"IGNORE_ALL"}},
			"1 validation error detected: Value 'IGNORE_ALL' at 'dryRunModifiers' failed to satisfy constraint: Member must satisfy enum value set: [IGNORE_CIPHERTEXT]"},
		{"pattern", &CreateAliasInput{AliasName: "alias/bad name!", TargetKeyId: "k"},
			"1 validation error detected: Value 'alias/bad name!' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"},
		{"pattern \\u escapes: tab, LF, CR and Latin-1 allowed", &PutKeyPolicyInput{KeyId: "k", Policy: "{\t\n\r \u00e9\u00ff~}"}, ""},
		{"pattern \\u escapes: U+0100", &PutKeyPolicyInput{KeyId: "k", Policy: "{\u0100}"},
			"1 validation error detected: Value '{\u0100}' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
		{"pattern \\u escapes: control character", &PutKeyPolicyInput{KeyId: "k", Policy: "{\x01}"},
			"1 validation error detected: Value '{\x01}' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
		{"pattern is matched against the whole value", &GetKeyPolicyInput{KeyId: "k", PolicyName: "default!"},
			"1 validation error detected: Value 'default!' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+"},
		{"nested list of structures", &TagResourceInput{KeyId: "k", Tags: []Tag{{TagKey: "a", TagValue: "1"}, {TagKey: long, TagValue: "2"}}},
			"1 validation error detected: Value '" + long + "' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"required member absent", &TagResourceInput{KeyId: "k"},
			"1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"nested structure", &GenerateRandomInput{NumberOfBytes: ptr(int32(1)), Recipient: &RecipientInfo{AttestationDocument: []byte{}}},
			"1 validation error detected: Value at 'recipient.attestationDocument' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"two errors", &GenerateRandomInput{NumberOfBytes: ptr(int32(2000)), CustomKeyStoreId: strings.Repeat("c", 65)},
			"2 validation errors detected: Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024; " +
				"Value '" + strings.Repeat("c", 65) + "' at 'customKeyStoreId' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"three errors", &ListAliasesInput{KeyId: strings.Repeat("x", 2049), Limit: ptr(int32(0)), Marker: "\u0100"},
			"3 validation errors detected: Value '" + strings.Repeat("x", 2049) + "' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048; " +
				"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '\u0100' at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*"},
	}
	for _, tt := range tests {
		err := Validate(tt.in)
		if tt.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error, want %q", tt.name, tt.msg)
			continue
		}
		if CodeOf(err) != ValidationException || errMessage(err) != tt.msg {
			t.Errorf("%s:\ngot  %s: %q\nwant ValidationException: %q", tt.name, CodeOf(err), errMessage(err), tt.msg)
		}
	}
}

// TestValidateNeverEchoesBlobs: blob members may be secret, so their value
// is never part of the message.
func TestValidateNeverEchoesBlobs(t *testing.T) {
	secret := bytes.Repeat([]byte("S3CRET"), 1000)[:5000]
	err := Validate(&EncryptInput{KeyId: "k", Plaintext: secret})
	const want = "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
	if errMessage(err) != want {
		t.Errorf("got %q, want %q", errMessage(err), want)
	}
	if strings.Contains(err.Error(), "S3CRET") {
		t.Error("the message echoes the plaintext")
	}
	// Through Invoke too, and for the other blob members.
	e := newEnv(t)
	id := e.newKey()
	for op, in := range map[string]any{
		"Encrypt":   &EncryptInput{KeyId: id, Plaintext: secret},
		"Decrypt":   &DecryptInput{CiphertextBlob: bytes.Repeat(secret, 2)},
		"ReEncrypt": &ReEncryptInput{CiphertextBlob: bytes.Repeat(secret, 2), DestinationKeyId: id},
	} {
		_, err := e.call(op, in)
		wantCode(t, err, ValidationException)
		if err != nil && strings.Contains(err.Error(), "S3CRET") {
			t.Errorf("%s: the message echoes the blob: %.100s", op, err)
		}
	}
}

// TestValidateEnforcesListItemConstraints: the model constrains the items of
// string lists (UntagResource TagKeys: 1–128 characters each; GrantTokens:
// 1–8192). AWS rejects a request with a bad item as ValidationException.
func TestValidateEnforcesListItemConstraints(t *testing.T) {
	tests := []struct {
		name   string
		in     any
		member string
		limit  string
	}{
		{"TagKeys item too long", &UntagResourceInput{KeyId: "k", TagKeys: []string{"ok", strings.Repeat("k", 129)}}, "tagKeys", "Member must have length less than or equal to 128"},
		{"TagKeys item empty", &UntagResourceInput{KeyId: "k", TagKeys: []string{""}}, "tagKeys", "Member must have length greater than or equal to 1"},
		{"GrantTokens item too long", &DescribeKeyInput{KeyId: "k", GrantTokens: []string{strings.Repeat("g", 8193)}}, "grantTokens", "Member must have length less than or equal to 8192"},
	}
	for _, tt := range tests {
		err := Validate(tt.in)
		if CodeOf(err) != ValidationException || !strings.Contains(errMessage(err), "'"+tt.member) || !strings.Contains(errMessage(err), tt.limit) {
			t.Errorf("%s: got %v, want a ValidationException at '%s…' saying %q", tt.name, err, tt.member, tt.limit)
		}
	}
	// End to end: the oversize tag key must not be silently ignored.
	e := newEnv(t)
	id := e.newKey()
	_, err := e.call("UntagResource", &UntagResourceInput{KeyId: id, TagKeys: []string{strings.Repeat("k", 129)}})
	wantCode(t, err, ValidationException)
}

// TestValidRegion follows botocore's validate_region_name, which the AWS
// CLI applies before any request.
func TestValidRegion(t *testing.T) {
	tests := []struct {
		region string
		want   bool
	}{
		{"us-east-1", true},
		{"eu-central-2", true},
		{"US-EAST-1", true},
		{"local", true},
		{"x1", true},
		{"", false},
		{"123", false},
		{"-abc", false},
		{"abc-", false},
		{"a_b", false},
		{"us east!", false},
		{"us-east-1.example", false},
		{strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false},
	}
	for _, tc := range tests {
		if got := ValidRegion(tc.region); got != tc.want {
			t.Errorf("ValidRegion(%q) = %v, want %v", tc.region, got, tc.want)
		}
	}
}
