package kms

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// Two regions of one vault: each sees its own keys and aliases only, the
// same alias name may exist in both, and a key of one region is not found
// in the other, whichever form names it.
func TestRegionsAreDisjoint(t *testing.T) {
	base := newEnv(t)
	east, west := base.inRegion("us-east-1"), base.inRegion("eu-west-1")
	eastKey, westKey := east.newKey(), west.newKey()
	east.createAlias("alias/app", eastKey)
	west.createAlias("alias/app", westKey)
	west.createAlias("alias/west-only", westKey)

	for _, tc := range []struct {
		name    string
		env     *testEnv
		keys    []string
		aliases []string
		appKey  string // the key alias/app names in the region
	}{
		{"us-east-1", east, []string{eastKey}, []string{"alias/app"}, eastKey},
		{"eu-west-1", west, []string{westKey}, []string{"alias/app", "alias/west-only"}, westKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.env.in(t)
			if got := e.listKeyIDs(); !slices.Equal(got, tc.keys) {
				t.Errorf("ListKeys = %v, want %v", got, tc.keys)
			}
			var names []string
			for _, a := range e.listAliases("") {
				names = append(names, a.AliasName)
				if a.AliasArn != e.aliasArn(a.AliasName) {
					t.Errorf("AliasArn = %s, want %s", a.AliasArn, e.aliasArn(a.AliasName))
				}
			}
			slices.Sort(names)
			if !slices.Equal(names, tc.aliases) {
				t.Errorf("ListAliases = %v, want %v", names, tc.aliases)
			}
			if got := e.describe("alias/app").KeyId; got != tc.appKey {
				t.Errorf("alias/app names %s, want %s", got, tc.appKey)
			}
		})
	}

	for _, tc := range []struct {
		name string
		env  *testEnv
		ref  string
		code ErrorCode
		msg  string
	}{
		{"east id in west", west, eastKey, NotFoundException, "Key 'arn:aws:kms:eu-west-1:" + testAccount + ":key/" + eastKey + "' does not exist"},
		{"west id in east", east, westKey, NotFoundException, "Key 'arn:aws:kms:us-east-1:" + testAccount + ":key/" + westKey + "' does not exist"},
		{"west alias in east", east, "alias/west-only", NotFoundException, "Alias arn:aws:kms:us-east-1:" + testAccount + ":alias/west-only is not found."},
		{"east key ARN in west", west, east.keyArn(eastKey), NotFoundException, "Invalid arn us-east-1"},
		{"west alias ARN in east", east, west.aliasArn("alias/app"), NotFoundException, "Invalid arn eu-west-1"},
		{"east ARN with the west region", west, west.keyArn(eastKey), NotFoundException, "Key '" + west.keyArn(eastKey) + "' does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.env.call("DescribeKey", &DescribeKeyInput{KeyId: tc.ref})
			wantErr(t, err, tc.code, tc.msg)
		})
	}

	// Deleting one region's alias leaves the other's.
	invokeOK[DeleteAliasOutput](west, "DeleteAlias", &DeleteAliasInput{AliasName: "alias/app"})
	if got := east.describe("alias/app").KeyId; got != eastKey {
		t.Errorf("after deleting eu-west-1's alias/app, us-east-1's names %s", got)
	}
}

// The key quota is per region: a full region refuses a new key, another
// region of the same vault does not.
func TestKeyQuotaPerRegion(t *testing.T) {
	e := newEnv(t)
	if err := e.store.Update(func(tx Tx) error {
		return putJSON(tx, bucketConfig, "keycount", keyCounter{N: maxKeys})
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		region string
		full   bool
	}{{"us-east-1", true}, {"eu-west-1", false}, {"ap-southeast-2", false}} {
		t.Run(tc.region, func(t *testing.T) {
			_, err := e.inRegion(tc.region).call("CreateKey", &CreateKeyInput{})
			if tc.full {
				wantCode(t, err, LimitExceededException)
			} else if err != nil {
				t.Errorf("CreateKey in %s: %v", tc.region, err)
			}
		})
	}
}

// A vault written before regions existed has its records in the plain
// buckets and no list of regions: they are the default region's, and no
// other region sees them.
func TestOldVaultIsDefaultRegion(t *testing.T) {
	e := newEnv(t)
	id := "0b5d6f7a-1c2e-4f3a-8b9c-0d1e2f3a4b5c"
	mat := material{ID: string(bytes.Repeat([]byte("a"), 64)), Secret: bytes.Repeat([]byte{7}, 32), Created: testEpoch}
	old := keyRecord{KeyID: id, Created: testEpoch, Usage: KeyUsageEncryptDecrypt, Spec: KeySpecSymmetricDefault,
		Origin: OriginAwsKms, State: KeyStateEnabled, Policy: defaultKeyPolicy(testAccount),
		Materials: []material{mat}, CurrentMaterial: mat.ID}
	// The records exactly as the code before regions wrote them: bucket
	// "keys" and "aliases", no key counter, no regions record.
	if err := e.store.Update(func(tx Tx) error {
		b, err := json.Marshal(old)
		if err != nil {
			return err
		}
		if err := tx.Put("keys", id, b); err != nil {
			return err
		}
		now := Timestamp{testEpoch}
		return putJSON(tx, "aliases", "alias/old", aliasRecord{Name: "alias/old", TargetKeyID: id, Created: now, Updated: now})
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  *testEnv
		sees bool
	}{{e, true}, {e.inRegion("us-east-1"), true}, {e.inRegion("eu-west-1"), false}} {
		t.Run(tc.env.region(), func(t *testing.T) {
			e := tc.env.in(t)
			if got := e.listKeyIDs(); slices.Contains(got, id) != tc.sees {
				t.Errorf("ListKeys = %v; old key listed: %v, want %v", got, !tc.sees, tc.sees)
			}
			_, err := e.call("Encrypt", &EncryptInput{KeyId: "alias/old", Plaintext: []byte("x")})
			if tc.sees != (err == nil) {
				t.Errorf("Encrypt with the old alias: %v", err)
			}
		})
	}
	blob := e.encrypt("alias/old", []byte("old data"), nil).CiphertextBlob
	out := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: blob})
	if string(out.Plaintext) != "old data" || out.KeyId != e.keyArn(id) {
		t.Errorf("Decrypt = %q under %s", out.Plaintext, out.KeyId)
	}
}

// Custom key stores belong to a region too.
func TestCustomKeyStoresAreRegional(t *testing.T) {
	e := newEnv(t)
	west := e.inRegion("eu-west-1")
	if err := e.store.Update(func(tx Tx) error {
		return putJSON(tx, "customkeystores@eu-west-1", "cks-1234567890abcdef0", keyStoreRecord{ID: "cks-1234567890abcdef0", Name: "west"})
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  *testEnv
		want int
	}{{e, 0}, {west, 1}} {
		out := invokeOK[DescribeCustomKeyStoresOutput](tc.env, "DescribeCustomKeyStores", &DescribeCustomKeyStoresInput{})
		if len(out.CustomKeyStores) != tc.want {
			t.Errorf("%s: %d custom key stores, want %d", tc.env.region(), len(out.CustomKeyStores), tc.want)
		}
	}
}

// The regions in use are listed once each, the default one implicitly.
func TestRegionsRecorded(t *testing.T) {
	e := newEnv(t)
	for _, r := range []string{"us-east-1", "eu-west-1", "eu-west-1", "ap-south-1"} {
		e.inRegion(r).newKey()
	}
	var l regionList
	if err := e.store.View(func(tx Tx) error { return getJSON(tx, bucketConfig, regionsRecord, &l) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"eu-west-1", "ap-south-1"}; !slices.Equal(l.Regions, want) {
		t.Errorf("regions record = %v, want %v", l.Regions, want)
	}
}

// A deletion scheduled in another region is purged by any later write,
// wherever it runs, with the key's aliases.
func TestPurgeInEveryRegion(t *testing.T) {
	e := newEnv(t)
	west := e.inRegion("eu-west-1")
	id := west.newKey()
	west.createAlias("alias/doomed", id)
	invokeOK[ScheduleKeyDeletionOutput](west, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(7))})
	e.clock.Advance(8 * 24 * time.Hour)
	e.newKey() // a write in us-east-1
	for _, rec := range []struct{ bucket, id string }{
		{"keys@eu-west-1", id}, {"deletions@eu-west-1", id}, {"aliases@eu-west-1", "alias/doomed"},
	} {
		if e.stored(rec.bucket, rec.id) {
			t.Errorf("%s/%s is still in the vault", rec.bucket, rec.id)
		}
	}
}
