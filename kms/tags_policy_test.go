package kms

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func (e *testEnv) tags(id string) []Tag {
	e.t.Helper()
	var all []Tag
	for _, page := range paginate(e.t, 50, func(marker string) ([]Tag, string, bool, error) {
		out, err := e.call("ListResourceTags", &ListResourceTagsInput{KeyId: id, Marker: marker})
		if err != nil {
			return nil, "", false, err
		}
		o := out.(*ListResourceTagsOutput)
		return o.Tags, o.NextMarker, deref(o.Truncated), nil
	}) {
		all = append(all, page...)
	}
	return all
}

func (e *testEnv) tag(id string, tags ...Tag) error {
	_, err := e.call("TagResource", &TagResourceInput{KeyId: id, Tags: tags})
	return err
}

func numberedTags(n int) []Tag {
	tags := make([]Tag, n)
	for i := range tags {
		tags[i] = Tag{TagKey: fmt.Sprintf("k%02d", i), TagValue: fmt.Sprintf("v%02d", i)}
	}
	return tags
}

// tagMap turns a tag list into a map, failing on a key listed twice.
func tagMap(t *testing.T, tags []Tag) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, tg := range tags {
		if _, dup := m[tg.TagKey]; dup {
			t.Errorf("tag key %s listed twice", tg.TagKey)
		}
		m[tg.TagKey] = tg.TagValue
	}
	return m
}

func TestTagUntagResource(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	if got := e.tags(id); len(got) != 0 {
		t.Fatalf("a new key has tags %v", got)
	}
	if err := e.tag(id, Tag{"Project", "Alpha"}, Tag{"Dept", "Finance"}, Tag{"Empty", ""}); err != nil {
		t.Fatal(err)
	}
	if err := e.tag(id, Tag{"Project", "Beta"}, Tag{"project", "lower"}); err != nil { // overwrite; keys are case-sensitive
		t.Fatal(err)
	}
	want := map[string]string{"Project": "Beta", "Dept": "Finance", "Empty": "", "project": "lower"}
	if got := tagMap(t, e.tags(id)); !reflect.DeepEqual(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	invokeOK[UntagResourceOutput](e, "UntagResource", &UntagResourceInput{KeyId: id, TagKeys: []string{"Dept", "NoSuchTag", "project"}})
	want = map[string]string{"Project": "Beta", "Empty": ""}
	if got := tagMap(t, e.tags(id)); !reflect.DeepEqual(got, want) {
		t.Errorf("after UntagResource: %v, want %v", got, want)
	}
	// Tags are per key.
	other := e.newKey()
	if got := e.tags(other); len(got) != 0 {
		t.Errorf("another key has tags %v", got)
	}
}

func TestTagRules(t *testing.T) {
	tests := []struct {
		name string
		tags []Tag
		code ErrorCode // "" = accepted
		msg  string
	}{
		{"aws: prefix", []Tag{{"aws:createdBy", "x"}}, TagException, ""},
		{"AWS: prefix", []Tag{{"AWS:x", "x"}}, TagException, ""},
		{"duplicate keys", []Tag{{"a", "1"}, {"a", "2"}}, TagException, ""},
		{"51 tags", numberedTags(51), TagException, ""},
		{"50 tags", numberedTags(50), "", ""},
		{"128-character key", []Tag{{strings.Repeat("k", 128), "v"}}, "", ""},
		{"129-character key", []Tag{{"ok", "v"}, {strings.Repeat("k", 129), "v"}}, ValidationException,
			validationMsg("Value '%s' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128", strings.Repeat("k", 129))},
		{"empty key", []Tag{{"", "v"}}, ValidationException,
			validationMsg("Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"256-character value", []Tag{{"k", strings.Repeat("v", 256)}}, "", ""},
		{"257-character value", []Tag{{"k", strings.Repeat("v", 257)}}, ValidationException,
			validationMsg("Value '%s' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256", strings.Repeat("v", 257))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			id := e.newKey()
			for op, in := range map[string]any{
				"TagResource": &TagResourceInput{KeyId: id, Tags: tt.tags},
				"CreateKey":   &CreateKeyInput{Tags: tt.tags},
			} {
				_, err := e.call(op, in)
				switch {
				case tt.code == "" && err != nil:
					t.Errorf("%s: %v", op, err)
				case tt.code == "":
				case tt.msg != "":
					wantErr(t, err, tt.code, tt.msg)
				default:
					wantCode(t, err, tt.code)
				}
			}
			if tt.code != "" {
				if got := e.tags(id); len(got) != 0 {
					t.Errorf("rejected tags were stored: %v", got)
				}
				if n := len(e.listKeyIDs()); n != 1 {
					t.Errorf("a rejected CreateKey created a key (%d keys)", n)
				}
			}
		})
	}
	e := newEnv(t)
	id := e.newKey()
	_, err := e.call("UntagResource", &UntagResourceInput{KeyId: id, TagKeys: []string{"aws:x"}})
	wantCode(t, err, TagException)
	_, err = e.call("TagResource", &TagResourceInput{KeyId: id})
	wantErr(t, err, ValidationException, validationMsg("Value null at 'tags' failed to satisfy constraint: Member must not be null"))
}

func TestTagLimitAcrossCalls(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	if err := e.tag(id, numberedTags(50)...); err != nil {
		t.Fatal(err)
	}
	if err := e.tag(id, Tag{"k00", "new value"}); err != nil { // overwriting keeps 50
		t.Errorf("overwriting a tag at the limit: %v", err)
	}
	wantCode(t, e.tag(id, Tag{"one-more", "x"}), LimitExceededException)
	if got := tagMap(t, e.tags(id)); len(got) != 50 || got["k00"] != "new value" {
		t.Errorf("%d tags, k00=%q", len(got), got["k00"])
	}
}

func TestListResourceTagsPagination(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	all := numberedTags(5)
	if err := e.tag(id, all...); err != nil {
		t.Fatal(err)
	}
	pages := paginate(t, 2, func(marker string) ([]Tag, string, bool, error) {
		out, err := e.call("ListResourceTags", &ListResourceTagsInput{KeyId: id, Limit: ptr(int32(2)), Marker: marker})
		if err != nil {
			return nil, "", false, err
		}
		o := out.(*ListResourceTagsOutput)
		return o.Tags, o.NextMarker, deref(o.Truncated), nil
	})
	var got []Tag
	for _, p := range pages {
		got = append(got, p...)
	}
	if len(pages) != 3 || !reflect.DeepEqual(tagMap(t, got), tagMap(t, all)) {
		t.Errorf("%d pages, tags %v; want 3 pages with %v", len(pages), got, all)
	}
	for _, marker := range []string{"garbage", "-1", "99"} {
		_, err := e.call("ListResourceTags", &ListResourceTagsInput{KeyId: id, Marker: marker})
		wantCode(t, err, InvalidMarkerException)
	}
}

func TestCreateKeyWithTags(t *testing.T) {
	e := newEnv(t)
	id := e.createKey(&CreateKeyInput{Tags: []Tag{{"Project", "Alpha"}, {"Dept", ""}}}).KeyId
	want := map[string]string{"Project": "Alpha", "Dept": ""}
	if got := tagMap(t, e.tags(id)); !reflect.DeepEqual(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
}

// defaultPolicyText is the key policy AWS attaches to a key created through
// the API without one, in the pretty-printed form GetKeyPolicy returns.
func defaultPolicyText(account string) string {
	return "{\n" +
		"  \"Version\" : \"2012-10-17\",\n" +
		"  \"Id\" : \"key-default-1\",\n" +
		"  \"Statement\" : [ {\n" +
		"    \"Sid\" : \"Enable IAM User Permissions\",\n" +
		"    \"Effect\" : \"Allow\",\n" +
		"    \"Principal\" : {\n" +
		"      \"AWS\" : \"arn:aws:iam::" + account + ":root\"\n" +
		"    },\n" +
		"    \"Action\" : \"kms:*\",\n" +
		"    \"Resource\" : \"*\"\n" +
		"  } ]\n" +
		"}"
}

// documentedDefaultPolicy is the default key policy as the KMS Developer
// Guide prints it (compact Principal); GetKeyPolicy's text must be the same
// JSON document.
const documentedDefaultPolicy = `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : { "AWS" : "arn:aws:iam::111122223333:root" },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`

func TestGetKeyPolicyDefault(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	for _, name := range []string{"", "default"} {
		out := invokeOK[GetKeyPolicyOutput](e, "GetKeyPolicy", &GetKeyPolicyInput{KeyId: id, PolicyName: name})
		if out.Policy != defaultPolicyText(testAccount) || out.PolicyName != "default" {
			t.Errorf("PolicyName %q: got %q\n%s\nwant default and\n%s", name, out.PolicyName, out.Policy, defaultPolicyText(testAccount))
		}
		var got, want any
		if err := json.Unmarshal([]byte(out.Policy), &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(documentedDefaultPolicy), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("the policy is not the documented default policy")
		}
	}
	// The account in the policy is the vault's.
	other := newEnvForAccount(t, "444455556666")
	out := invokeOK[GetKeyPolicyOutput](other, "GetKeyPolicy", &GetKeyPolicyInput{KeyId: other.newKey()})
	if out.Policy != defaultPolicyText("444455556666") {
		t.Errorf("policy of account 444455556666:\n%s", out.Policy)
	}
}

func TestKeyPolicyNameMustBeDefault(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	_, err := e.call("GetKeyPolicy", &GetKeyPolicyInput{KeyId: id, PolicyName: "other"})
	wantCode(t, err, NotFoundException)
	_, err = e.call("PutKeyPolicy", &PutKeyPolicyInput{KeyId: id, PolicyName: "other", Policy: defaultPolicyText(testAccount)})
	wantCode(t, err, NotFoundException)
	_, err = e.call("GetKeyPolicy", &GetKeyPolicyInput{KeyId: id, PolicyName: "bad-name"})
	wantCode(t, err, ValidationException)
}

// policyDoc builds a one-statement key policy.
func policyDoc(effect, principal, action string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"s","Effect":%q,"Principal":%s,"Action":%s,"Resource":"*"}]}`,
		effect, principal, action)
}

const (
	rootPrincipal = `{"AWS":"arn:aws:iam::111122223333:root"}`
	lockoutMsg    = "The new key policy will not allow you to update the key policy in the future."
)

func TestPutKeyPolicy(t *testing.T) {
	padded := func(n int) string { // the default policy padded with spaces to n bytes
		p := defaultPolicyText(testAccount)
		return p[:len(p)-1] + strings.Repeat(" ", n-len(p)) + "}"
	}
	tests := []struct {
		name   string
		policy string
		bypass bool
		code   ErrorCode // "" = accepted
		msg    string    // "" = not checked
	}{
		{"default policy", defaultPolicyText(testAccount), false, "", ""},
		{"kms:* to root", policyDoc("Allow", rootPrincipal, `"kms:*"`), false, "", ""},
		{"kms:Put* to root", policyDoc("Allow", rootPrincipal, `"kms:Put*"`), false, "", ""},
		{"kms:PutKeyPolicy in a list", policyDoc("Allow", `{"AWS":["arn:aws:iam::111122223333:user/u","arn:aws:iam::111122223333:root"]}`, `["kms:Encrypt","kms:PutKeyPolicy"]`), false, "", ""},
		{"* action", policyDoc("Allow", rootPrincipal, `"*"`), false, "", ""},
		{"actions are case-insensitive", policyDoc("Allow", rootPrincipal, `"KMS:putkeypolicy"`), false, "", ""},
		{"kms:*Policy", policyDoc("Allow", rootPrincipal, `"kms:*Policy"`), false, "", ""},
		{"* principal", policyDoc("Allow", `"*"`, `"kms:*"`), false, "", ""},
		{"bare account principal", policyDoc("Allow", `{"AWS":"111122223333"}`, `"kms:*"`), false, "", ""},
		{"exactly 32768 bytes", padded(32768), false, "", ""},
		{"invalid JSON", `{"Version":"2012-10-17","Statement":[`, false, MalformedPolicyDocumentException, ""},
		{"not an object", `[]`, false, MalformedPolicyDocumentException, ""},
		{"no Statement", `{"Version":"2012-10-17"}`, false, MalformedPolicyDocumentException, ""},
		{"bad Effect", policyDoc("Permit", rootPrincipal, `"kms:*"`), false, MalformedPolicyDocumentException, ""},
		{"only kms:Encrypt", policyDoc("Allow", rootPrincipal, `"kms:Encrypt"`), false, MalformedPolicyDocumentException, lockoutMsg},
		{"another account", policyDoc("Allow", `{"AWS":"arn:aws:iam::444455556666:root"}`, `"kms:*"`), false, MalformedPolicyDocumentException, lockoutMsg},
		{"denied after allowed", `{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},` +
			`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:PutKeyPolicy","Resource":"*"}]}`,
			false, MalformedPolicyDocumentException, lockoutMsg},
		{"lockout bypassed", policyDoc("Allow", rootPrincipal, `"kms:Encrypt"`), true, "", ""},
		{"32769 bytes", padded(32769), false, LimitExceededException, ""},
		{"32769 bytes bypassed", padded(32769), true, LimitExceededException, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			id := e.newKey()
			_, err := e.call("PutKeyPolicy", &PutKeyPolicyInput{KeyId: id, Policy: tt.policy, BypassPolicyLockoutSafetyCheck: ptr(tt.bypass)})
			want := defaultPolicyText(testAccount)
			switch {
			case tt.code == "":
				if err != nil {
					t.Fatalf("PutKeyPolicy: %v", err)
				}
				want = tt.policy
			case tt.msg == "":
				wantCode(t, err, tt.code)
			default:
				wantErr(t, err, tt.code, tt.msg)
			}
			if got := invokeOK[GetKeyPolicyOutput](e, "GetKeyPolicy", &GetKeyPolicyInput{KeyId: id}).Policy; got != want {
				t.Errorf("GetKeyPolicy after PutKeyPolicy returned\n%.200s\nwant\n%.200s", got, want)
			}
		})
	}
}

func TestCreateKeyPolicyLockout(t *testing.T) {
	e := newEnv(t)
	locked := policyDoc("Allow", rootPrincipal, `"kms:Encrypt"`)
	_, err := e.call("CreateKey", &CreateKeyInput{Policy: locked})
	wantErr(t, err, MalformedPolicyDocumentException, lockoutMsg)
	if ids := e.listKeyIDs(); len(ids) != 0 {
		t.Errorf("keys %v after a rejected CreateKey", ids)
	}
	id := e.createKey(&CreateKeyInput{Policy: locked, BypassPolicyLockoutSafetyCheck: ptr(true)}).KeyId
	if got := invokeOK[GetKeyPolicyOutput](e, "GetKeyPolicy", &GetKeyPolicyInput{KeyId: id}).Policy; got != locked {
		t.Errorf("policy %s, want %s", got, locked)
	}
}

func TestPolicyCharacterPattern(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	latin1 := policyDoc("Allow", rootPrincipal, `"kms:*"`)
	latin1 = strings.Replace(latin1, `"Sid":"s",`, "\t\"Sid\":\"sé\u00ff\",\r\n", 1)
	invokeOK[PutKeyPolicyOutput](e, "PutKeyPolicy", &PutKeyPolicyInput{KeyId: id, Policy: latin1})
	bad := strings.Replace(latin1, "é", "\u0100", 1)
	_, err := e.call("PutKeyPolicy", &PutKeyPolicyInput{KeyId: id, Policy: bad})
	wantErr(t, err, ValidationException, validationMsg(`Value '%s' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`, bad))
}

func TestListKeyPolicies(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	out := invokeOK[ListKeyPoliciesOutput](e, "ListKeyPolicies", &ListKeyPoliciesInput{KeyId: id})
	if !reflect.DeepEqual(out.PolicyNames, []string{"default"}) || out.Truncated == nil || *out.Truncated || out.NextMarker != "" {
		t.Errorf("got %+v, want PolicyNames [default], Truncated false", out)
	}
	const unknown = "0000aaaa-00aa-40aa-80aa-000000000000"
	_, err := e.call("ListKeyPolicies", &ListKeyPoliciesInput{KeyId: unknown})
	wantErr(t, err, NotFoundException, "Key '"+e.keyArn(unknown)+"' does not exist")
}
