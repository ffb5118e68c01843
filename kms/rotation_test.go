package kms

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Rotation helpers.

func (e *testEnv) enableRotation(key string, days int32) {
	e.t.Helper()
	in := &EnableKeyRotationInput{KeyId: key}
	if days != 0 {
		in.RotationPeriodInDays = ptr(days)
	}
	invokeOK[EnableKeyRotationOutput](e, "EnableKeyRotation", in)
}

func (e *testEnv) rotationStatus(key string) *GetKeyRotationStatusOutput {
	e.t.Helper()
	return invokeOK[GetKeyRotationStatusOutput](e, "GetKeyRotationStatus", &GetKeyRotationStatusInput{KeyId: key})
}

func (e *testEnv) rotateNow(key string) {
	e.t.Helper()
	invokeOK[RotateKeyOnDemandOutput](e, "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: key})
}

// rotations lists every entry of ListKeyRotations, all pages of limit
// entries (0: the default).
func (e *testEnv) rotations(key string, include IncludeKeyMaterial, limit int) []RotationsListEntry {
	e.t.Helper()
	var all []RotationsListEntry
	for _, page := range paginate(e.t, limit, func(marker string) ([]RotationsListEntry, string, bool, error) {
		in := &ListKeyRotationsInput{KeyId: key, IncludeKeyMaterial: include, Marker: marker}
		if limit > 0 {
			in.Limit = ptr(int32(limit))
		}
		out, err := e.call("ListKeyRotations", in)
		if err != nil {
			return nil, "", false, err
		}
		o := out.(*ListKeyRotationsOutput)
		return o.Rotations, o.NextMarker, deref(o.Truncated), nil
	}) {
		all = append(all, page...)
	}
	return all
}

// materialOf is the material id that decrypting blob reports.
func (e *testEnv) materialOf(blob []byte) string {
	e.t.Helper()
	return invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: blob}).KeyMaterialId
}

// TestAutomaticRotationWhenDue crosses a key's rotation date with a fixed
// clock and checks that the first operation afterwards, whatever it is
// (read-only ones included), already sees the new material.
func TestAutomaticRotationWhenDue(t *testing.T) {
	tests := []struct {
		name string
		// first runs the first operation after the date and returns the
		// material id it used or reports.
		first func(e *testEnv, key string, old []byte) string
	}{
		{"Encrypt", func(e *testEnv, key string, _ []byte) string {
			return e.materialOf(e.encrypt(key, []byte("new"), nil).CiphertextBlob)
		}},
		{"DescribeKey", func(e *testEnv, key string, _ []byte) string {
			return e.describe(key).CurrentKeyMaterialId
		}},
		{"GenerateDataKey", func(e *testEnv, key string, _ []byte) string {
			return invokeOK[GenerateDataKeyOutput](e, "GenerateDataKey", &GenerateDataKeyInput{KeyId: key, KeySpec: DataKeySpecAes256}).KeyMaterialId
		}},
		{"GenerateDataKeyWithoutPlaintext", func(e *testEnv, key string, _ []byte) string {
			return invokeOK[GenerateDataKeyWithoutPlaintextOutput](e, "GenerateDataKeyWithoutPlaintext", &GenerateDataKeyWithoutPlaintextInput{KeyId: key, KeySpec: DataKeySpecAes256}).KeyMaterialId
		}},
		{"ReEncrypt", func(e *testEnv, key string, old []byte) string {
			return invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{CiphertextBlob: old, DestinationKeyId: key}).DestinationKeyMaterialId
		}},
		{"ListKeyRotations", func(e *testEnv, key string, _ []byte) string {
			r := e.rotations(key, "", 0)
			if len(r) != 1 {
				return ""
			}
			return r[0].KeyMaterialId
		}},
		{"CreateKey (a write)", func(e *testEnv, key string, _ []byte) string {
			e.newKey()
			return e.describe(key).CurrentKeyMaterialId
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			key := e.newKey()
			first := e.describe(key).CurrentKeyMaterialId
			e.enableRotation(key, 90)
			old := e.encrypt(key, []byte("old"), nil).CiphertextBlob
			due := testEpoch.Add(90 * 24 * time.Hour)

			e.clock.Set(due.Add(-time.Millisecond))
			if got := e.materialOf(e.encrypt(key, []byte("x"), nil).CiphertextBlob); got != first {
				t.Fatalf("before the date: material %s, want the first %s", got, first)
			}
			e.clock.Set(due)
			got := tc.first(e, key, old)
			current := e.describe(key).CurrentKeyMaterialId
			if got == first || got != current || !materialIDPattern.MatchString(got) {
				t.Fatalf("first operation after the date used material %q; first %s, current %s", got, first, current)
			}
			if m := e.materialOf(old); m != first {
				t.Errorf("old ciphertext decrypts with %s, want %s", m, first)
			}
			if p := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: old}).Plaintext; string(p) != "old" {
				t.Errorf("old ciphertext decrypts to %q", p)
			}
			r := e.rotations(key, "", 0)
			if len(r) != 1 || r[0].RotationType != RotationTypeAutomatic || r[0].RotationDate == nil || !r[0].RotationDate.Time.Equal(due) ||
				r[0].KeyMaterialState != KeyMaterialStateCurrent || r[0].KeyId != key {
				t.Errorf("rotations %+v, want one AUTOMATIC on %v", r, due)
			}
			if s := e.rotationStatus(key); s.NextRotationDate == nil || !s.NextRotationDate.Time.Equal(due.Add(90*24*time.Hour)) {
				t.Errorf("next rotation %v, want %v", s.NextRotationDate, due.Add(90*24*time.Hour))
			}
		})
	}
}

// TestAutomaticRotationCatchesUp: a vault unused for several periods gets
// every rotation it missed, each dated when it was due; disabled keys are
// not rotated until they are enabled again.
func TestAutomaticRotationCatchesUp(t *testing.T) {
	e := newEnv(t)
	key, off := e.newKey(), e.newKey()
	e.enableRotation(key, 100)
	e.enableRotation(off, 100)
	invokeOK[DisableKeyOutput](e, "DisableKey", &DisableKeyInput{KeyId: off})
	e.clock.Set(testEpoch.Add(350 * 24 * time.Hour))

	r := e.rotations(key, "", 0)
	var dates []time.Time
	for _, x := range r {
		dates = append(dates, x.RotationDate.Time)
	}
	want := []time.Time{testEpoch.Add(100 * 24 * time.Hour), testEpoch.Add(200 * 24 * time.Hour), testEpoch.Add(300 * 24 * time.Hour)}
	if !slices.EqualFunc(dates, want, time.Time.Equal) {
		t.Fatalf("rotation dates %v, want %v", dates, want)
	}
	var raw keyRecord
	if err := e.store.View(func(tx Tx) error { return getJSON(tx, bucketKeys, key, &raw) }); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range raw.Materials {
		if len(m.Secret) != 32 || bytes.Equal(m.Secret, make([]byte, 32)) || seen[string(m.Secret)] {
			t.Fatalf("material %s has a zero, short or repeated secret", m.ID)
		}
		seen[string(m.Secret)] = true
	}
	if got := e.rotations(off, "", 0); len(got) != 0 {
		t.Fatalf("disabled key rotated: %+v", got)
	}
	before := e.describe(off).CurrentKeyMaterialId
	invokeOK[EnableKeyOutput](e, "EnableKey", &EnableKeyInput{KeyId: off})
	got := e.rotations(off, "", 0)
	if len(got) != 1 || !got[0].RotationDate.Time.Equal(e.clock.Now().Truncate(time.Millisecond)) || e.describe(off).CurrentKeyMaterialId == before {
		t.Fatalf("re-enabled overdue key: rotations %+v", got)
	}
	if s := e.rotationStatus(off); !s.NextRotationDate.Time.Equal(e.clock.Now().Add(100 * 24 * time.Hour).Truncate(time.Millisecond)) {
		t.Fatalf("re-enabled key next rotation %v", s.NextRotationDate)
	}
}

// TestRotateKeyOnDemand: every data operation follows the new material,
// old ciphertexts still decrypt, and the automatic schedule does not move.
func TestRotateKeyOnDemand(t *testing.T) {
	e := newEnv(t)
	key := e.newKey()
	e.enableRotation(key, 0)
	next := e.rotationStatus(key).NextRotationDate
	first := e.describe(key).CurrentKeyMaterialId
	old := e.encrypt(key, []byte("before"), map[string]string{"a": "b"}).CiphertextBlob
	e.clock.Advance(time.Hour)
	out := invokeOK[RotateKeyOnDemandOutput](e, "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: key})
	if out.KeyId != e.keyArn(key) {
		t.Errorf("KeyId %s, want the ARN", out.KeyId)
	}
	second := e.describe(key).CurrentKeyMaterialId
	if second == first || !materialIDPattern.MatchString(second) {
		t.Fatalf("CurrentKeyMaterialId %s after rotation, was %s", second, first)
	}
	tests := []struct {
		name      string
		got, want string
	}{
		{"Decrypt of an old ciphertext", invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: old, EncryptionContext: map[string]string{"a": "b"}}).KeyMaterialId, first},
		{"Encrypt", e.materialOf(e.encrypt(key, []byte("after"), nil).CiphertextBlob), second},
		{"GenerateDataKey", invokeOK[GenerateDataKeyOutput](e, "GenerateDataKey", &GenerateDataKeyInput{KeyId: key, NumberOfBytes: ptr(int32(32))}).KeyMaterialId, second},
		{"GenerateDataKeyPair", invokeOK[GenerateDataKeyPairOutput](e, "GenerateDataKeyPair", &GenerateDataKeyPairInput{KeyId: key, KeyPairSpec: DataKeyPairSpecEccNistP256}).KeyMaterialId, second},
		{"ReEncrypt source", invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{CiphertextBlob: old, SourceEncryptionContext: map[string]string{"a": "b"}, DestinationKeyId: key}).SourceKeyMaterialId, first},
		{"ReEncrypt destination", invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{CiphertextBlob: old, SourceEncryptionContext: map[string]string{"a": "b"}, DestinationKeyId: key}).DestinationKeyMaterialId, second},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: material %s, want %s", tc.name, tc.got, tc.want)
		}
	}
	if got := e.rotationStatus(key).NextRotationDate; !got.Time.Equal(next.Time) {
		t.Errorf("NextRotationDate moved from %v to %v", next, got)
	}
	r := e.rotations(key, "", 0)
	if len(r) != 1 || r[0].RotationType != RotationTypeOnDemand || r[0].KeyMaterialId != second || !r[0].RotationDate.Time.Equal(testEpoch.Add(time.Hour)) {
		t.Errorf("rotations %+v", r)
	}
}

// TestRotationRefusals: what AWS refuses, with its exception and text.
func TestRotationRefusals(t *testing.T) {
	e := newEnv(t)
	sym := e.newKey()
	rsa := e.createKey(&CreateKeyInput{KeySpec: KeySpecRsa2048, KeyUsage: KeyUsageEncryptDecrypt}).KeyId
	hmac := e.createKey(&CreateKeyInput{KeySpec: KeySpecHmac256, KeyUsage: KeyUsageGenerateVerifyMac}).KeyId
	ext := e.newExternalKey()
	e.importMaterial(ext, cellMaterial)
	disabled := e.newKey()
	e.putState(disabled, KeyStateDisabled)
	limited := e.newKey()
	for range maxOnDemandRotations {
		e.rotateNow(limited)
	}
	soon := e.newKey()
	e.enableRotation(soon, 90)
	e.clock.Advance(90*24*time.Hour - 20*time.Minute + time.Millisecond)

	tests := []struct {
		name string
		op   string
		in   any
		code ErrorCode
		msg  string
	}{
		{"period under 90", "EnableKeyRotation", &EnableKeyRotationInput{KeyId: sym, RotationPeriodInDays: ptr(int32(89))}, ValidationException,
			validationMsg("Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90")},
		{"period over 2560", "EnableKeyRotation", &EnableKeyRotationInput{KeyId: sym, RotationPeriodInDays: ptr(int32(2561))}, ValidationException,
			validationMsg("Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560")},
		{"automatic on RSA", "EnableKeyRotation", &EnableKeyRotationInput{KeyId: rsa}, UnsupportedOperationException, ""},
		{"automatic on HMAC", "DisableKeyRotation", &DisableKeyRotationInput{KeyId: hmac}, UnsupportedOperationException, ""},
		{"automatic on imported material", "EnableKeyRotation", &EnableKeyRotationInput{KeyId: ext}, UnsupportedOperationException,
			e.keyArn(ext) + " origin is EXTERNAL which is not valid for this operation."},
		{"status of imported material", "GetKeyRotationStatus", &GetKeyRotationStatusInput{KeyId: ext}, UnsupportedOperationException,
			e.keyArn(ext) + " origin is EXTERNAL which is not valid for this operation."},
		{"automatic on a disabled key", "EnableKeyRotation", &EnableKeyRotationInput{KeyId: disabled}, DisabledException, e.keyArn(disabled) + " is disabled."},
		{"on demand on RSA", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: rsa}, UnsupportedOperationException, ""},
		{"on demand on a disabled key", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: disabled}, DisabledException, e.keyArn(disabled) + " is disabled."},
		{"26th on demand", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: limited}, LimitExceededException,
			"The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: " + e.keyArn(limited)},
		{"on demand 20 minutes before an automatic one", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: soon}, ConflictException,
			"An automatic rotation of " + e.keyArn(soon) + " is scheduled to begin within the next 20 minutes; try again after it."},
		{"imported material with none pending", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: ext}, KMSInvalidStateException,
			"No available key material pending rotation for the key: " + e.keyArn(ext) + "."},
		{"list rotations of HMAC", "ListKeyRotations", &ListKeyRotationsInput{KeyId: hmac}, UnsupportedOperationException, ""},
		{"list with a foreign marker", "ListKeyRotations", &ListKeyRotationsInput{KeyId: limited, Marker: "nope"}, InvalidMarkerException, "Invalid marker: nope"},
		{"missing key", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab"}, NotFoundException,
			"Key '" + e.keyArn("1234abcd-12ab-34cd-56ef-1234567890ab") + "' does not exist"},
	}
	for _, tc := range tests {
		_, err := e.call(tc.op, tc.in)
		if CodeOf(err) != tc.code || errMessage(err) != tc.msg {
			t.Errorf("%s: got %v\nwant %s: %q", tc.name, err, tc.code, tc.msg)
		}
	}
	// A minute later the automatic rotation has happened and on-demand
	// works again.
	e.clock.Advance(20 * time.Minute)
	e.rotateNow(soon)
	if r := e.rotations(soon, "", 0); len(r) != 2 || r[0].RotationType != RotationTypeAutomatic || r[1].RotationType != RotationTypeOnDemand {
		t.Errorf("rotations %+v", r)
	}
}

// TestKeyRotationStatus checks every field GetKeyRotationStatus reports
// through the life of a key.
func TestKeyRotationStatus(t *testing.T) {
	e := newEnv(t)
	key := e.newKey()
	ecc := e.createKey(&CreateKeyInput{KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify}).KeyId
	at := func(days int) *Timestamp { return NewTimestamp(testEpoch.Add(time.Duration(days) * 24 * time.Hour)) }
	steps := []struct {
		name string
		do   func()
		key  string
		want GetKeyRotationStatusOutput
	}{
		{"new key", func() {}, key, GetKeyRotationStatusOutput{KeyRotationEnabled: ptr(false)}},
		{"enabled, default period", func() { e.enableRotation(key, 0) }, key,
			GetKeyRotationStatusOutput{KeyRotationEnabled: ptr(true), RotationPeriodInDays: ptr(int32(365)), NextRotationDate: at(365)}},
		{"enabled again ten days later restarts the schedule", func() { e.clock.Advance(10 * 24 * time.Hour); e.enableRotation(key, 2560) }, key,
			GetKeyRotationStatusOutput{KeyRotationEnabled: ptr(true), RotationPeriodInDays: ptr(int32(2560)), NextRotationDate: at(2570)}},
		{"pending deletion reads false", func() { e.putState(key, KeyStatePendingDeletion) }, key, GetKeyRotationStatusOutput{KeyRotationEnabled: ptr(false)}},
		{"cancelled and enabled: restored", func() {
			invokeOK[CancelKeyDeletionOutput](e, "CancelKeyDeletion", &CancelKeyDeletionInput{KeyId: key})
			invokeOK[EnableKeyOutput](e, "EnableKey", &EnableKeyInput{KeyId: key})
		}, key, GetKeyRotationStatusOutput{KeyRotationEnabled: ptr(true), RotationPeriodInDays: ptr(int32(2560)), NextRotationDate: at(2570)}},
		{"disabled", func() {
			invokeOK[DisableKeyRotationOutput](e, "DisableKeyRotation", &DisableKeyRotationInput{KeyId: key})
		}, key,
			GetKeyRotationStatusOutput{KeyRotationEnabled: ptr(false)}},
		{"asymmetric key", func() {}, ecc, GetKeyRotationStatusOutput{KeyRotationEnabled: ptr(false)}},
	}
	for _, st := range steps {
		st.do()
		st.want.KeyId = e.keyArn(st.key)
		got := invokeOK[GetKeyRotationStatusOutput](e, "GetKeyRotationStatus", &GetKeyRotationStatusInput{KeyId: e.keyArn(st.key)})
		if cliJSON(t, got) != cliJSON(t, &st.want) {
			t.Errorf("%s:\n got %s\nwant %s", st.name, cliJSON(t, got), cliJSON(t, &st.want))
		}
	}
}

// TestListKeyRotationsPages: oldest first, every page within the limit,
// the first material only with ALL_KEY_MATERIAL.
func TestListKeyRotationsPages(t *testing.T) {
	e := newEnv(t)
	key := e.newKey()
	ids := []string{e.describe(key).CurrentKeyMaterialId}
	for range 5 {
		e.clock.Advance(time.Minute)
		e.rotateNow(key)
		ids = append(ids, e.describe(key).CurrentKeyMaterialId)
	}
	tests := []struct {
		include IncludeKeyMaterial
		limit   int
		want    []string
	}{
		{"", 0, ids[1:]},
		{IncludeKeyMaterialRotationsOnly, 2, ids[1:]},
		{IncludeKeyMaterialAllKeyMaterial, 4, ids},
		{IncludeKeyMaterialAllKeyMaterial, 1, ids},
		{IncludeKeyMaterialAllKeyMaterial, 1000, ids},
	}
	for _, tc := range tests {
		var got []string
		for i, r := range e.rotations(key, tc.include, tc.limit) {
			got = append(got, r.KeyMaterialId)
			wantState := KeyMaterialStateNonCurrent
			if i == len(tc.want)-1 {
				wantState = KeyMaterialStateCurrent
			}
			if r.KeyMaterialState != wantState || r.ImportState != "" {
				t.Errorf("%s/%d entry %d: %+v", tc.include, tc.limit, i, r)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s/%d: %v\nwant %v", tc.include, tc.limit, got, tc.want)
		}
	}
}

// TestRotateImportedMaterial walks the imported-material path: new
// material waits in PENDING_ROTATION until RotateKeyOnDemand makes it
// current; both materials keep decrypting their ciphertexts.
func TestRotateImportedMaterial(t *testing.T) {
	e := newEnv(t)
	key := e.newExternalKey()
	m1 := invokeOK[ImportKeyMaterialOutput](e, "ImportKeyMaterial", func() *ImportKeyMaterialInput {
		tok, w := e.importParams(key, cellMaterial)
		return &ImportKeyMaterialInput{KeyId: key, ImportToken: tok, EncryptedKeyMaterial: w, ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, KeyMaterialDescription: "first"}
	}()).KeyMaterialId
	ct1 := e.encrypt(key, []byte("one"), nil).CiphertextBlob
	second, third := bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	validTo := NewTimestamp(testEpoch.Add(30 * 24 * time.Hour))
	importNew := func(material []byte) (*ImportKeyMaterialOutput, error) {
		tok, w := e.importParams(key, material)
		out, err := e.call("ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: key, ImportToken: tok, EncryptedKeyMaterial: w,
			ValidTo: validTo, ImportType: ImportTypeNewKeyMaterial, KeyMaterialDescription: "second"})
		o, _ := out.(*ImportKeyMaterialOutput)
		return o, err
	}
	out, err := importNew(second)
	if err != nil {
		t.Fatal(err)
	}
	m2 := out.KeyMaterialId
	if e.describe(key).CurrentKeyMaterialId != m1 {
		t.Fatal("new material became current before the rotation")
	}
	if m := e.materialOf(e.encrypt(key, []byte("x"), nil).CiphertextBlob); m != m1 {
		t.Fatalf("encrypt before rotation used %s", m)
	}
	_, err = importNew(third)
	wantErr(t, err, KMSInvalidStateException, "New key material (id: "+importedMaterialID(key, third)+") cannot be imported into KMS key "+key+
		", because another key material (id: "+m2+") is pending rotation.")
	_, err = importNew(cellMaterial)
	wantCode(t, err, IncorrectKeyMaterialException)

	want := []RotationsListEntry{
		{KeyId: key, KeyMaterialId: m1, KeyMaterialDescription: "first", ImportState: ImportStateImported, KeyMaterialState: KeyMaterialStateCurrent, ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire},
		{KeyId: key, KeyMaterialId: m2, KeyMaterialDescription: "second", ImportState: ImportStateImported, KeyMaterialState: KeyMaterialStatePendingRotation, ExpirationModel: ExpirationModelKeyMaterialExpires, ValidTo: validTo},
	}
	if got := e.rotations(key, IncludeKeyMaterialAllKeyMaterial, 0); cliJSON(t, got) != cliJSON(t, want) {
		t.Fatalf("before rotation:\n got %s\nwant %s", cliJSON(t, got), cliJSON(t, want))
	}

	e.rotateNow(key)
	md := e.describe(key)
	if md.CurrentKeyMaterialId != m2 || md.ExpirationModel != ExpirationModelKeyMaterialExpires || md.ValidTo == nil || !md.ValidTo.Time.Equal(validTo.Time) {
		t.Fatalf("after rotation: %+v", md)
	}
	ct2 := e.encrypt(key, []byte("two"), nil).CiphertextBlob
	for _, c := range []struct {
		blob []byte
		m    string
	}{{ct1, m1}, {ct2, m2}} {
		if got := e.materialOf(c.blob); got != c.m {
			t.Errorf("ciphertext decrypts with %s, want %s", got, c.m)
		}
	}
	want[0].KeyMaterialState, want[1].KeyMaterialState = KeyMaterialStateNonCurrent, KeyMaterialStateCurrent
	want[1].RotationDate, want[1].RotationType = NewTimestamp(testEpoch), RotationTypeOnDemand
	if got := e.rotations(key, IncludeKeyMaterialAllKeyMaterial, 0); cliJSON(t, got) != cliJSON(t, want) {
		t.Fatalf("after rotation:\n got %s\nwant %s", cliJSON(t, got), cliJSON(t, want))
	}
	_, err = e.call("RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: key})
	wantErr(t, err, KMSInvalidStateException, "No available key material pending rotation for the key: "+e.keyArn(key)+".")

	// The current material expires: the key waits for it, and it comes
	// back with EXISTING_KEY_MATERIAL; the first material never left.
	e.clock.Set(validTo.Time)
	if st := e.describe(key).KeyState; st != KeyStatePendingImport {
		t.Fatalf("after ValidTo the key is %s", st)
	}
	if got := e.rotations(key, IncludeKeyMaterialAllKeyMaterial, 0); len(got) != 2 || got[1].ImportState != ImportStatePendingImport || got[1].KeyMaterialState != KeyMaterialStateCurrent {
		t.Fatalf("after expiry: %s", cliJSON(t, got))
	}
	if err := e.importIn(key, second, ExpirationModelKeyMaterialDoesNotExpire, nil); err != nil {
		t.Fatal(err)
	}
	if got := e.materialOf(ct1); got != m1 {
		t.Errorf("first ciphertext after reimport: %s", got)
	}
	if got := e.materialOf(ct2); got != m2 {
		t.Errorf("second ciphertext after reimport: %s", got)
	}
}

// TestDeletePendingMaterial: material pending rotation can be deleted by
// its id without touching the key.
func TestDeletePendingMaterial(t *testing.T) {
	e := newEnv(t)
	key := e.newExternalKey()
	e.importMaterial(key, cellMaterial)
	tok, w := e.importParams(key, bytes.Repeat([]byte{2}, 32))
	pending := invokeOK[ImportKeyMaterialOutput](e, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: key, ImportToken: tok, EncryptedKeyMaterial: w,
		ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, ImportType: ImportTypeNewKeyMaterial}).KeyMaterialId
	out := invokeOK[DeleteImportedKeyMaterialOutput](e, "DeleteImportedKeyMaterial", &DeleteImportedKeyMaterialInput{KeyId: key, KeyMaterialId: pending})
	if out.KeyMaterialId != pending || e.describe(key).KeyState != KeyStateEnabled {
		t.Fatalf("delete pending: %+v, key %s", out, e.describe(key).KeyState)
	}
	if got := e.rotations(key, IncludeKeyMaterialAllKeyMaterial, 0); len(got) != 1 || got[0].KeyMaterialState != KeyMaterialStateCurrent {
		t.Fatalf("after deleting the pending material: %s", cliJSON(t, got))
	}
	_, err := e.call("RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: key})
	wantCode(t, err, KMSInvalidStateException)
}

// TestImportedMaterialsExpireOneByOne: a rotated-out imported material
// expires on its own ValidTo; the key waits in PendingImport until it is
// imported again, and deleting it by id does the same.
func TestImportedMaterialsExpireOneByOne(t *testing.T) {
	e := newEnv(t)
	key := e.newExternalKey()
	first, second := cellMaterial, bytes.Repeat([]byte{2}, 32)
	validTo := NewTimestamp(testEpoch.Add(10 * 24 * time.Hour))
	if err := e.importIn(key, first, ExpirationModelKeyMaterialExpires, validTo); err != nil {
		t.Fatal(err)
	}
	m1 := e.describe(key).CurrentKeyMaterialId
	ct1 := e.encrypt(key, []byte("one"), nil).CiphertextBlob
	tok, w := e.importParams(key, second)
	invokeOK[ImportKeyMaterialOutput](e, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: key, ImportToken: tok, EncryptedKeyMaterial: w,
		ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, ImportType: ImportTypeNewKeyMaterial})
	e.rotateNow(key)
	ct2 := e.encrypt(key, []byte("two"), nil).CiphertextBlob
	if md := e.describe(key); md.ValidTo != nil || md.ExpirationModel != ExpirationModelKeyMaterialDoesNotExpire {
		t.Fatalf("after rotation the key shows the current material's expiry, got %v %s", md.ValidTo, md.ExpirationModel)
	}
	states := func() string {
		var out []string
		for _, r := range e.rotations(key, IncludeKeyMaterialAllKeyMaterial, 0) {
			out = append(out, string(r.ImportState)+"/"+string(r.KeyMaterialState))
		}
		return strings.Join(out, " ")
	}
	restore := func() {
		t.Helper()
		tok, w := e.importParams(key, first)
		invokeOK[ImportKeyMaterialOutput](e, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: key, ImportToken: tok, EncryptedKeyMaterial: w,
			ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, KeyMaterialId: m1})
	}
	steps := []struct {
		name   string
		do     func()
		state  KeyState
		states string
	}{
		{"before its ValidTo", func() { e.clock.Set(validTo.Time.Add(-time.Millisecond)) }, KeyStateEnabled, "IMPORTED/NON_CURRENT IMPORTED/CURRENT"},
		{"at its ValidTo", func() { e.clock.Set(validTo.Time) }, KeyStatePendingImport, "PENDING_IMPORT/NON_CURRENT IMPORTED/CURRENT"},
		{"after a write", func() { e.newKey() }, KeyStatePendingImport, "PENDING_IMPORT/NON_CURRENT IMPORTED/CURRENT"},
		{"imported again", restore, KeyStateEnabled, "IMPORTED/NON_CURRENT IMPORTED/CURRENT"},
		{"deleted by id", func() {
			invokeOK[DeleteImportedKeyMaterialOutput](e, "DeleteImportedKeyMaterial", &DeleteImportedKeyMaterialInput{KeyId: key, KeyMaterialId: m1})
		}, KeyStatePendingImport, "PENDING_IMPORT/NON_CURRENT IMPORTED/CURRENT"},
		{"imported once more", restore, KeyStateEnabled, "IMPORTED/NON_CURRENT IMPORTED/CURRENT"},
		{"current deleted", func() {
			invokeOK[DeleteImportedKeyMaterialOutput](e, "DeleteImportedKeyMaterial", &DeleteImportedKeyMaterialInput{KeyId: key})
		}, KeyStatePendingImport, "IMPORTED/NON_CURRENT PENDING_IMPORT/CURRENT"},
	}
	for _, st := range steps {
		st.do()
		if got := e.describe(key).KeyState; got != st.state {
			t.Errorf("%s: key %s, want %s", st.name, got, st.state)
		}
		if got := states(); got != st.states {
			t.Errorf("%s: materials %s, want %s", st.name, got, st.states)
		}
		if st.state == KeyStateEnabled {
			for _, ct := range [][]byte{ct1, ct2} {
				if _, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: ct}); err != nil {
					t.Errorf("%s: decrypt: %v", st.name, err)
				}
			}
		}
	}
}

// TestDueRotationUnderParallelReads: many readers cross the date at once;
// the key rotates once and every one of them encrypts with the new
// material.
func TestDueRotationUnderParallelReads(t *testing.T) {
	e := newEnv(t, withSystemRand())
	key := e.newKey()
	e.enableRotation(key, 90)
	first := e.describe(key).CurrentKeyMaterialId
	e.clock.Set(testEpoch.Add(90 * 24 * time.Hour))
	blobs := make([][]byte, 16)
	var wg sync.WaitGroup
	for i := range blobs {
		wg.Go(func() {
			out, err := e.svc.Invoke(e.ctx, "Encrypt", &EncryptInput{KeyId: key, Plaintext: []byte("p")})
			if err != nil {
				t.Error(err)
				return
			}
			blobs[i] = out.(*EncryptOutput).CiphertextBlob
		})
	}
	wg.Wait()
	r := e.rotations(key, "", 0)
	if len(r) != 1 || r[0].KeyMaterialId == first {
		t.Fatalf("rotations %+v", r)
	}
	for i, b := range blobs {
		if b != nil && e.materialOf(b) != r[0].KeyMaterialId {
			t.Errorf("reader %d encrypted with the old material", i)
		}
	}
}

// A multi-Region key rotates as a set: rotating the primary (on demand or
// automatically, with the operation that applies it made in another region)
// gives every replica the same new material, so a ciphertext of the new
// material decrypts in every region; replicas refuse rotation settings of
// their own and report their primary's; UpdatePrimaryRegion hands the
// schedule to the new primary.
func TestMultiRegionRotation(t *testing.T) {
	e := newEnv(t)
	west := e.inRegion("eu-west-1")
	id := e.createKey(&CreateKeyInput{MultiRegion: ptr(true)}).KeyId
	invokeOK[ReplicateKeyOutput](e, "ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1"})

	sameMaterial := func(step string) {
		t.Helper()
		p, r := e.describe(id).CurrentKeyMaterialId, west.describe(id).CurrentKeyMaterialId
		if p != r {
			t.Fatalf("%s: primary material %s, replica %s", step, p, r)
		}
		blob := e.encrypt(id, []byte("set"), nil).CiphertextBlob
		if got := west.materialOf(blob); got != p {
			t.Fatalf("%s: replica decrypts with %s, want %s", step, got, p)
		}
	}
	first := e.describe(id).CurrentKeyMaterialId
	e.rotateNow(id)
	if e.describe(id).CurrentKeyMaterialId == first {
		t.Fatal("on-demand rotation kept the material")
	}
	sameMaterial("on demand")

	for _, op := range []string{"EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand"} {
		in := map[string]any{"EnableKeyRotation": &EnableKeyRotationInput{KeyId: id},
			"DisableKeyRotation": &DisableKeyRotationInput{KeyId: id}, "RotateKeyOnDemand": &RotateKeyOnDemandInput{KeyId: id}}[op]
		_, err := west.call(op, in)
		wantCode(t, err, UnsupportedOperationException)
	}

	e.enableRotation(id, 90)
	if st := west.rotationStatus(id); !*st.KeyRotationEnabled || *st.RotationPeriodInDays != 90 {
		t.Errorf("replica status %+v, want the primary's schedule", st)
	}
	before := e.describe(id).CurrentKeyMaterialId
	e.clock.Advance(91 * oneDay)
	// The first operation after the date is made in the replica's region.
	if west.describe(id).CurrentKeyMaterialId == before {
		t.Fatal("automatic rotation of the primary did not reach the replica")
	}
	sameMaterial("automatic")

	invokeOK[UpdatePrimaryRegionOutput](e, "UpdatePrimaryRegion", &UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: "eu-west-1"})
	if st := west.rotationStatus(id); !*st.KeyRotationEnabled || *st.RotationPeriodInDays != 90 {
		t.Errorf("new primary status %+v, want the schedule handed over", st)
	}
	_, err := e.call("EnableKeyRotation", &EnableKeyRotationInput{KeyId: id})
	wantCode(t, err, UnsupportedOperationException)
	before = west.describe(id).CurrentKeyMaterialId
	e.clock.Advance(91 * oneDay)
	if e.describe(id).CurrentKeyMaterialId == before {
		t.Fatal("the new primary's schedule did not rotate the set")
	}
	sameMaterial("after the primary moved")
}

// A multi-Region key with imported material rotates on demand as a set, as
// AWS requires: the new material must first be imported into every
// replica; then rotating the primary makes it current everywhere.
func TestMultiRegionImportedRotation(t *testing.T) {
	e := newEnv(t)
	west := e.inRegion("eu-west-1")
	id := e.createKey(&CreateKeyInput{MultiRegion: ptr(true), Origin: OriginExternal}).KeyId
	e.importMaterial(id, cellMaterial)
	invokeOK[ReplicateKeyOutput](e, "ReplicateKey", &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1"})
	west.importMaterial(id, cellMaterial)
	second := bytes.Repeat([]byte{2}, 32)
	importNew := func(env *testEnv) {
		t.Helper()
		tok, w := env.importParams(id, second)
		invokeOK[ImportKeyMaterialOutput](env, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: id, ImportToken: tok,
			EncryptedKeyMaterial: w, ImportType: ImportTypeNewKeyMaterial, ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire})
	}
	importNew(e)
	before := e.describe(id).CurrentKeyMaterialId
	_, err := e.call("RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: id})
	wantCode(t, err, KMSInvalidStateException)
	if e.describe(id).CurrentKeyMaterialId != before {
		t.Fatal("a refused rotation changed the primary")
	}
	importNew(west)
	e.rotateNow(id)
	p, r := e.describe(id).CurrentKeyMaterialId, west.describe(id).CurrentKeyMaterialId
	if p == before || p != r {
		t.Fatalf("after rotation: primary %s, replica %s (before %s)", p, r, before)
	}
	blob := e.encrypt(id, []byte("new"), nil).CiphertextBlob
	if got := west.materialOf(blob); got != p {
		t.Fatalf("the replica decrypts with %s, want %s", got, p)
	}
}
