package kms

import (
	"bytes"
	"regexp"
	"slices"
	"testing"
	"time"
)

var mrkPattern = regexp.MustCompile(`^mrk-[0-9a-f]{32}$`)

// mrkConfig checks a key's MultiRegionConfiguration: its type, the
// primary's region and the replicas' regions.
func mrkConfig(t *testing.T, m *KeyMetadata, typ MultiRegionKeyType, primary string, replicas ...string) {
	t.Helper()
	if m.MultiRegion == nil || !*m.MultiRegion || m.MultiRegionConfiguration == nil {
		t.Fatalf("%s: MultiRegion %v, configuration %v", m.Arn, m.MultiRegion, m.MultiRegionConfiguration)
	}
	c := m.MultiRegionConfiguration
	arn := func(r string) string { return "arn:aws:kms:" + r + ":" + testAccount + ":key/" + m.KeyId }
	if c.MultiRegionKeyType != typ || c.PrimaryKey == nil || *c.PrimaryKey != (MultiRegionKey{Arn: arn(primary), Region: primary}) {
		t.Errorf("%s: type %s primary %+v, want %s in %s", m.Arn, c.MultiRegionKeyType, c.PrimaryKey, typ, primary)
	}
	want := []MultiRegionKey{}
	for _, r := range replicas {
		want = append(want, MultiRegionKey{Arn: arn(r), Region: r})
	}
	if !slices.Equal(c.ReplicaKeys, want) {
		t.Errorf("%s: replicas %+v, want %+v", m.Arn, c.ReplicaKeys, want)
	}
}

func TestMultiRegionCreateAndReplicate(t *testing.T) {
	e := newEnv(t)
	west, south := e.inRegion("eu-west-1"), e.inRegion("ap-south-1")
	m := e.createKey(&CreateKeyInput{MultiRegion: ptr(true), Description: "primary"})
	id := m.KeyId
	if !mrkPattern.MatchString(id) {
		t.Errorf("multi-Region key id %q", id)
	}
	mrkConfig(t, m, MultiRegionKeyTypePrimary, "us-east-1")
	if single := e.createKey(&CreateKeyInput{}); single.MultiRegionConfiguration != nil || *single.MultiRegion {
		t.Errorf("a single-Region key shows %v %+v", *single.MultiRegion, single.MultiRegionConfiguration)
	}

	out := invokeOK[ReplicateKeyOutput](e, "ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1",
		Description: "replica", Tags: []Tag{{TagKey: "team", TagValue: "west"}}})
	r := out.ReplicaKeyMetadata
	if r.KeyId != id || r.Arn != west.keyArn(id) || r.KeyState != KeyStateCreating || *r.Enabled || r.Description != "replica" {
		t.Errorf("ReplicaKeyMetadata = %+v", r)
	}
	if out.ReplicaPolicy != defaultKeyPolicy(testAccount) || !slices.Equal(out.ReplicaTags, []Tag{{TagKey: "team", TagValue: "west"}}) {
		t.Errorf("ReplicaPolicy %q, ReplicaTags %v", out.ReplicaPolicy, out.ReplicaTags)
	}
	mrkConfig(t, r, MultiRegionKeyTypeReplica, "us-east-1", "eu-west-1")
	invokeOK[ReplicateKeyOutput](e, "ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "ap-south-1"})

	for _, tc := range []struct {
		env  *testEnv
		typ  MultiRegionKeyType
		desc string
	}{{e, MultiRegionKeyTypePrimary, "primary"}, {west, MultiRegionKeyTypeReplica, "replica"}, {south, MultiRegionKeyTypeReplica, ""}} {
		d := tc.env.describe(id)
		mrkConfig(t, d, tc.typ, "us-east-1", "eu-west-1", "ap-south-1")
		if d.KeyState != KeyStateEnabled || d.Description != tc.desc || d.CurrentKeyMaterialId != m.CurrentKeyMaterialId {
			t.Errorf("%s: state %s description %q material %s", d.Arn, d.KeyState, d.Description, d.CurrentKeyMaterialId)
		}
	}

	// A ciphertext of any key of the set decrypts under any other.
	blob := e.encrypt(id, []byte("multi"), map[string]string{"k": "v"}).CiphertextBlob
	dec := invokeOK[DecryptOutput](west, "Decrypt", &DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"k": "v"}})
	if string(dec.Plaintext) != "multi" || dec.KeyId != west.keyArn(id) {
		t.Errorf("Decrypt in eu-west-1 = %q under %s", dec.Plaintext, dec.KeyId)
	}
	back := south.encrypt(id, []byte("back"), nil).CiphertextBlob
	if got := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: back}).Plaintext; string(got) != "back" {
		t.Errorf("Decrypt in us-east-1 of an ap-south-1 ciphertext = %q", got)
	}

	// Each key keeps its own state, aliases and tags.
	invokeOK[DisableKeyOutput](west, "DisableKey", &DisableKeyInput{KeyId: id})
	if e.describe(id).KeyState != KeyStateEnabled {
		t.Error("disabling the replica disabled the primary")
	}
	west.createAlias("alias/mrk", id)
	if names := e.aliasNames(id); len(names) != 0 {
		t.Errorf("the primary has the replica's aliases %v", names)
	}
	tags := invokeOK[ListResourceTagsOutput](e, "ListResourceTags", &ListResourceTagsInput{KeyId: id}).Tags
	if len(tags) != 0 {
		t.Errorf("the primary has the replica's tags %v", tags)
	}

	for _, tc := range []struct {
		name string
		env  *testEnv
		in   *ReplicateKeyInput
		code ErrorCode
		msg  string
	}{
		{"replica exists", e, &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1"}, AlreadyExistsException, "Key " + west.keyArn(id) + " already exists."},
		{"primary's own region", e, &ReplicateKeyInput{KeyId: id, ReplicaRegion: "us-east-1"}, AlreadyExistsException, "Key " + e.keyArn(id) + " already exists."},
		{"from a replica", south, &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-north-1"}, UnsupportedOperationException, south.keyArn(id) + " is not a multi-region primary key."},
		{"single-Region key", e, &ReplicateKeyInput{KeyId: e.newKey(), ReplicaRegion: "eu-north-1"}, UnsupportedOperationException, ""},
		{"bad region", e, &ReplicateKeyInput{KeyId: id, ReplicaRegion: "mars"}, ValidationException, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.env.call("ReplicateKey", tc.in)
			if tc.msg == "" {
				wantCode(t, err, tc.code)
			} else {
				wantErr(t, err, tc.code, tc.msg)
			}
		})
	}
}

func TestMultiRegionKeySpecs(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   CreateKeyInput
		code ErrorCode // "" : multi-Region allowed
	}{
		{"symmetric", CreateKeyInput{}, ""},
		{"HMAC", CreateKeyInput{KeySpec: KeySpecHmac256, KeyUsage: KeyUsageGenerateVerifyMac}, ""},
		{"ECC", CreateKeyInput{KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify}, ""},
		{"imported material", CreateKeyInput{Origin: OriginExternal}, ""},
		{"custom key store", CreateKeyInput{CustomKeyStoreId: "cks-1234567890abcdef0"}, UnsupportedOperationException},
		{"CloudHSM origin", CreateKeyInput{Origin: OriginAwsCloudhsm}, UnsupportedOperationException},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			in := tc.in
			in.MultiRegion = ptr(true)
			out, err := e.call("CreateKey", &in)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			id := out.(*CreateKeyOutput).KeyMetadata.KeyId
			if in.Origin == OriginExternal {
				e.importMaterial(id, cellMaterial) // a primary pending import cannot be replicated
			}
			r := invokeOK[ReplicateKeyOutput](e, "ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1"}).ReplicaKeyMetadata
			want := KeyStateEnabled
			if in.Origin == OriginExternal {
				want = KeyStatePendingImport // imported material is never copied
			}
			if got := e.inRegion("eu-west-1").describe(id); got.KeyState != want || got.KeySpec != r.KeySpec {
				t.Errorf("replica is %s %s, want %s", got.KeyState, got.KeySpec, want)
			}
		})
	}
}

// The replica of a key with imported material takes the same material,
// and only that: then both decrypt each other's ciphertexts.
func TestMultiRegionImportedMaterial(t *testing.T) {
	e := newEnv(t)
	west := e.inRegion("eu-west-1")
	id := e.createKey(&CreateKeyInput{MultiRegion: ptr(true), Origin: OriginExternal}).KeyId
	e.importMaterial(id, cellMaterial)
	invokeOK[ReplicateKeyOutput](e, "ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1"})
	// An import token is for its region's key only.
	token, wrapped := e.importParams(id, cellMaterial)
	_, err := west.call("ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: id, ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire})
	wantCode(t, err, InvalidImportTokenException)
	token, wrapped = west.importParams(id, bytes.Repeat([]byte{8}, 32))
	_, err = west.call("ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: id, ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire})
	wantCode(t, err, IncorrectKeyMaterialException)
	west.importMaterial(id, cellMaterial)
	blob := e.encrypt(id, []byte("imported"), nil).CiphertextBlob
	if got := invokeOK[DecryptOutput](west, "Decrypt", &DecryptInput{CiphertextBlob: blob}).Plaintext; string(got) != "imported" {
		t.Errorf("Decrypt = %q", got)
	}
}

func TestUpdatePrimaryRegion(t *testing.T) {
	e := newEnv(t)
	west, south := e.inRegion("eu-west-1"), e.inRegion("ap-south-1")
	id := e.createKey(&CreateKeyInput{MultiRegion: ptr(true)}).KeyId
	for _, r := range []string{"eu-west-1", "ap-south-1"} {
		invokeOK[ReplicateKeyOutput](e, "ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: r})
	}
	for _, tc := range []struct {
		name string
		env  *testEnv
		in   *UpdatePrimaryRegionInput
		code ErrorCode
		msg  string
	}{
		{"from a replica", west, &UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: "ap-south-1"}, UnsupportedOperationException, west.keyArn(id) + " is not a multi-region primary key."},
		{"no replica there", e, &UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: "eu-north-1"}, NotFoundException, "Key 'arn:aws:kms:eu-north-1:" + testAccount + ":key/" + id + "' does not exist"},
		{"own region", e, &UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: "us-east-1"}, ValidationException, ""},
		{"single-Region key", e, &UpdatePrimaryRegionInput{KeyId: e.newKey(), PrimaryRegion: "eu-west-1"}, UnsupportedOperationException, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.env.call("UpdatePrimaryRegion", tc.in)
			if tc.msg == "" {
				wantCode(t, err, tc.code)
			} else {
				wantErr(t, err, tc.code, tc.msg)
			}
		})
	}
	// The new primary must be enabled.
	invokeOK[DisableKeyOutput](west, "DisableKey", &DisableKeyInput{KeyId: id})
	_, err := e.call("UpdatePrimaryRegion", &UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: "eu-west-1"})
	wantErr(t, err, DisabledException, west.keyArn(id)+" is disabled.")
	invokeOK[EnableKeyOutput](west, "EnableKey", &EnableKeyInput{KeyId: id})

	invokeOK[UpdatePrimaryRegionOutput](e, "UpdatePrimaryRegion", &UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: "eu-west-1"})
	for _, tc := range []struct {
		env *testEnv
		typ MultiRegionKeyType
	}{{e, MultiRegionKeyTypeReplica}, {west, MultiRegionKeyTypePrimary}, {south, MultiRegionKeyTypeReplica}} {
		mrkConfig(t, tc.env.describe(id), tc.typ, "eu-west-1", "us-east-1", "ap-south-1")
	}
	// Only the new primary replicates now.
	_, err = e.call("ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-north-1"})
	wantCode(t, err, UnsupportedOperationException)
	invokeOK[ReplicateKeyOutput](west, "ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-north-1"})
}

// Deletion of a multi-Region set: the primary waits in
// PendingReplicaDeletion for its replicas, and its window starts when the
// last of them is deleted.
func TestMultiRegionDeletion(t *testing.T) {
	const day = 24 * time.Hour
	e := newEnv(t)
	west := e.inRegion("eu-west-1")
	id := e.createKey(&CreateKeyInput{MultiRegion: ptr(true)}).KeyId
	invokeOK[ReplicateKeyOutput](e, "ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1"})

	// Scheduling the primary while a replica exists.
	out := invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(7))})
	if out.KeyState != KeyStatePendingReplicaDeletion || out.DeletionDate != nil || *out.PendingWindowInDays != 7 || out.KeyId != e.keyArn(id) {
		t.Errorf("ScheduleKeyDeletion of the primary = %+v", out)
	}
	// Cancelling restores it as Disabled; schedule again.
	invokeOK[CancelKeyDeletionOutput](e, "CancelKeyDeletion", &CancelKeyDeletionInput{KeyId: id})
	if s := e.describe(id).KeyState; s != KeyStateDisabled {
		t.Errorf("after cancel: %s", s)
	}
	invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(7))})
	_, err := e.call("Encrypt", &EncryptInput{KeyId: id, Plaintext: []byte("x")})
	wantErr(t, err, KMSInvalidStateException, e.keyArn(id)+" is pending deletion.")

	invokeOK[ScheduleKeyDeletionOutput](west, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(10))})
	replicaGone := testEpoch.Add(10 * day)
	_, err = e.call("ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1"})
	wantCode(t, err, KMSInvalidStateException) // the primary is pending deletion

	for _, step := range []struct {
		name    string
		advance time.Duration
		primary KeyState // "" : gone
		replica KeyState
		window  *int32
		date    *time.Time
	}{
		{"waiting", 9 * day, KeyStatePendingReplicaDeletion, KeyStatePendingDeletion, ptr(int32(7)), nil},
		{"replica deleted", 2 * day, KeyStatePendingDeletion, "", nil, ptr(replicaGone.Add(7 * day))},
		{"primary deleted", 7 * day, "", "", nil, nil},
	} {
		t.Run(step.name, func(t *testing.T) {
			e.clock.Advance(step.advance)
			e.inRegion("ap-south-1").newKey() // any write applies due deletions
			for _, c := range []struct {
				env  *testEnv
				want KeyState
			}{{e, step.primary}, {west, step.replica}} {
				out, err := c.env.call("DescribeKey", &DescribeKeyInput{KeyId: id})
				if c.want == "" {
					wantCode(t, err, NotFoundException)
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if m := out.(*DescribeKeyOutput).KeyMetadata; m.KeyState != c.want {
					t.Errorf("%s is %s, want %s", m.Arn, m.KeyState, c.want)
				}
			}
			if step.primary == "" {
				return
			}
			m := e.describe(id)
			if (m.PendingDeletionWindowInDays == nil) != (step.window == nil) || step.window != nil && *m.PendingDeletionWindowInDays != *step.window {
				t.Errorf("PendingDeletionWindowInDays = %v, want %v", m.PendingDeletionWindowInDays, step.window)
			}
			if (m.DeletionDate == nil) != (step.date == nil) || step.date != nil && !m.DeletionDate.Time.Equal(*step.date) {
				t.Errorf("DeletionDate = %v, want %v", m.DeletionDate, step.date)
			}
			if step.replica == "" {
				mrkConfig(t, m, MultiRegionKeyTypePrimary, "us-east-1")
			}
		})
	}
}

// A primary without replicas is deleted as any key.
func TestMultiRegionPrimaryAlone(t *testing.T) {
	e := newEnv(t)
	id := e.createKey(&CreateKeyInput{MultiRegion: ptr(true)}).KeyId
	out := invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(7))})
	if out.KeyState != KeyStatePendingDeletion || out.DeletionDate == nil {
		t.Errorf("ScheduleKeyDeletion = %+v", out)
	}
}
