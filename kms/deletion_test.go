package kms

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const day = 24 * time.Hour

// realShapeScheduleKeyDeletion is what the AWS CLI prints (--output json)
// for "schedule-key-deletion --pending-window-in-days 7" against AWS KMS.
const realShapeScheduleKeyDeletion = `{
    "KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "DeletionDate": 1764401491.242,
    "KeyState": "PendingDeletion",
    "PendingWindowInDays": 7
}`

func TestScheduleKeyDeletionOutputShape(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	out := invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(7))})
	want := strings.ReplaceAll(realShapeScheduleKeyDeletion, exampleKeyID, id)
	if got := cliJSON(t, out); got != want {
		t.Errorf("ScheduleKeyDeletion output:\n%s\nwant (as AWS answers):\n%s", got, want)
	}
}

func TestScheduleKeyDeletionWindow(t *testing.T) {
	tests := []struct {
		days     *int32
		wantDays int32  // 0: rejected
		msg      string // the ValidationException message when rejected ("" = not checked)
	}{
		{nil, 30, ""},
		{ptr(int32(7)), 7, ""},
		{ptr(int32(10)), 10, ""},
		{ptr(int32(30)), 30, ""},
		{ptr(int32(6)), 0, validationMsg("Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7")},
		{ptr(int32(31)), 0, validationMsg("Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30")},
		{ptr(int32(0)), 0, ""},
		{ptr(int32(1)), 0, ""},
		{ptr(int32(365)), 0, ""},
		{ptr(int32(366)), 0, ""},
	}
	for _, tt := range tests {
		e := newEnv(t)
		id := e.newKey()
		e.clock.Advance(time.Hour) // the deletion date counts from the request, not from CreateKey
		out, err := e.call("ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: tt.days})
		if tt.wantDays == 0 {
			if tt.msg != "" {
				wantErr(t, err, ValidationException, tt.msg)
			} else {
				wantCode(t, err, ValidationException)
			}
			if m := e.describe(id); m.KeyState != KeyStateEnabled {
				t.Errorf("rejected window %d left the key %s", *tt.days, m.KeyState)
			}
			continue
		}
		if err != nil {
			t.Errorf("window %v: %v", tt.days, err)
			continue
		}
		o := out.(*ScheduleKeyDeletionOutput)
		wantDate := e.clock.Now().Add(time.Duration(tt.wantDays) * day)
		if o.KeyId != e.keyArn(id) || o.KeyState != KeyStatePendingDeletion || deref(o.PendingWindowInDays) != tt.wantDays ||
			o.DeletionDate == nil || !o.DeletionDate.Equal(wantDate) {
			t.Errorf("window %v: got %+v (date %v), want %d days, date %v", tt.days, o, o.DeletionDate, tt.wantDays, wantDate)
		}
		m := e.describe(id)
		if m.KeyState != KeyStatePendingDeletion || deref(m.Enabled) || m.DeletionDate == nil || !m.DeletionDate.Equal(wantDate) ||
			m.PendingDeletionWindowInDays != nil {
			t.Errorf("window %v: DescribeKey KeyState %s Enabled %v DeletionDate %v PendingDeletionWindowInDays %v",
				tt.days, m.KeyState, deref(m.Enabled), m.DeletionDate, deref(m.PendingDeletionWindowInDays))
		}
	}
}

func TestScheduleKeyDeletionTwice(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	e.putState(id, KeyStatePendingDeletion)
	_, err := e.call("ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(7))})
	wantErr(t, err, KMSInvalidStateException, e.keyArn(id)+" is pending deletion.")
}

func TestCancelKeyDeletion(t *testing.T) {
	for _, from := range []KeyState{KeyStateEnabled, KeyStateDisabled} {
		t.Run(string(from), func(t *testing.T) {
			e := newEnv(t)
			id := e.newKey()
			e.putState(id, from)
			e.putState(id, KeyStatePendingDeletion)
			out := invokeOK[CancelKeyDeletionOutput](e, "CancelKeyDeletion", &CancelKeyDeletionInput{KeyId: id})
			if out.KeyId != e.keyArn(id) {
				t.Errorf("KeyId %q, want the key ARN", out.KeyId)
			}
			m := e.describe(id)
			if m.KeyState != KeyStateDisabled || deref(m.Enabled) || m.DeletionDate != nil || m.PendingDeletionWindowInDays != nil {
				t.Errorf("after cancel: KeyState %s (want Disabled), Enabled %v, DeletionDate %v, PendingDeletionWindowInDays %v",
					m.KeyState, deref(m.Enabled), m.DeletionDate, m.PendingDeletionWindowInDays)
			}
			_, err := e.call("Encrypt", &EncryptInput{KeyId: id, Plaintext: []byte("x")})
			wantErr(t, err, DisabledException, e.keyArn(id)+" is disabled.")
			_, err = e.call("CancelKeyDeletion", &CancelKeyDeletionInput{KeyId: id})
			wantErr(t, err, KMSInvalidStateException, e.keyArn(id)+" is not pending deletion.")

			// The cancelled date passing, and a write after it, leave the key alone.
			e.clock.Advance(31 * day)
			invokeOK[EnableKeyOutput](e, "EnableKey", &EnableKeyInput{KeyId: id})
			if m := e.describe(id); m.KeyState != KeyStateEnabled {
				t.Errorf("after EnableKey past the cancelled date: %s", m.KeyState)
			}
			if !e.stored(bucketKeys, id) {
				t.Error("the cancelled key was purged")
			}
		})
	}
}

// TestKeyDeletedWhenWindowElapses follows a key past its deletion date:
// reads treat it as gone at once, and the next write removes the key, its
// aliases and its index entry from the vault.
func TestKeyDeletedWhenWindowElapses(t *testing.T) {
	e := newEnv(t)
	doomed, kept := e.newKey(), e.newKey()
	e.createAlias("alias/doomed-1", doomed)
	e.createAlias("alias/doomed-2", doomed)
	e.createAlias("alias/kept", kept)
	blob := e.encrypt(doomed, []byte("gone"), nil).CiphertextBlob
	sched := invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: doomed, PendingWindowInDays: ptr(int32(7))})

	e.clock.Set(sched.DeletionDate.Add(-time.Millisecond))
	if m := e.describe(doomed); m.KeyState != KeyStatePendingDeletion {
		t.Fatalf("a millisecond before the date: %s", m.KeyState)
	}
	if ids := e.listKeyIDs(); !slices.Contains(ids, doomed) { // ListKeys lists keys in every state
		t.Errorf("ListKeys %v omits the key pending deletion", ids)
	}
	invokeOK[UpdateKeyDescriptionOutput](e, "UpdateKeyDescription", &UpdateKeyDescriptionInput{KeyId: kept, Description: "write"})
	if !e.stored(bucketKeys, doomed) {
		t.Fatal("a write before the date purged the key")
	}

	e.clock.Set(sched.DeletionDate.Time)
	notFound := "Key '" + e.keyArn(doomed) + "' does not exist"
	// Read-only operations: the key is gone although its record is still stored.
	_, err := e.call("DescribeKey", &DescribeKeyInput{KeyId: doomed})
	wantErr(t, err, NotFoundException, notFound)
	_, err = e.call("DescribeKey", &DescribeKeyInput{KeyId: "alias/doomed-1"})
	wantCode(t, err, NotFoundException)
	_, err = e.call("Encrypt", &EncryptInput{KeyId: doomed, Plaintext: []byte("x")})
	wantErr(t, err, NotFoundException, notFound)
	_, err = e.call("Decrypt", &DecryptInput{CiphertextBlob: blob})
	wantCode(t, err, NotFoundException)
	_, err = e.call("GetKeyPolicy", &GetKeyPolicyInput{KeyId: doomed})
	wantErr(t, err, NotFoundException, notFound)
	if ids := e.listKeyIDs(); !slices.Equal(ids, []string{kept}) {
		t.Errorf("ListKeys: %v, want only %s", ids, kept)
	}
	if names := e.aliasNames(""); !slices.Equal(names, []string{"alias/kept"}) {
		t.Errorf("ListAliases: %v, want only alias/kept", names)
	}
	if !e.stored(bucketKeys, doomed) || !e.stored(bucketAliases, "alias/doomed-1") {
		t.Fatal("a read-only operation changed the vault")
	}

	// Any write purges it.
	_, err = e.call("CancelKeyDeletion", &CancelKeyDeletionInput{KeyId: doomed})
	wantErr(t, err, NotFoundException, notFound)
	e.newKey()
	for _, rec := range []struct{ bucket, id string }{
		{bucketKeys, doomed}, {bucketDeletions, doomed}, {bucketAliases, "alias/doomed-1"}, {bucketAliases, "alias/doomed-2"},
	} {
		if e.stored(rec.bucket, rec.id) {
			t.Errorf("after a write, %s/%s is still in the vault", rec.bucket, rec.id)
		}
	}
	if !e.stored(bucketKeys, kept) || !e.stored(bucketAliases, "alias/kept") {
		t.Error("the purge removed another key's records")
	}
	if names := e.aliasNames(""); !slices.Equal(names, []string{"alias/kept"}) {
		t.Errorf("ListAliases after the purge: %v", names)
	}
	// The alias names are free again.
	e.createAlias("alias/doomed-1", kept)
}

// TestExpiredKeyGoneForWritesNamingIt: a write naming an expired key, or
// one of its aliases, finds nothing (the purge runs first in its transaction).
func TestExpiredKeyGoneForWritesNamingIt(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	e.createAlias("alias/a", id)
	sched := invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(30))})
	e.clock.Set(sched.DeletionDate.Add(time.Hour))
	notFound := "Key '" + e.keyArn(id) + "' does not exist"
	for op, in := range map[string]any{
		"EnableKey":    &EnableKeyInput{KeyId: id},
		"PutKeyPolicy": &PutKeyPolicyInput{KeyId: id, Policy: defaultPolicyText(testAccount)},
		"CreateAlias":  &CreateAliasInput{AliasName: "alias/b", TargetKeyId: id},
	} {
		_, err := e.call(op, in)
		wantErr(t, err, NotFoundException, notFound)
	}
	_, err := e.call("DeleteAlias", &DeleteAliasInput{AliasName: "alias/a"})
	wantErr(t, err, NotFoundException, "Alias "+e.aliasArn("alias/a")+" is not found.")
}

// TestCancelKeyDeletionOfKeyWithoutMaterial: a key with no key material is
// PendingImport (AWS: "when the key material is deleted, the
// key state of the KMS key changes to Pending import, and the KMS key can't
// be used in any cryptographic operations"). Cancelling the deletion of such
// a key must not turn it into a Disabled key that EnableKey then reports as
// Enabled although it cannot encrypt.
func TestCancelKeyDeletionOfKeyWithoutMaterial(t *testing.T) {
	e := newEnv(t)
	id := e.newExternalKey()
	e.putState(id, KeyStatePendingDeletion)
	invokeOK[CancelKeyDeletionOutput](e, "CancelKeyDeletion", &CancelKeyDeletionInput{KeyId: id})
	if m := e.describe(id); m.KeyState != KeyStatePendingImport || deref(m.Enabled) {
		t.Errorf("after CancelKeyDeletion the key without material is %s (Enabled %v), want PendingImport", m.KeyState, deref(m.Enabled))
	}
	_, err := e.call("EnableKey", &EnableKeyInput{KeyId: id})
	wantErr(t, err, KMSInvalidStateException, e.keyArn(id)+" is pending import.")
	m := e.describe(id)
	_, err = e.call("Encrypt", &EncryptInput{KeyId: id, Plaintext: []byte("x")})
	if deref(m.Enabled) && err != nil {
		t.Errorf("DescribeKey says %s/Enabled but Encrypt fails: %v", m.KeyState, err)
	}
}
