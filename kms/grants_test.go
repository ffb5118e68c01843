package kms

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testRole    = "arn:aws:iam::111122223333:role/app"
	testUser    = "arn:aws:iam::111122223333:user/alice"
	testRetirer = "arn:aws:iam::111122223333:role/retirer"
)

var grantIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// grant creates a grant and fails the test on error.
func (e *testEnv) grant(in *CreateGrantInput) *CreateGrantOutput {
	e.t.Helper()
	if in.GranteePrincipal == "" {
		in.GranteePrincipal = testRole
	}
	if in.Operations == nil {
		in.Operations = []GrantOperation{GrantOperationDescribeKey}
	}
	return invokeOK[CreateGrantOutput](e, "CreateGrant", in)
}

// listGrants returns every grant ListGrants reports for in (all pages of
// limit items, limit 0 for the default).
func (e *testEnv) listGrants(in ListGrantsInput, limit int) []GrantListEntry {
	e.t.Helper()
	if limit > 0 {
		in.Limit = ptr(int32(limit))
	}
	var all []GrantListEntry
	for _, page := range paginate(e.t, limit, func(marker string) ([]GrantListEntry, string, bool, error) {
		in.Marker = marker
		out, err := e.call("ListGrants", &in)
		if err != nil {
			return nil, "", false, err
		}
		o := out.(*ListGrantsOutput)
		return o.Grants, o.NextMarker, deref(o.Truncated), nil
	}) {
		all = append(all, page...)
	}
	return all
}

func (e *testEnv) listRetirable(principal string, limit int) []GrantListEntry {
	e.t.Helper()
	in := ListRetirableGrantsInput{RetiringPrincipal: principal}
	if limit > 0 {
		in.Limit = ptr(int32(limit))
	}
	var all []GrantListEntry
	for _, page := range paginate(e.t, limit, func(marker string) ([]GrantListEntry, string, bool, error) {
		in.Marker = marker
		out, err := e.call("ListRetirableGrants", &in)
		if err != nil {
			return nil, "", false, err
		}
		o := out.(*ListRetirableGrantsOutput)
		return o.Grants, o.NextMarker, deref(o.Truncated), nil
	}) {
		all = append(all, page...)
	}
	return all
}

func grantIDs(entries []GrantListEntry) []string {
	ids := []string{}
	for _, g := range entries {
		ids = append(ids, g.GrantId)
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

func TestCreateGrantValidation(t *testing.T) {
	e := newEnv(t)
	sym := e.newKey()
	rsaEnc := e.createKey(&CreateKeyInput{KeySpec: KeySpecRsa2048, KeyUsage: KeyUsageEncryptDecrypt}).KeyId
	p256Sign := e.createKey(&CreateKeyInput{KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify}).KeyId
	p256Agree := e.createKey(&CreateKeyInput{KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageKeyAgreement}).KeyId
	hmac := e.createKey(&CreateKeyInput{KeySpec: KeySpecHmac256, KeyUsage: KeyUsageGenerateVerifyMac}).KeyId
	e.createAlias("alias/sym", sym)
	ec := &GrantConstraints{EncryptionContextEquals: map[string]string{"purpose": "test"}}
	pairs := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("k%d", i)] = "v"
		}
		return m
	}
	ops := func(o ...GrantOperation) []GrantOperation { return o }

	tests := []struct {
		name string
		in   CreateGrantInput
		code ErrorCode // "" = success
	}{
		{"symmetric: encryption operations", CreateGrantInput{KeyId: sym, Operations: ops(GrantOperationEncrypt, GrantOperationDecrypt, GrantOperationGenerateDataKey, GrantOperationGenerateDataKeyWithoutPlaintext, GrantOperationGenerateDataKeyPair, GrantOperationGenerateDataKeyPairWithoutPlaintext, GrantOperationReEncryptFrom, GrantOperationReEncryptTo, GrantOperationCreateGrant, GrantOperationRetireGrant, GrantOperationDescribeKey)}, ""},
		{"symmetric by alias", CreateGrantInput{KeyId: "alias/sym", Operations: ops(GrantOperationEncrypt)}, ""},
		{"symmetric by ARN", CreateGrantInput{KeyId: e.keyArn(sym), Operations: ops(GrantOperationEncrypt)}, ""},
		{"symmetric: Sign", CreateGrantInput{KeyId: sym, Operations: ops(GrantOperationEncrypt, GrantOperationSign)}, ValidationException},
		{"symmetric: GenerateMac", CreateGrantInput{KeyId: sym, Operations: ops(GrantOperationGenerateMac)}, ValidationException},
		{"symmetric: GetPublicKey", CreateGrantInput{KeyId: sym, Operations: ops(GrantOperationGetPublicKey)}, ValidationException},
		{"RSA encryption: Encrypt, GetPublicKey", CreateGrantInput{KeyId: rsaEnc, Operations: ops(GrantOperationEncrypt, GrantOperationDecrypt, GrantOperationGetPublicKey)}, ""},
		{"RSA encryption: GenerateDataKey", CreateGrantInput{KeyId: rsaEnc, Operations: ops(GrantOperationGenerateDataKey)}, ValidationException},
		{"signing key: Sign, Verify", CreateGrantInput{KeyId: p256Sign, Operations: ops(GrantOperationSign, GrantOperationVerify, GrantOperationGetPublicKey)}, ""},
		{"signing key: Encrypt", CreateGrantInput{KeyId: p256Sign, Operations: ops(GrantOperationEncrypt)}, ValidationException},
		{"agreement key: DeriveSharedSecret", CreateGrantInput{KeyId: p256Agree, Operations: ops(GrantOperationDeriveSharedSecret)}, ""},
		{"agreement key: Sign", CreateGrantInput{KeyId: p256Agree, Operations: ops(GrantOperationSign)}, ValidationException},
		{"HMAC key: GenerateMac, VerifyMac, DescribeKey", CreateGrantInput{KeyId: hmac, Operations: ops(GrantOperationGenerateMac, GrantOperationVerifyMac, GrantOperationDescribeKey)}, ""},
		{"HMAC key: Verify", CreateGrantInput{KeyId: hmac, Operations: ops(GrantOperationVerify)}, ValidationException},

		{"constraint on Encrypt", CreateGrantInput{KeyId: sym, Operations: ops(GrantOperationEncrypt, GrantOperationDescribeKey), Constraints: ec}, ""},
		{"subset constraint of 8 pairs", CreateGrantInput{KeyId: sym, Operations: ops(GrantOperationDecrypt), Constraints: &GrantConstraints{EncryptionContextSubset: pairs(8)}}, ""},
		{"subset constraint of 9 pairs", CreateGrantInput{KeyId: sym, Operations: ops(GrantOperationDecrypt), Constraints: &GrantConstraints{EncryptionContextSubset: pairs(9)}}, ValidationException},
		{"constraint value of 385", CreateGrantInput{KeyId: sym, Operations: ops(GrantOperationDecrypt), Constraints: &GrantConstraints{EncryptionContextEquals: map[string]string{"k": strings.Repeat("v", 385)}}}, ValidationException},
		{"constraint on Sign", CreateGrantInput{KeyId: p256Sign, Operations: ops(GrantOperationSign), Constraints: ec}, ValidationException},
		{"constraint on an HMAC key's DescribeKey", CreateGrantInput{KeyId: hmac, Operations: ops(GrantOperationDescribeKey), Constraints: ec}, ValidationException},
		{"constraint on RSA Encrypt", CreateGrantInput{KeyId: rsaEnc, Operations: ops(GrantOperationEncrypt), Constraints: ec}, ValidationException},

		{"grantee: account root", CreateGrantInput{KeyId: sym, GranteePrincipal: "arn:aws:iam::444455556666:root"}, ""},
		{"grantee: user with a path", CreateGrantInput{KeyId: sym, GranteePrincipal: "arn:aws:iam::111122223333:user/dev/alice"}, ""},
		{"grantee: assumed role", CreateGrantInput{KeyId: sym, GranteePrincipal: "arn:aws:sts::111122223333:assumed-role/app/session"}, ""},
		{"grantee: GovCloud role", CreateGrantInput{KeyId: sym, GranteePrincipal: "arn:aws-us-gov:iam::111122223333:role/app"}, ""},
		{"grantee: service principal", CreateGrantInput{KeyId: sym, GranteePrincipal: "rds.amazonaws.com"}, InvalidArnException},
		{"grantee: IAM group", CreateGrantInput{KeyId: sym, GranteePrincipal: "arn:aws:iam::111122223333:group/admins"}, InvalidArnException},
		{"grantee: bare name", CreateGrantInput{KeyId: sym, GranteePrincipal: "alice"}, InvalidArnException},
		{"grantee: short account", CreateGrantInput{KeyId: sym, GranteePrincipal: "arn:aws:iam::1111:root"}, InvalidArnException},
		{"retiring: service principal", CreateGrantInput{KeyId: sym, RetiringPrincipal: "rds.us-east-1.amazonaws.com"}, ""},
		{"retiring: bare name", CreateGrantInput{KeyId: sym, RetiringPrincipal: "bob"}, InvalidArnException},

		{"unknown key", CreateGrantInput{KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab"}, NotFoundException},
		{"unknown operation", CreateGrantInput{KeyId: sym, Operations: ops("Launch")}, ValidationException},
		{"bad name", CreateGrantInput{KeyId: sym, Name: "a b"}, ValidationException},
		{"dry run", CreateGrantInput{KeyId: sym, DryRun: ptr(true)}, DryRunOperationException},
		{"forged grant token", CreateGrantInput{KeyId: sym, GrantTokens: []string{"AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNDkxOAF4"}}, InvalidGrantTokenException},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.GranteePrincipal == "" {
				in.GranteePrincipal = testRole
			}
			if in.Operations == nil {
				in.Operations = ops(GrantOperationDescribeKey)
			}
			before := len(e.in(t).listGrants(ListGrantsInput{KeyId: sym}, 0))
			out, err := e.call("CreateGrant", &in)
			after := len(e.in(t).listGrants(ListGrantsInput{KeyId: sym}, 0))
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if after != before {
					t.Errorf("a refused CreateGrant changed the grants of the key: %d → %d", before, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			o := out.(*CreateGrantOutput)
			if !grantIDPattern.MatchString(o.GrantId) || o.GrantToken == "" {
				t.Errorf("GrantId %q, GrantToken %q", o.GrantId, o.GrantToken)
			}
		})
	}
}

func TestCreateGrantIdempotentName(t *testing.T) {
	e := newEnv(t)
	key, other := e.newKey(), e.newKey()
	first := e.grant(&CreateGrantInput{KeyId: key, Name: "app-grant", Operations: []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt}})

	tests := []struct {
		name string
		in   CreateGrantInput
		same bool // the first grant's id comes back
	}{
		{"same request", CreateGrantInput{KeyId: key, Name: "app-grant", Operations: []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt}}, true},
		{"operations in another order", CreateGrantInput{KeyId: key, Name: "app-grant", Operations: []GrantOperation{GrantOperationDecrypt, GrantOperationEncrypt}}, true},
		{"key named by ARN", CreateGrantInput{KeyId: e.keyArn(key), Name: "app-grant", Operations: []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt}}, true},
		{"other operations", CreateGrantInput{KeyId: key, Name: "app-grant", Operations: []GrantOperation{GrantOperationEncrypt}}, false},
		{"other grantee", CreateGrantInput{KeyId: key, Name: "app-grant", GranteePrincipal: testUser, Operations: []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt}}, false},
		{"a retiring principal", CreateGrantInput{KeyId: key, Name: "app-grant", RetiringPrincipal: testRetirer, Operations: []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt}}, false},
		{"a constraint", CreateGrantInput{KeyId: key, Name: "app-grant", Constraints: &GrantConstraints{EncryptionContextSubset: map[string]string{"a": "b"}}, Operations: []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt}}, false},
		{"other key", CreateGrantInput{KeyId: other, Name: "app-grant", Operations: []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt}}, false},
		{"no name", CreateGrantInput{KeyId: key, Operations: []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := e.in(t)
			before := len(e.listGrants(ListGrantsInput{KeyId: tc.in.KeyId}, 0))
			in := tc.in
			out := e.grant(&in)
			after := len(e.listGrants(ListGrantsInput{KeyId: tc.in.KeyId}, 0))
			if (out.GrantId == first.GrantId) != tc.same {
				t.Errorf("GrantId %s, first grant %s, want same=%v", out.GrantId, first.GrantId, tc.same)
			}
			if out.GrantToken == first.GrantToken {
				t.Error("the grant token repeats; every CreateGrant answer must have its own")
			}
			if want := before + map[bool]int{true: 0, false: 1}[tc.same]; after != want {
				t.Errorf("%d grants after, want %d", after, want)
			}
			if _, err := e.call("Encrypt", &EncryptInput{KeyId: key, Plaintext: []byte("x"), GrantTokens: []string{out.GrantToken, first.GrantToken}}); err != nil {
				t.Errorf("the tokens do not work: %v", err)
			}
		})
	}
	// Once the named grant is retired, the same request makes a new grant.
	invokeOK[RetireGrantOutput](e, "RetireGrant", &RetireGrantInput{GrantToken: first.GrantToken})
	again := e.grant(&CreateGrantInput{KeyId: key, Name: "app-grant", Operations: []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt}})
	if again.GrantId == first.GrantId {
		t.Error("a retired grant's id came back for its name")
	}
}

func TestListGrants(t *testing.T) {
	e := newEnv(t)
	key, other := e.newKey(), e.newKey()
	ec := &GrantConstraints{EncryptionContextSubset: map[string]string{"purpose": "test"}}
	a := e.grant(&CreateGrantInput{KeyId: key, Name: "a", GranteePrincipal: testRole, RetiringPrincipal: testRetirer,
		Operations: []GrantOperation{GrantOperationDecrypt, GrantOperationRetireGrant}, Constraints: ec})
	e.clock.Advance(time.Second)
	b := e.grant(&CreateGrantInput{KeyId: key, GranteePrincipal: testUser})
	c := e.grant(&CreateGrantInput{KeyId: key, GranteePrincipal: testUser, Operations: []GrantOperation{GrantOperationEncrypt}})
	o := e.grant(&CreateGrantInput{KeyId: other, GranteePrincipal: testUser})

	// The whole entry, as AWS shows it.
	got := e.listGrants(ListGrantsInput{KeyId: key, GrantId: a.GrantId}, 0)
	want := []GrantListEntry{{KeyId: e.keyArn(key), GrantId: a.GrantId, Name: "a", CreationDate: NewTimestamp(testEpoch),
		GranteePrincipal: testRole, RetiringPrincipal: testRetirer, IssuingAccount: "arn:aws:iam::" + testAccount + ":root",
		Operations: []GrantOperation{GrantOperationDecrypt, GrantOperationRetireGrant}, Constraints: ec}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entry:\n got %+v\nwant %+v", got, want)
	}

	tests := []struct {
		name string
		in   ListGrantsInput
		want []string
		code ErrorCode
	}{
		{"by key id", ListGrantsInput{KeyId: key}, sorted(a.GrantId, b.GrantId, c.GrantId), ""},
		{"by key ARN", ListGrantsInput{KeyId: e.keyArn(key)}, sorted(a.GrantId, b.GrantId, c.GrantId), ""},
		{"other key", ListGrantsInput{KeyId: other}, []string{o.GrantId}, ""},
		{"grant id", ListGrantsInput{KeyId: key, GrantId: b.GrantId}, []string{b.GrantId}, ""},
		{"grant id of another key", ListGrantsInput{KeyId: key, GrantId: o.GrantId}, []string{}, ""},
		{"grantee", ListGrantsInput{KeyId: key, GranteePrincipal: testUser}, sorted(b.GrantId, c.GrantId), ""},
		{"grantee and grant id", ListGrantsInput{KeyId: key, GranteePrincipal: testRole, GrantId: c.GrantId}, []string{}, ""},
		{"malformed grant id", ListGrantsInput{KeyId: key, GrantId: "not-a-grant"}, nil, InvalidGrantIDException},
		{"unknown key", ListGrantsInput{KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab"}, nil, NotFoundException},
		{"bad marker", ListGrantsInput{KeyId: key, Marker: "nonsense"}, nil, InvalidMarkerException},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.code != "" {
				_, err := e.call("ListGrants", &tc.in)
				wantCode(t, err, tc.code)
				return
			}
			for _, limit := range []int{0, 1, 2} {
				if got := grantIDs(e.in(t).listGrants(tc.in, limit)); !slices.Equal(got, tc.want) {
					t.Errorf("limit %d: %v, want %v", limit, got, tc.want)
				}
			}
		})
	}
}

func TestListGrantsPagination(t *testing.T) {
	e := newEnv(t)
	key, other := e.newKey(), e.newKey()
	var want []string
	for i := range 7 {
		want = append(want, e.grant(&CreateGrantInput{KeyId: key, RetiringPrincipal: testRetirer}).GrantId)
		if i%2 == 0 {
			e.grant(&CreateGrantInput{KeyId: other})
		}
	}
	slices.Sort(want)
	for _, limit := range []int{0, 1, 3, 7, 100} {
		if got := grantIDs(e.listGrants(ListGrantsInput{KeyId: key}, limit)); !slices.Equal(got, want) {
			t.Errorf("ListGrants limit %d: %v, want %v", limit, got, want)
		}
		if got := grantIDs(e.listRetirable(testRetirer, limit)); !slices.Equal(got, want) {
			t.Errorf("ListRetirableGrants limit %d: %v, want %v", limit, got, want)
		}
	}
	// One page of exactly the remaining grants is the last one.
	out := invokeOK[ListGrantsOutput](e, "ListGrants", &ListGrantsInput{KeyId: key, Limit: ptr(int32(7))})
	if len(out.Grants) != 7 || deref(out.Truncated) || out.NextMarker != "" {
		t.Errorf("7 of 7: %d grants, Truncated %v, NextMarker %q", len(out.Grants), deref(out.Truncated), out.NextMarker)
	}
}

func TestListRetirableGrants(t *testing.T) {
	e := newEnv(t)
	k1, k2 := e.newKey(), e.newKey()
	g1 := e.grant(&CreateGrantInput{KeyId: k1, RetiringPrincipal: testRetirer})
	g2 := e.grant(&CreateGrantInput{KeyId: k2, RetiringPrincipal: testRetirer})
	e.grant(&CreateGrantInput{KeyId: k1, RetiringPrincipal: testUser})
	e.grant(&CreateGrantInput{KeyId: k2})
	svc := e.grant(&CreateGrantInput{KeyId: k2, RetiringPrincipal: "rds.us-east-1.amazonaws.com"})

	tests := []struct {
		principal string
		want      []string
		code      ErrorCode
	}{
		{testRetirer, sorted(g1.GrantId, g2.GrantId), ""},
		{"rds.us-east-1.amazonaws.com", []string{svc.GrantId}, ""},
		{"arn:aws:iam::111122223333:role/nobody", []string{}, ""},
		{"nobody", nil, InvalidArnException},
	}
	for _, tc := range tests {
		t.Run(tc.principal, func(t *testing.T) {
			if tc.code != "" {
				_, err := e.call("ListRetirableGrants", &ListRetirableGrantsInput{RetiringPrincipal: tc.principal})
				wantCode(t, err, tc.code)
				return
			}
			got := e.in(t).listRetirable(tc.principal, 1)
			if ids := grantIDs(got); !slices.Equal(ids, tc.want) {
				t.Errorf("%v, want %v", ids, tc.want)
			}
			for _, g := range got {
				if !strings.HasPrefix(g.KeyId, "arn:aws:kms:") || g.RetiringPrincipal != tc.principal {
					t.Errorf("entry %+v", g)
				}
			}
		})
	}
}

func TestRetireAndRevokeGrant(t *testing.T) {
	const unknownGrant = "0000000000000000000000000000000000000000000000000000000000000000"
	tests := []struct {
		name string
		// op runs against a fresh key with one grant g (and another key other).
		op   func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any)
		code ErrorCode
		gone bool // g is gone afterwards
	}{
		{"retire by token", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{GrantToken: g.GrantToken}
		}, "", true},
		{"retire by key id and grant id", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{KeyId: key, GrantId: g.GrantId}
		}, "", true},
		{"retire by key ARN and grant id", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{KeyId: e.keyArn(key), GrantId: g.GrantId}
		}, "", true},
		{"retire, dry run", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{GrantToken: g.GrantToken, DryRun: ptr(true)}
		}, DryRunOperationException, false},
		{"retire with a forged token", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{GrantToken: g.GrantToken[:len(g.GrantToken)-2] + "AA"}
		}, InvalidGrantTokenException, false},
		{"retire with a token that is not base64", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{GrantToken: "not a token!"}
		}, InvalidGrantTokenException, false},
		{"retire with nothing", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{}
		}, ValidationException, false},
		{"retire with a grant id only", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{GrantId: g.GrantId}
		}, ValidationException, false},
		{"retire with a malformed grant id", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{KeyId: key, GrantId: "abc"}
		}, InvalidGrantIDException, false},
		{"retire with the wrong key", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RetireGrant", &RetireGrantInput{KeyId: other, GrantId: g.GrantId}
		}, NotFoundException, false},
		{"revoke", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RevokeGrant", &RevokeGrantInput{KeyId: key, GrantId: g.GrantId}
		}, "", true},
		{"revoke, dry run", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RevokeGrant", &RevokeGrantInput{KeyId: key, GrantId: g.GrantId, DryRun: ptr(true)}
		}, DryRunOperationException, false},
		{"revoke an unknown grant", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RevokeGrant", &RevokeGrantInput{KeyId: key, GrantId: unknownGrant}
		}, NotFoundException, false},
		{"revoke a malformed grant id", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RevokeGrant", &RevokeGrantInput{KeyId: key, GrantId: "zz"}
		}, InvalidGrantIDException, false},
		{"revoke with the wrong key", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RevokeGrant", &RevokeGrantInput{KeyId: other, GrantId: g.GrantId}
		}, NotFoundException, false},
		{"revoke on an unknown key", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			return "RevokeGrant", &RevokeGrantInput{KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab", GrantId: g.GrantId}
		}, NotFoundException, false},
		{"revoke on a disabled key", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			e.putState(key, KeyStateDisabled)
			return "RevokeGrant", &RevokeGrantInput{KeyId: key, GrantId: g.GrantId}
		}, "", true},
		{"retire by token twice", func(e *testEnv, key, other string, g *CreateGrantOutput) (string, any) {
			invokeOK[RetireGrantOutput](e, "RetireGrant", &RetireGrantInput{GrantToken: g.GrantToken})
			return "RetireGrant", &RetireGrantInput{GrantToken: g.GrantToken}
		}, NotFoundException, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			key, other := e.newKey(), e.newKey()
			g := e.grant(&CreateGrantInput{KeyId: key, Name: "named", RetiringPrincipal: testRetirer})
			keep := e.grant(&CreateGrantInput{KeyId: key})
			op, in := tc.op(e, key, other, g)
			_, err := e.call(op, in)
			if tc.code == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			} else if tc.code != "" {
				wantCode(t, err, tc.code)
			}
			want := []string{keep.GrantId}
			if !tc.gone {
				want = sorted(keep.GrantId, g.GrantId)
			}
			if got := grantIDs(e.listGrants(ListGrantsInput{KeyId: key}, 0)); !slices.Equal(got, want) {
				t.Errorf("grants after: %v, want %v", got, want)
			}
			if got, retirable := len(e.listRetirable(testRetirer, 0)), !tc.gone; (got == 1) != retirable {
				t.Errorf("%d retirable grants, want the grant listed: %v", got, retirable)
			}
		})
	}
}

func TestGrantLimit(t *testing.T) {
	defer func(n int) { maxGrantsPerKey = n }(maxGrantsPerKey)
	maxGrantsPerKey = 3
	e := newEnv(t)
	key, other := e.newKey(), e.newKey()
	var gs []*CreateGrantOutput
	for range 3 {
		gs = append(gs, e.grant(&CreateGrantInput{KeyId: key, Name: "n"}))
		e.grant(&CreateGrantInput{KeyId: key, Name: "n"}) // idempotent: no new grant
	}
	if gs[0].GrantId != gs[1].GrantId {
		t.Fatal("the same named request made two grants")
	}
	gs = append(gs[:1], e.grant(&CreateGrantInput{KeyId: key}), e.grant(&CreateGrantInput{KeyId: key}))

	steps := []struct {
		name string
		in   CreateGrantInput
		code ErrorCode
	}{
		{"a fourth grant", CreateGrantInput{KeyId: key}, LimitExceededException},
		{"a fourth grant, dry run", CreateGrantInput{KeyId: key, DryRun: ptr(true)}, LimitExceededException},
		{"the existing named grant again", CreateGrantInput{KeyId: key, Name: "n"}, ""},
		{"a grant on another key", CreateGrantInput{KeyId: other}, ""},
	}
	for _, s := range steps {
		in := s.in
		in.GranteePrincipal, in.Operations = testRole, []GrantOperation{GrantOperationDescribeKey}
		_, err := e.call("CreateGrant", &in)
		if s.code == "" && err != nil {
			t.Errorf("%s: %v", s.name, err)
		} else if s.code != "" {
			wantCode(t, err, s.code)
		}
	}
	// Retiring or revoking makes room again.
	invokeOK[RevokeGrantOutput](e, "RevokeGrant", &RevokeGrantInput{KeyId: key, GrantId: gs[1].GrantId})
	e.grant(&CreateGrantInput{KeyId: key})
	_, err := e.call("CreateGrant", &CreateGrantInput{KeyId: key, GranteePrincipal: testRole, Operations: []GrantOperation{GrantOperationDescribeKey}})
	wantCode(t, err, LimitExceededException)
	invokeOK[RetireGrantOutput](e, "RetireGrant", &RetireGrantInput{KeyId: key, GrantId: gs[0].GrantId})
	e.grant(&CreateGrantInput{KeyId: key})
	if n := len(e.listGrants(ListGrantsInput{KeyId: key}, 0)); n != 3 {
		t.Errorf("%d grants, want 3", n)
	}
}

// TestGrantTokensOnEveryOperation sends a forged token, eleven tokens and a
// real token to every operation whose input has GrantTokens.
func TestGrantTokensOnEveryOperation(t *testing.T) {
	n := 0
	for _, op := range Operations() {
		if _, ok := op.Input.FieldByName("GrantTokens"); !ok {
			continue
		}
		n++
		build, ok := matrixInputs[op.Name]
		if !ok {
			t.Errorf("%s takes grant tokens but the matrix test has no input for it", op.Name)
			continue
		}
		t.Run(op.Name, func(t *testing.T) {
			e, c := newMatrixCell(t, KeyStateEnabled, op.Name)
			real := e.grant(&CreateGrantInput{KeyId: c.key}).GrantToken
			withTokens := func(tokens ...string) any {
				in := build(c)
				reflect.ValueOf(in).Elem().FieldByName("GrantTokens").Set(reflect.ValueOf(tokens))
				return in
			}
			_, err := e.call(op.Name, withTokens("forged-token"))
			wantCode(t, err, InvalidGrantTokenException)
			_, err = e.call(op.Name, withTokens(real, real[:len(real)-1]+"x"))
			wantCode(t, err, InvalidGrantTokenException)
			_, err = e.call(op.Name, withTokens(slices.Repeat([]string{real}, 11)...))
			wantCode(t, err, ValidationException)
			if _, err := e.call(op.Name, withTokens(slices.Repeat([]string{real}, 10)...)); CodeOf(err) == InvalidGrantTokenException || CodeOf(err) == ValidationException {
				t.Errorf("ten real tokens: %v", err)
			}
		})
	}
	if n < 15 {
		t.Errorf("only %d operations take grant tokens", n)
	}
	// A token of one vault is not valid in another.
	e1, e2 := newEnv(t), newEnv(t, withSystemRand()) // the same seed would make the same token key
	k1, k2 := e1.newKey(), e2.newKey()
	e2.grant(&CreateGrantInput{KeyId: k2})
	tok := e1.grant(&CreateGrantInput{KeyId: k1}).GrantToken
	_, err := e2.call("Encrypt", &EncryptInput{KeyId: k2, Plaintext: []byte("x"), GrantTokens: []string{tok}})
	wantCode(t, err, InvalidGrantTokenException)
}

// TestPurgeRemovesGrants: when a key's deletion date passes, its grants and
// their index records go with it; other keys' grants stay.
func TestPurgeRemovesGrants(t *testing.T) {
	e := newEnv(t)
	doomed, kept := e.newKey(), e.newKey()
	var doomedGrants []*grantRecord
	for _, name := range []string{"", "named"} {
		g := e.grant(&CreateGrantInput{KeyId: doomed, Name: name, RetiringPrincipal: testRetirer})
		doomedGrants = append(doomedGrants, &grantRecord{GrantID: g.GrantId, KeyID: doomed, Name: name,
			Grantee: testRole, Retiring: testRetirer, Operations: []GrantOperation{GrantOperationDescribeKey}})
	}
	keep := e.grant(&CreateGrantInput{KeyId: kept, Name: "named", RetiringPrincipal: testRetirer})
	invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: doomed, PendingWindowInDays: ptr(int32(7))})

	if got := len(e.listRetirable(testRetirer, 0)); got != 3 {
		t.Fatalf("%d retirable grants before the deletion date, want 3", got)
	}
	e.clock.Advance(7*24*time.Hour + time.Second)
	// Past the date, reads no longer show the grants...
	if got := grantIDs(e.listRetirable(testRetirer, 0)); !slices.Equal(got, []string{keep.GrantId}) {
		t.Errorf("retirable grants past the deletion date: %v, want only %s", got, keep.GrantId)
	}
	// ...and the next write removes them from the vault.
	e.newKey()
	for _, g := range doomedGrants {
		if e.stored(bucketGrants, g.GrantID) {
			t.Errorf("grant %s of the purged key is still in the vault", g.GrantID)
		}
		if g.Name != "" && e.stored(bucketGrantIndex, grantNameID(g)) {
			t.Errorf("the Name index of grant %s is still in the vault", g.GrantID)
		}
	}
	if e.stored(bucketGrantIndex, grantCountID(doomed)) {
		t.Error("the grant counter of the purged key is still in the vault")
	}
	for s := range grantShards {
		if e.stored(bucketGrantIndex, grantShardID(doomed, s)) {
			t.Errorf("shard %d of the purged key's grant ids is still in the vault", s)
		}
	}
	if !e.stored(bucketGrants, keep.GrantId) || !e.stored(bucketGrantIndex, grantCountID(kept)) {
		t.Error("the other key's grant went too")
	}
	if got := grantIDs(e.listGrants(ListGrantsInput{KeyId: kept}, 0)); !slices.Equal(got, []string{keep.GrantId}) {
		t.Errorf("grants of the other key: %v", got)
	}
}

// matrixGrant makes a grant on a key of the key-state matrix. A grant
// cannot be made on a key pending import, so such a key gets material, the
// grant, and loses the material again.
func (e *testEnv) matrixGrant(key string, state KeyState) string {
	e.t.Helper()
	if state == KeyStatePendingImport {
		e.importMaterial(key, cellMaterial)
		defer invokeOK[DeleteImportedKeyMaterialOutput](e, "DeleteImportedKeyMaterial", &DeleteImportedKeyMaterialInput{KeyId: key})
	}
	return e.grant(&CreateGrantInput{KeyId: key}).GrantId
}

// FuzzParseGrantToken: a grant token is untrusted input. Parsing never
// panics, and a token is accepted only if it is exactly the one
// makeGrantToken writes for its grant id and nonce under the key (no other
// spelling of the same bytes, no other key).
func FuzzParseGrantToken(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	id := strings.Repeat("ab", 32)
	good := makeGrantToken(key, id, make([]byte, grantTokenNonce))
	for _, seed := range []string{good, good[:len(good)-1], good + "A", good + "=", strings.ToUpper(good), "", "=", "AQ", "not a token", strings.Repeat("A", 87)} {
		f.Add(seed)
	}
	if _, ok := parseGrantToken(key, good); !ok {
		f.Fatal("the seed token made by makeGrantToken does not parse")
	}
	// The last character carries 2 unused bits: another spelling of the same bytes.
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", good[len(good)-1])
	f.Add(good[:len(good)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last^1]))
	f.Fuzz(func(t *testing.T, tok string) {
		got, ok := parseGrantToken(key, tok)
		if !ok {
			return
		}
		b, _ := base64.RawURLEncoding.DecodeString(tok)
		if got != hex.EncodeToString(b[1:33]) || makeGrantToken(key, got, b[33:33+grantTokenNonce]) != tok {
			t.Fatalf("%q accepted as grant %s but is not the token made for it", tok, got)
		}
		if _, ok := parseGrantToken([]byte("another key, another vault......"), tok); ok {
			t.Fatalf("%q accepted under another key", tok)
		}
	})
}

// TestGrantLimitUnderConcurrentWrites: parallel CreateGrant calls, which
// group commit may put in one transaction, never take a key past its quota
// and leave a counter that agrees with the grants stored.
func TestGrantLimitUnderConcurrentWrites(t *testing.T) {
	defer func(n int) { maxGrantsPerKey = n }(maxGrantsPerKey)
	maxGrantsPerKey = 10
	e := newEnv(t, withSystemRand())
	key := e.newKey()
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for range 30 {
		wg.Go(func() {
			_, err := e.call("CreateGrant", &CreateGrantInput{KeyId: key, GranteePrincipal: testRole, Operations: []GrantOperation{GrantOperationDecrypt}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok, limited := 0, 0
	for err := range errs {
		switch CodeOf(err) {
		case "":
			if err != nil {
				t.Fatal(err)
			}
			ok++
		case LimitExceededException:
			limited++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 10 || limited != 20 {
		t.Errorf("%d created and %d refused, want 10 and 20", ok, limited)
	}
	if n := len(e.listGrants(ListGrantsInput{KeyId: key}, 0)); n != 10 {
		t.Errorf("%d grants stored, want 10", n)
	}
	var n int
	if err := e.svc.view(e.ctx, func(tx *txn) (err error) { n, err = tx.grantCount(key); return err }); err != nil || n != 10 {
		t.Errorf("grant counter %d (%v), want 10", n, err)
	}
}

// Grants belong to their key's region: list-retirable-grants in one region
// never shows another region's, and a grant token made in one region is not
// valid in another (each region has its own token key).
func TestGrantsAreRegional(t *testing.T) {
	e := newEnv(t)
	eu := e.inRegion("eu-west-1")
	gUS := e.grant(&CreateGrantInput{KeyId: e.newKey(), RetiringPrincipal: testRetirer})
	gEU := eu.grant(&CreateGrantInput{KeyId: eu.newKey(), RetiringPrincipal: testRetirer})
	for _, tc := range []struct {
		env  *testEnv
		want string
	}{{e, gUS.GrantId}, {eu, gEU.GrantId}} {
		if ids := grantIDs(tc.env.listRetirable(testRetirer, 0)); !slices.Equal(ids, []string{tc.want}) {
			t.Errorf("%s: retirable grants %v, want [%s]", tc.env.region(), ids, tc.want)
		}
	}
	_, err := eu.call("RetireGrant", &RetireGrantInput{GrantToken: gUS.GrantToken})
	wantCode(t, err, InvalidGrantTokenException)
}

// TestGrantListEntryMembers: the members of a listed grant as AWS sends
// them. A grant made without a name is listed with "Name": "" (AWS's
// list-grants and list-retirable-grants answers show it so); a grant
// without a retiring principal or constraints has no such member, and
// IssuingAccount is always there.
func TestGrantListEntryMembers(t *testing.T) {
	e := newEnv(t)
	key := e.newKey()
	ec := &GrantConstraints{EncryptionContextEquals: map[string]string{"app": "x"}}
	full := e.grant(&CreateGrantInput{KeyId: key, Name: "full", RetiringPrincipal: testRetirer,
		Operations: []GrantOperation{GrantOperationDecrypt}, Constraints: ec})
	bare := e.grant(&CreateGrantInput{KeyId: key})
	unnamed := e.grant(&CreateGrantInput{KeyId: key, RetiringPrincipal: testUser})
	all := []string{"KeyId", "GrantId", "Name", "CreationDate", "GranteePrincipal", "IssuingAccount", "Operations"}

	tests := []struct {
		name  string
		list  func() []GrantListEntry
		grant string
		want  map[string]any // members beyond all, and Name's value
	}{
		{"ListGrants, every member", func() []GrantListEntry { return e.listGrants(ListGrantsInput{KeyId: key, GrantId: full.GrantId}, 0) },
			full.GrantId, map[string]any{"Name": "full", "RetiringPrincipal": testRetirer, "Constraints": map[string]any{"EncryptionContextEquals": map[string]any{"app": "x"}}}},
		{"ListGrants, no optional member", func() []GrantListEntry { return e.listGrants(ListGrantsInput{KeyId: key, GrantId: bare.GrantId}, 0) },
			bare.GrantId, map[string]any{"Name": ""}},
		{"ListRetirableGrants, no name", func() []GrantListEntry { return e.listRetirable(testUser, 0) },
			unnamed.GrantId, map[string]any{"Name": "", "RetiringPrincipal": testUser}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.list()
			if len(got) != 1 || got[0].GrantId != tc.grant {
				t.Fatalf("listed %v, want only %s", grantIDs(got), tc.grant)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(cliJSON(t, got[0])), &m); err != nil {
				t.Fatal(err)
			}
			var members []string
			for k := range m {
				members = append(members, k)
			}
			want := slices.Clone(all)
			for k := range tc.want {
				if !slices.Contains(want, k) {
					want = append(want, k)
				}
			}
			slices.Sort(members)
			slices.Sort(want)
			if !slices.Equal(members, want) {
				t.Errorf("members %v, want %v", members, want)
			}
			for k, v := range tc.want {
				if !reflect.DeepEqual(m[k], v) {
					t.Errorf("%s = %#v, want %#v", k, m[k], v)
				}
			}
		})
	}
}

// countingStore counts, per bucket, the records its transactions read
// (Get, and each record a ForEach visits). An audited read may run in a
// write transaction, so both kinds count.
type countingStore struct {
	*memStore
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingStore) View(fn func(Tx) error) error {
	return c.memStore.View(func(tx Tx) error { return fn(&countingTx{Tx: tx, c: c}) })
}

func (c *countingStore) Update(fn func(Tx) error) error {
	return c.memStore.Update(func(tx Tx) error { return fn(&countingTx{Tx: tx, c: c}) })
}

func (c *countingStore) count(bucket string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads[bucket]++
}

func (c *countingStore) take(bucket string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.reads[bucket]
	c.reads = map[string]int{}
	return n
}

type countingTx struct {
	Tx
	c *countingStore
}

func (t *countingTx) Get(bucket, id string) ([]byte, error) {
	t.c.count(bucket)
	return t.Tx.Get(bucket, id)
}

func (t *countingTx) ForEach(bucket, after string, fn func(string, []byte) error) error {
	return t.Tx.ForEach(bucket, after, func(m string, v []byte) error {
		t.c.count(bucket)
		return fn(m, v)
	})
}

// TestListGrantsReadsOneKey: ListGrants reads the grant records of the key
// it lists and no other key's, however many grants the region holds.
func TestListGrantsReadsOneKey(t *testing.T) {
	for _, tc := range []struct {
		mine, others, limit int
	}{
		{3, 0, 0},
		{3, 200, 0},
		{0, 50, 0},
		{7, 100, 3}, // three pages, each reading one grant past its end
	} {
		t.Run(fmt.Sprintf("%d of %d, limit %d", tc.mine, tc.mine+tc.others, tc.limit), func(t *testing.T) {
			e := newEnv(t)
			counted := &countingStore{memStore: e.store, reads: map[string]int{}}
			lister := &testEnv{t: t, ctx: e.ctx, store: e.store, svc: New(counted, Options{Clock: e.clock.Now}), clock: e.clock}
			key, other := e.newKey(), e.newKey()
			var want []string
			for range tc.mine {
				want = append(want, e.grant(&CreateGrantInput{KeyId: key}).GrantId)
			}
			for range tc.others {
				e.grant(&CreateGrantInput{KeyId: other})
			}
			slices.Sort(want)
			counted.take(bucketGrants)
			got := lister.listGrants(ListGrantsInput{KeyId: key}, tc.limit)
			if ids := grantIDs(got); !slices.Equal(ids, sorted(want...)) && len(want) > 0 {
				t.Fatalf("listed %v, want %v", ids, want)
			}
			wantReads := tc.mine
			if tc.limit > 0 && tc.mine > tc.limit {
				wantReads += (tc.mine - 1) / tc.limit
			}
			if n := counted.take(bucketGrants); n != wantReads {
				t.Errorf("ListGrants read %d grant records, want %d (the key's own)", n, wantReads)
			}
		})
	}
}

// TestGrantIndexFromBefore: a key whose index entry holds only the count
// (as vaults written before the id lists have it) still lists all its
// grants, and its list is made when one of its grants next changes.
func TestGrantIndexFromBefore(t *testing.T) {
	e := newEnv(t)
	key, other := e.newKey(), e.newKey()
	var ids []string
	for range 5 {
		ids = append(ids, e.grant(&CreateGrantInput{KeyId: key}).GrantId)
	}
	e.grant(&CreateGrantInput{KeyId: other})
	// Back to the old entry: the count alone.
	if err := e.store.Update(func(tx Tx) error {
		for s := range grantShards {
			if err := tx.Delete(bucketGrantIndex, grantShardID(key, s)); err != nil {
				return err
			}
		}
		return putJSON(tx, bucketGrantIndex, grantCountID(key), map[string]int{"n": 5})
	}); err != nil {
		t.Fatal(err)
	}
	entry := func() grantIndex {
		var x grantIndex
		if err := e.store.View(func(tx Tx) error { return getJSON(tx, bucketGrantIndex, grantCountID(key), &x) }); err != nil {
			t.Fatal(err)
		}
		return x
	}
	steps := []struct {
		name   string
		do     func()
		want   []string
		listed bool
	}{
		{"listed from the grants bucket", func() {}, sorted(ids...), false},
		{"a new grant makes the list", func() { ids = append(ids, e.grant(&CreateGrantInput{KeyId: key}).GrantId) }, nil, true},
		{"a revoked grant leaves it", func() {
			invokeOK[RevokeGrantOutput](e, "RevokeGrant", &RevokeGrantInput{KeyId: key, GrantId: ids[0]})
			ids = ids[1:]
		}, nil, true},
	}
	for _, st := range steps {
		st.do()
		want := sorted(ids...)
		for _, limit := range []int{0, 2} {
			if got := grantIDs(e.listGrants(ListGrantsInput{KeyId: key}, limit)); !slices.Equal(got, want) {
				t.Errorf("%s, limit %d: %v, want %v", st.name, limit, got, want)
			}
		}
		if x := entry(); x.Listed != st.listed || x.N != len(ids) {
			t.Errorf("%s: index entry %+v, want %d grants, listed %v", st.name, x, len(ids), st.listed)
		}
	}
}
