package kms

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The ids in the recorded AWS responses, replaced by the ids a test got.
const (
	exampleKeyID      = "1234abcd-12ab-34cd-56ef-1234567890ab"
	exampleMaterialID = "0b7fd7ddbac6eef27907413567cad8c810e2883dc8a7534067a82ee1142fc1e6"
)

// realShapeCreateKey is what the AWS CLI prints (--output json) for
// "create-key" (symmetric, defaults) against AWS KMS.
const realShapeCreateKey = `{
    "KeyMetadata": {
        "AWSAccountId": "111122223333",
        "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
        "Arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "CreationDate": 1763796691.242,
        "Enabled": true,
        "Description": "",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": [
            "SYMMETRIC_DEFAULT"
        ],
        "MultiRegion": false,
        "CurrentKeyMaterialId": "0b7fd7ddbac6eef27907413567cad8c810e2883dc8a7534067a82ee1142fc1e6"
    }
}`

// realShapeCreateKeyExternal is "create-key --origin EXTERNAL", --output json.
const realShapeCreateKeyExternal = `{
    "KeyMetadata": {
        "AWSAccountId": "111122223333",
        "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
        "Arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "CreationDate": 1763796691.5,
        "Enabled": false,
        "Description": "",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "PendingImport",
        "Origin": "EXTERNAL",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": [
            "SYMMETRIC_DEFAULT"
        ],
        "MultiRegion": false
    }
}`

func TestCreateKeyDefaults(t *testing.T) {
	e := newEnv(t)
	out := invokeOK[CreateKeyOutput](e, "CreateKey", &CreateKeyInput{})
	m := out.KeyMetadata
	if !uuidV4Pattern.MatchString(m.KeyId) {
		t.Errorf("KeyId %q is not a version 4 UUID", m.KeyId)
	}
	if !materialIDPattern.MatchString(m.CurrentKeyMaterialId) {
		t.Errorf("CurrentKeyMaterialId %q is not 64 lowercase hex digits", m.CurrentKeyMaterialId)
	}
	want := strings.NewReplacer(exampleKeyID, m.KeyId, exampleMaterialID, m.CurrentKeyMaterialId).Replace(realShapeCreateKey)
	if got := cliJSON(t, out); got != want {
		t.Errorf("CreateKey output:\n%s\nwant (as AWS answers):\n%s", got, want)
	}
	// DescribeKey reports the same metadata.
	if got, want := cliJSON(t, &DescribeKeyOutput{KeyMetadata: e.describe(m.KeyId)}), cliJSON(t, out); got != want {
		t.Errorf("DescribeKey:\n%s\nwant the CreateKey metadata:\n%s", got, want)
	}
}

func TestCreateKeyExternalOrigin(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(time.UnixMilli(1763796691500).UTC())
	out := invokeOK[CreateKeyOutput](e, "CreateKey", &CreateKeyInput{Origin: OriginExternal})
	want := strings.ReplaceAll(realShapeCreateKeyExternal, exampleKeyID, out.KeyMetadata.KeyId)
	if got := cliJSON(t, out); got != want {
		t.Errorf("CreateKey --origin EXTERNAL output:\n%s\nwant (as AWS answers):\n%s", got, want)
	}
}

func TestCreateKeyAcceptsDeprecatedCustomerMasterKeySpec(t *testing.T) {
	e := newEnv(t)
	m := e.createKey(&CreateKeyInput{CustomerMasterKeySpec: CustomerMasterKeySpecSymmetricDefault, KeyUsage: KeyUsageEncryptDecrypt, Description: "d"})
	if m.KeySpec != KeySpecSymmetricDefault || m.CustomerMasterKeySpec != CustomerMasterKeySpecSymmetricDefault || m.Description != "d" {
		t.Errorf("got KeySpec %s, CustomerMasterKeySpec %s, Description %q", m.KeySpec, m.CustomerMasterKeySpec, m.Description)
	}
}

func TestCreateKeyRejects(t *testing.T) {
	tests := []struct {
		name string
		in   CreateKeyInput
		code ErrorCode
	}{
		{"SM2 key", CreateKeyInput{KeySpec: KeySpecSm2, KeyUsage: KeyUsageSignVerify}, UnsupportedOperationException},
		{"ECC key without a usage (AWS defaults to ENCRYPT_DECRYPT)", CreateKeyInput{KeySpec: KeySpecEccNistP256}, ValidationException},
		{"HMAC key with ENCRYPT_DECRYPT", CreateKeyInput{KeySpec: KeySpecHmac256, KeyUsage: KeyUsageEncryptDecrypt}, ValidationException},
		{"ML-DSA key for key agreement", CreateKeyInput{KeySpec: KeySpecMlDsa65, KeyUsage: KeyUsageKeyAgreement}, ValidationException},
		{"secp256k1 for key agreement", CreateKeyInput{KeySpec: KeySpecEccSecgP256k1, KeyUsage: KeyUsageKeyAgreement}, ValidationException},
		{"KeySpec and CustomerMasterKeySpec", CreateKeyInput{KeySpec: KeySpecSymmetricDefault, CustomerMasterKeySpec: CustomerMasterKeySpecSymmetricDefault}, ValidationException},
		{"symmetric SIGN_VERIFY", CreateKeyInput{KeyUsage: KeyUsageSignVerify}, ValidationException},
		{"symmetric GENERATE_VERIFY_MAC", CreateKeyInput{KeySpec: KeySpecSymmetricDefault, KeyUsage: KeyUsageGenerateVerifyMac}, ValidationException},
		{"symmetric KEY_AGREEMENT", CreateKeyInput{KeyUsage: KeyUsageKeyAgreement}, ValidationException},
		{"unknown KeyUsage", CreateKeyInput{KeyUsage: "ENCRYPT"}, ValidationException},
		{"unknown KeySpec", CreateKeyInput{KeySpec: "AES_256"}, ValidationException},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.call("CreateKey", &tt.in)
			wantCode(t, err, tt.code)
			if ids := e.listKeyIDs(); len(ids) != 0 {
				t.Errorf("a failed CreateKey left keys %v", ids)
			}
		})
	}
}

func TestCreateKeyUnknownKeyUsageMessage(t *testing.T) {
	e := newEnv(t)
	_, err := e.call("CreateKey", &CreateKeyInput{KeyUsage: "ENCRYPT"})
	wantErr(t, err, ValidationException, validationMsg("Value 'ENCRYPT' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]"))
}

func TestDescribeKeyReferences(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	e.newKey() // a second key, so that a lookup cannot succeed by accident
	e.createAlias("alias/app", id)
	for _, ref := range []string{id, e.keyArn(id), "alias/app", e.aliasArn("alias/app")} {
		m := e.describe(ref)
		if m.KeyId != id || m.Arn != e.keyArn(id) {
			t.Errorf("DescribeKey %s: got %s (%s), want %s", ref, m.KeyId, m.Arn, id)
		}
	}
}

func TestDescribeKeyErrors(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	e.createAlias("alias/app", id)
	const unknown = "0000aaaa-00aa-40aa-80aa-000000000000"
	tests := []struct {
		ref  string
		code ErrorCode
		msg  string // "" = not checked
	}{
		{unknown, NotFoundException, "Key 'arn:aws:kms:us-east-1:111122223333:key/" + unknown + "' does not exist"},
		{e.keyArn(unknown), NotFoundException, "Key 'arn:aws:kms:us-east-1:111122223333:key/" + unknown + "' does not exist"},
		// Another region (AWS's form) or account names nothing here.
		{"arn:aws:kms:eu-west-1:111122223333:key/" + id, NotFoundException, "Invalid arn eu-west-1"},
		{"arn:aws:kms:us-east-1:444455556666:key/" + id, NotFoundException, "Invalid arn 444455556666"},
		{"arn:aws-cn:kms:us-east-1:111122223333:key/" + id, NotFoundException, "Invalid arn aws-cn"},
		{"arn:aws:kms:eu-west-1:111122223333:alias/app", NotFoundException, "Invalid arn eu-west-1"},
		{"arn:aws:kms:us-east-1:444455556666:alias/app", NotFoundException, "Invalid arn 444455556666"},
		// Not a key id: AWS answers before looking for a key.
		{"fake-key-id", NotFoundException, "Invalid keyId 'fake-key-id'"},
		{"134f2428cec14b25a1ae9048164dba47", NotFoundException, "Invalid keyId '134f2428cec14b25a1ae9048164dba47'"},
		{"mrk-fake-key-id", NotFoundException, "Invalid keyId 'mrk-fake-key-id'"},
		{"key_id", NotFoundException, "Invalid keyId 'key_id'"},
		{unknown + "0", NotFoundException, "Invalid keyId '" + unknown + "0'"},
		{"0000aaaa-00aa-40aa-80aa-00000000000g", NotFoundException, "Invalid keyId '0000aaaa-00aa-40aa-80aa-00000000000g'"},
		{"0000aaaa000aa-40aa-80aa-000000000000", NotFoundException, "Invalid keyId '0000aaaa000aa-40aa-80aa-000000000000'"},
		{e.keyArn("fake-key-id"), NotFoundException, "Invalid keyId 'fake-key-id'"},
		// A well-formed id names a key that does not exist.
		{"mrk-1234abcd12ab34cd56ef1234567890ab", NotFoundException, "Key 'arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab' does not exist"},
		{"alias/nope", NotFoundException, "Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found."},
		{e.aliasArn("alias/nope"), NotFoundException, "Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found."},
		{"arn:aws:kms:us-east-1", InvalidArnException, ""},
		{"arn:aws:kms:us-east-1:111122223333", InvalidArnException, ""},
		{"arn:aws:s3:::bucket/key", InvalidArnException, ""},
		{"arn:aws:kms:us-east-1:111122223333:grant/" + id, InvalidArnException, ""},
		{"arn:aws:kms:us-east-1:111122223333:", InvalidArnException, ""},
	}
	for _, tt := range tests {
		_, err := e.call("DescribeKey", &DescribeKeyInput{KeyId: tt.ref})
		if tt.msg == "" {
			wantCode(t, err, tt.code)
		} else {
			wantErr(t, err, tt.code, tt.msg)
		}
	}
}

func TestListKeysPagination(t *testing.T) {
	e := newEnv(t)
	var want []string
	for range 5 {
		want = append(want, e.newKey())
	}
	slices.Sort(want)
	for _, limit := range []int{1, 2, 3, 5, 1000} {
		pages := paginate(t, limit, func(marker string) ([]KeyListEntry, string, bool, error) {
			out, err := e.call("ListKeys", &ListKeysInput{Limit: ptr(int32(limit)), Marker: marker})
			if err != nil {
				return nil, "", false, err
			}
			o := out.(*ListKeysOutput)
			if o.Truncated == nil {
				t.Errorf("Limit %d: Truncated is absent", limit)
			}
			return o.Keys, o.NextMarker, deref(o.Truncated), nil
		})
		if wantPages := (5 + limit - 1) / limit; len(pages) != wantPages {
			t.Errorf("Limit %d: %d pages, want %d", limit, len(pages), wantPages)
		}
		var got []string
		for _, p := range pages {
			for _, k := range p {
				got = append(got, k.KeyId)
				if k.KeyArn != e.keyArn(k.KeyId) {
					t.Errorf("KeyArn %q for %s", k.KeyArn, k.KeyId)
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("Limit %d visited %v, want each of %v once", limit, got, want)
		}
	}
	// Default page size (100) holds every key.
	out := invokeOK[ListKeysOutput](e, "ListKeys", &ListKeysInput{})
	if len(out.Keys) != 5 || deref(out.Truncated) || out.NextMarker != "" {
		t.Errorf("ListKeys without Limit: %d keys, Truncated %v, NextMarker %q", len(out.Keys), deref(out.Truncated), out.NextMarker)
	}
}

func TestListKeysEmptyVault(t *testing.T) {
	e := newEnv(t)
	out := invokeOK[ListKeysOutput](e, "ListKeys", &ListKeysInput{})
	if out.Keys == nil || len(out.Keys) != 0 || out.Truncated == nil || *out.Truncated {
		t.Errorf("got %+v, want Keys [] and Truncated false", out)
	}
}

func TestListKeysInvalidMarker(t *testing.T) {
	e := newEnv(t)
	e.newKey()
	_, err := e.call("ListKeys", &ListKeysInput{Marker: "not-a-marker"})
	wantCode(t, err, InvalidMarkerException)
}

func TestDisableEnableKey(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	for range 2 { // DisableKey is idempotent
		invokeOK[DisableKeyOutput](e, "DisableKey", &DisableKeyInput{KeyId: id})
		if m := e.describe(id); m.KeyState != KeyStateDisabled || deref(m.Enabled) {
			t.Fatalf("after DisableKey: KeyState %s, Enabled %v", m.KeyState, deref(m.Enabled))
		}
	}
	_, err := e.call("Encrypt", &EncryptInput{KeyId: id, Plaintext: []byte("x")})
	wantErr(t, err, DisabledException, e.keyArn(id)+" is disabled.")
	for range 2 { // EnableKey is idempotent
		invokeOK[EnableKeyOutput](e, "EnableKey", &EnableKeyInput{KeyId: id})
		if m := e.describe(id); m.KeyState != KeyStateEnabled || !deref(m.Enabled) {
			t.Fatalf("after EnableKey: KeyState %s, Enabled %v", m.KeyState, deref(m.Enabled))
		}
	}
	e.encrypt(id, []byte("x"), nil)
}

func TestEnableDisableUnknownKey(t *testing.T) {
	e := newEnv(t)
	const unknown = "0000aaaa-00aa-40aa-80aa-000000000000"
	for op, in := range map[string]any{
		"EnableKey":            &EnableKeyInput{KeyId: unknown},
		"DisableKey":           &DisableKeyInput{KeyId: unknown},
		"UpdateKeyDescription": &UpdateKeyDescriptionInput{KeyId: unknown},
	} {
		_, err := e.call(op, in)
		wantErr(t, err, NotFoundException, "Key '"+e.keyArn(unknown)+"' does not exist")
	}
}

func TestUpdateKeyDescription(t *testing.T) {
	e := newEnv(t)
	id := e.createKey(&CreateKeyInput{Description: "first"}).KeyId
	for _, d := range []string{"second", "", strings.Repeat("d", 8192)} {
		invokeOK[UpdateKeyDescriptionOutput](e, "UpdateKeyDescription", &UpdateKeyDescriptionInput{KeyId: id, Description: d})
		if got := e.describe(id).Description; got != d {
			t.Errorf("Description %q, want %q", got, d)
		}
	}
	_, err := e.call("UpdateKeyDescription", &UpdateKeyDescriptionInput{KeyId: id, Description: strings.Repeat("d", 8193)})
	wantCode(t, err, ValidationException)
}

func TestRegionOption(t *testing.T) {
	e := newEnv(t, withRegion("eu-west-2"))
	if e.svc.Region() != "eu-west-2" {
		t.Fatalf("Region() = %s", e.svc.Region())
	}
	m := e.createKey(&CreateKeyInput{})
	wantArn := "arn:aws:kms:eu-west-2:111122223333:key/" + m.KeyId
	if m.Arn != wantArn {
		t.Errorf("Arn %s, want %s", m.Arn, wantArn)
	}
	e.createAlias("alias/app", m.KeyId)
	if got := e.describe(wantArn).KeyId; got != m.KeyId {
		t.Errorf("DescribeKey by eu-west-2 ARN: %s", got)
	}
	if got := e.describe("arn:aws:kms:eu-west-2:111122223333:alias/app").KeyId; got != m.KeyId {
		t.Errorf("DescribeKey by eu-west-2 alias ARN: %s", got)
	}
	if a := e.listAliases(""); len(a) != 1 || a[0].AliasArn != "arn:aws:kms:eu-west-2:111122223333:alias/app" {
		t.Errorf("ListAliases: %+v", a)
	}
	if got := e.encrypt("alias/app", []byte("x"), nil).KeyId; got != wantArn {
		t.Errorf("Encrypt KeyId %s, want %s", got, wantArn)
	}
	usEast := "arn:aws:kms:us-east-1:111122223333:key/" + m.KeyId
	_, err := e.call("DescribeKey", &DescribeKeyInput{KeyId: usEast})
	wantErr(t, err, NotFoundException, "Invalid arn us-east-1")
	invokeOK[DisableKeyOutput](e, "DisableKey", &DisableKeyInput{KeyId: m.KeyId})
	_, err = e.call("Encrypt", &EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, DisabledException, wantArn+" is disabled.")
}
