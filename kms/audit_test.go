package kms

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// auditEvents commits the queued events and returns every event, oldest
// first, with its stored JSON.
func auditEvents(t *testing.T, e *testEnv) ([]Event, [][]byte) {
	t.Helper()
	if err := e.svc.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	var evs []Event
	var raws [][]byte
	err := e.svc.ExportAudit(context.Background(), time.Time{}, func(rec []byte) error {
		var ev Event
		if err := json.Unmarshal(rec, &ev); err != nil {
			return err
		}
		evs = append(evs, ev)
		raws = append(raws, bytes.Clone(rec))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, raws
}

func lastEvent(t *testing.T, e *testEnv) Event {
	t.Helper()
	evs, _ := auditEvents(t, e)
	if len(evs) == 0 {
		t.Fatal("no audit event")
	}
	return evs[len(evs)-1]
}

// Every operation type produces one event with the right fields, on the
// command line's path (one transaction per call) and the servers' (group
// commit).
func TestAuditEventPerOperation(t *testing.T) {
	for _, mode := range commitModes {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.opts...)
			key := e.newKey()
			signKey := e.createKey(&CreateKeyInput{KeyUsage: KeyUsageSignVerify, KeySpec: KeySpecEccNistP256}).KeyId
			macKey := e.createKey(&CreateKeyInput{KeyUsage: KeyUsageGenerateVerifyMac, KeySpec: KeySpecHmac256}).KeyId
			tests := []struct {
				op        string
				in        any
				readOnly  bool
				errorCode string
				resource  string         // a key ARN in resources ("" : none)
				params    map[string]any // requestParameters members that must be there
				response  bool           // responseElements.keyId is the resource
			}{
				{"CreateKey", &CreateKeyInput{Description: "audit me"}, false, "", "*", map[string]any{"description": "audit me"}, true},
				{"Encrypt", &EncryptInput{KeyId: key, Plaintext: []byte("x"), EncryptionContext: map[string]string{"app": "a"}}, true, "", key,
					map[string]any{"keyId": key, "encryptionContext": map[string]any{"app": "a"}}, false},
				{"GenerateDataKey", &GenerateDataKeyInput{KeyId: key, KeySpec: DataKeySpecAes256}, true, "", key, map[string]any{"keySpec": "AES_256"}, false},
				{"Sign", &SignInput{KeyId: signKey, Message: []byte("m"), SigningAlgorithm: SigningAlgorithmEcdsaSha256}, true, "", signKey,
					map[string]any{"signingAlgorithm": "ECDSA_SHA_256"}, false},
				{"GenerateMac", &GenerateMacInput{KeyId: macKey, Message: []byte("m"), MacAlgorithm: MacAlgorithmHmacSha256}, true, "", macKey,
					map[string]any{"macAlgorithm": "HMAC_SHA_256"}, false},
				{"DescribeKey", &DescribeKeyInput{KeyId: key}, true, "", key, map[string]any{"keyId": key}, false},
				{"ListKeys", &ListKeysInput{}, true, "", "", nil, false},
				{"GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr(int32(16))}, true, "", "", map[string]any{"numberOfBytes": float64(16)}, false},
				{"TagResource", &TagResourceInput{KeyId: key, Tags: []Tag{{TagKey: "k", TagValue: "v"}}}, false, "", key,
					map[string]any{"tags": []any{map[string]any{"tagKey": "k", "tagValue": "v"}}}, true},
				{"CreateAlias", &CreateAliasInput{AliasName: "alias/audit", TargetKeyId: key}, false, "", key, map[string]any{"aliasName": "alias/audit"}, true},
				{"DisableKey", &DisableKeyInput{KeyId: key}, false, "", key, map[string]any{"keyId": key}, true},
				{"Encrypt", &EncryptInput{KeyId: key, Plaintext: []byte("x")}, true, "DisabledException", key, nil, false},
				{"ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: key, PendingWindowInDays: ptr(int32(7))}, false, "", key,
					map[string]any{"pendingWindowInDays": float64(7)}, true},
				{"DescribeKey", &DescribeKeyInput{KeyId: "alias/none"}, true, "NotFoundException", "", nil, false},
				{"Encrypt", &EncryptInput{Plaintext: []byte("x")}, true, "ValidationException", "", nil, false},
			}
			for i, tt := range tests {
				t.Run(fmt.Sprintf("%d_%s", i, tt.op), func(t *testing.T) {
					out, err := e.call(tt.op, tt.in)
					if got := string(CodeOf(err)); got != tt.errorCode {
						t.Fatalf("%s: error %v, want %q", tt.op, err, tt.errorCode)
					}
					before := lastEventCount(t, e)
					ev := lastEvent(t, e)
					if before == 0 {
						t.Fatal("no event")
					}
					if ev.EventName != tt.op || ev.EventSource != EventSourceKMS || ev.ReadOnly != tt.readOnly ||
						ev.ErrorCode != tt.errorCode || ev.EventCategory != "Management" || ev.EventVersion == "" ||
						ev.AwsRegion != "us-east-1" || ev.RecipientAccountID != testAccount || ev.UserIdentity.UserName == "" ||
						ev.UserIdentity.PrincipalID == "" || ev.EventID == "" || ev.RequestID == "" {
						t.Fatalf("event %+v", ev)
					}
					if _, err := time.Parse(time.RFC3339, ev.EventTime); err != nil {
						t.Fatalf("eventTime %q", ev.EventTime)
					}
					if tt.errorCode != "" && ev.ErrorMessage == "" && tt.errorCode != "DisabledException" {
						t.Fatalf("no errorMessage: %+v", ev)
					}
					want := tt.resource
					if want == "*" {
						want = out.(*CreateKeyOutput).KeyMetadata.KeyId
					}
					var arns []string
					for _, r := range ev.Resources {
						if r.Type != "AWS::KMS::Key" || r.AccountID != testAccount {
							t.Fatalf("resource %+v", r)
						}
						arns = append(arns, r.ARN)
					}
					if want == "" && len(arns) != 0 || want != "" && (len(arns) == 0 || arns[0] != e.keyArn(want)) {
						t.Fatalf("resources %v, want %q", arns, want)
					}
					for k, v := range tt.params {
						if got := ev.RequestParameters[k]; !reflect.DeepEqual(got, v) {
							t.Fatalf("requestParameters.%s = %#v, want %#v (all: %v)", k, got, v, ev.RequestParameters)
						}
					}
					if got, _ := ev.ResponseElements["keyId"].(string); tt.response != (got != "" && got == e.keyArn(want)) {
						t.Fatalf("responseElements %v", ev.ResponseElements)
					}
				})
			}
			// One event per call: 3 setup keys plus the table.
			if n := lastEventCount(t, e); n != 3+len(tests) {
				t.Fatalf("%d events for %d calls", n, 3+len(tests))
			}
			if _, err := e.svc.VerifyAudit(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func lastEventCount(t *testing.T, e *testEnv) int {
	evs, _ := auditEvents(t, e)
	return len(evs)
}

// A state-changing call commits its event in its own transaction: the
// event is there at once, before any flush, even under group commit.
func TestAuditWriteCommitsWithChange(t *testing.T) {
	e := newEnv(t) // group commit
	e.newKey()
	var n int
	if err := e.store.View(func(tx Tx) error {
		var err error
		n, err = tx.Count(bucketAudit)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d events committed with CreateKey, want 1", n)
	}
	// A read-only call waits for the group commit, at most AuditFlushDelay.
	e.encrypt(e.newKey(), []byte("p"), nil)
	deadline := time.Now().Add(5 * AuditFlushDelay)
	for {
		_ = e.store.View(func(tx Tx) error { n, _ = tx.Count(bucketAudit); return nil })
		if n == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n != 3 {
		t.Fatalf("%d events after the flush delay, want 3", n)
	}
}

// No event holds a secret the calls used: plaintext, data keys, ciphertext,
// signatures, MACs, random bytes, key material, a key store password.
func TestAuditNoSecrets(t *testing.T) {
	e := newEnv(t, withoutGroupCommit())
	key := e.newKey()
	signKey := e.createKey(&CreateKeyInput{KeyUsage: KeyUsageSignVerify, KeySpec: KeySpecEccNistP256}).KeyId
	macKey := e.createKey(&CreateKeyInput{KeyUsage: KeyUsageGenerateVerifyMac, KeySpec: KeySpecHmac256}).KeyId
	plaintext := []byte("the launch code is 0000-SECRET-PLAINTEXT")
	pin := "pin-4242-SECRET"
	var secrets [][]byte
	secrets = append(secrets, plaintext, []byte(pin))
	enc := e.encrypt(key, plaintext, map[string]string{"purpose": "audit"})
	secrets = append(secrets, enc.CiphertextBlob)
	invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"purpose": "audit"}})
	dk := invokeOK[GenerateDataKeyOutput](e, "GenerateDataKey", &GenerateDataKeyInput{KeyId: key, NumberOfBytes: ptr(int32(32))})
	secrets = append(secrets, dk.Plaintext, dk.CiphertextBlob)
	sig := invokeOK[SignOutput](e, "Sign", &SignInput{KeyId: signKey, Message: plaintext, SigningAlgorithm: SigningAlgorithmEcdsaSha256})
	secrets = append(secrets, sig.Signature)
	invokeOK[VerifyOutput](e, "Verify", &VerifyInput{KeyId: signKey, Message: plaintext, Signature: sig.Signature, SigningAlgorithm: SigningAlgorithmEcdsaSha256})
	mac := invokeOK[GenerateMacOutput](e, "GenerateMac", &GenerateMacInput{KeyId: macKey, Message: plaintext, MacAlgorithm: MacAlgorithmHmacSha256})
	secrets = append(secrets, mac.Mac)
	rnd := invokeOK[GenerateRandomOutput](e, "GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr(int32(32))})
	secrets = append(secrets, rnd.Plaintext)
	re := invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: map[string]string{"purpose": "audit"}, DestinationKeyId: key})
	secrets = append(secrets, re.CiphertextBlob)
	// A key store password (the token PIN), on a call that fails.
	_, _ = e.call("CreateCustomKeyStore", &CreateCustomKeyStoreInput{CustomKeyStoreName: "s", CloudHsmClusterId: "cluster-1234567", TrustAnchorCertificate: "cert", KeyStorePassword: pin})
	for _, id := range []string{key, signKey, macKey} {
		var k keyRecord
		if err := e.store.View(func(tx Tx) error { return getJSON(tx, bucketKeys, id, &k) }); err != nil {
			t.Fatal(err)
		}
		for _, m := range k.Materials {
			secrets = append(secrets, m.Secret)
		}
	}
	_, raws := auditEvents(t, e)
	if len(raws) < 12 {
		t.Fatalf("only %d events", len(raws))
	}
	all := bytes.Join(raws, []byte("\n"))
	if !bytes.Contains(all, []byte(`"purpose":"audit"`)) {
		t.Fatal("the encryption context is not logged")
	}
	for _, s := range secrets {
		if len(s) == 0 {
			t.Fatal("empty secret")
		}
		for _, form := range []string{string(s), base64.StdEncoding.EncodeToString(s), hex.EncodeToString(s), base64.RawStdEncoding.EncodeToString(s)} {
			if len(form) >= 8 && bytes.Contains(all, []byte(form)) {
				t.Fatalf("an event holds a secret (%.20q...)", form)
			}
		}
	}
}

// Every request member is either logged or a secret: a new member must
// choose, and until it does it is dropped.
func TestAuditMembersClassified(t *testing.T) {
	var walk func(reflect.Type, string)
	seen := map[reflect.Type]bool{}
	walk = func(tp reflect.Type, path string) {
		for tp.Kind() == reflect.Pointer || tp.Kind() == reflect.Slice && tp.Elem().Kind() != reflect.Uint8 {
			tp = tp.Elem()
		}
		if tp.Kind() != reflect.Struct || tp == timestampType || seen[tp] {
			return
		}
		seen[tp] = true
		for i := 0; i < tp.NumField(); i++ {
			f := tp.Field(i)
			blob := f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Uint8
			if !blob && auditLogged[f.Name] == auditSecret[f.Name] {
				t.Errorf("%s.%s is neither in auditLogged nor in auditSecret", path, f.Name)
			}
			walk(f.Type, path+"."+f.Name)
		}
	}
	for _, op := range operations { // the agent-only ones too
		walk(op.Input, op.Name)
	}
	// Unclassified and blob members are dropped; secrets too.
	type probe struct {
		KeyId            string
		NewSecretThing   string
		KeyStorePassword string
		Plaintext        []byte
	}
	got := requestParameters(&probe{KeyId: "k", NewSecretThing: "s", KeyStorePassword: "p", Plaintext: []byte("x")})
	if !reflect.DeepEqual(got, map[string]any{"keyId": "k"}) {
		t.Fatalf("requestParameters = %v", got)
	}
}

// tamper edits the stored audit records of the memory store directly, as
// someone holding the vault key could; the chain must name the first
// event that no longer verifies.
func TestAuditTamper(t *testing.T) {
	build := func(t *testing.T) *testEnv {
		e := newEnv(t, withoutGroupCommit())
		key := e.newKey()
		for i := 0; i < 5; i++ {
			e.encrypt(key, []byte("p"), nil)
		}
		return e // events 1..6
	}
	rec := func(seq uint64) string { return auditRecordID(seq) }
	tests := []struct {
		name    string
		edit    func(data map[string]map[string][]byte)
		wantSeq uint64
		reason  string
	}{
		{"edit one byte", func(d map[string]map[string][]byte) {
			d[bucketAudit][rec(3)] = bytes.Replace(d[bucketAudit][rec(3)], []byte(`Encrypt`), []byte(`Encrypu`), 1)
		}, 3, "MAC does not match"},
		{"delete one", func(d map[string]map[string][]byte) { delete(d[bucketAudit], rec(4)) }, 4, "missing"},
		{"reorder two", func(d map[string]map[string][]byte) {
			d[bucketAudit][rec(2)], d[bucketAudit][rec(5)] = d[bucketAudit][rec(5)], d[bucketAudit][rec(2)]
		}, 2, "reordered"},
		{"truncate the tail", func(d map[string]map[string][]byte) {
			delete(d[bucketAudit], rec(5))
			delete(d[bucketAudit], rec(6))
		}, 5, "missing"},
		{"drop the head back", func(d map[string]map[string][]byte) {
			var h auditHead
			_ = json.Unmarshal(d[bucketConfig][auditHeadID], &h)
			h.Head.Seq = 4
			d[bucketConfig][auditHeadID], _ = json.Marshal(h)
		}, 4, "head does not match"},
		{"an event added outside the chain", func(d map[string]map[string][]byte) {
			d[bucketAudit][rec(9)] = d[bucketAudit][rec(2)]
		}, 7, "outside the chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := build(t)
			if _, err := e.svc.VerifyAudit(context.Background()); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			e.store.mu.Lock()
			tt.edit(e.store.data)
			e.store.gen++
			e.store.mu.Unlock()
			_, err := e.svc.VerifyAudit(context.Background())
			var ce *ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("VerifyAudit = %v, want a ChainError", err)
			}
			if ce.Seq != tt.wantSeq || !strings.Contains(ce.Reason, tt.reason) {
				t.Fatalf("got %v, want event %d: %s", ce, tt.wantSeq, tt.reason)
			}
			// Pruning never hides a break.
			if _, err := e.svc.PruneAudit(context.Background(), testEpoch.Add(time.Hour)); !errors.As(err, &ce) {
				t.Fatalf("PruneAudit on a broken chain = %v", err)
			}
		})
	}
}

// Anchors: a vault rolled back past an anchor, or another vault, fails;
// the vault itself, later, passes.
func TestAuditAnchor(t *testing.T) {
	e := newEnv(t, withoutGroupCommit())
	key := e.newKey()
	e.encrypt(key, []byte("p"), nil)
	old := e.store.snapshot()
	st, err := e.svc.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := Anchor{Seq: st.Head.Seq, MAC: st.Head.MAC}
	parsed, err := ParseAnchor(a.String())
	if err != nil || !reflect.DeepEqual(parsed, a) {
		t.Fatalf("ParseAnchor(%s) = %v, %v", a, parsed, err)
	}
	for _, bad := range []string{"", "pkms-audit-v1:0:" + strings.Repeat("0", 64), "pkms-audit-v1:2:zz", "x:1:" + strings.Repeat("0", 64)} {
		if _, err := ParseAnchor(bad); err == nil {
			t.Errorf("ParseAnchor(%q) accepted", bad)
		}
	}
	e.encrypt(key, []byte("p"), nil)
	e.newKey()
	if _, err := e.svc.CheckAnchor(context.Background(), a); err != nil {
		t.Fatalf("the vault itself, later: %v", err)
	}
	later, _ := e.svc.VerifyAudit(context.Background())
	laterAnchor := Anchor{Seq: later.Head.Seq, MAC: later.Head.MAC}

	// The whole store rolled back to the copy taken at the first anchor:
	// the chain verifies on its own, only the later anchor shows it.
	e.store.restore(old)
	if _, err := e.svc.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("a consistent rollback is invisible from inside: %v", err)
	}
	var ce *ChainError
	if _, err := e.svc.CheckAnchor(context.Background(), laterAnchor); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "gone back") {
		t.Fatalf("rolled back past the anchor: %v", err)
	}
	// Rolled back and rewritten to the same length: a different event there.
	e.encrypt(key, []byte("q"), nil)
	e.encrypt(key, []byte("q"), nil)
	if _, err := e.svc.CheckAnchor(context.Background(), laterAnchor); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "differs") {
		t.Fatalf("rewritten after a rollback: %v", err)
	}
	// Another vault.
	other := newEnv(t, withoutGroupCommit())
	other.newKey()
	if _, err := other.svc.CheckAnchor(context.Background(), Anchor{Seq: 1, MAC: a.MAC}); !errors.As(err, &ce) {
		t.Fatalf("another vault: %v", err)
	}
}

// Pruning keeps the rest verifiable, and an anchor in the pruned part
// still proves the vault has moved past it.
func TestAuditPrune(t *testing.T) {
	e := newEnv(t, withoutGroupCommit())
	key := e.newKey()
	e.encrypt(key, []byte("p"), nil)
	st, _ := e.svc.VerifyAudit(context.Background())
	a := Anchor{Seq: st.Head.Seq, MAC: st.Head.MAC}
	e.clock.Advance(48 * time.Hour)
	e.encrypt(key, []byte("p"), nil)
	e.encrypt(key, []byte("p"), nil)
	n, err := e.svc.PruneAudit(context.Background(), testEpoch.Add(24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneAudit = %d, %v; want 2 pruned", n, err)
	}
	st, err = e.svc.VerifyAudit(context.Background())
	if err != nil || st.Base.Seq != 2 || st.Events != 2 {
		t.Fatalf("after prune: %+v, %v", st, err)
	}
	if _, err := e.svc.CheckAnchor(context.Background(), a); err != nil {
		t.Fatalf("anchor at the pruned base: %v", err)
	}
	evs, _ := auditEvents(t, e)
	if len(evs) != 2 || evs[0].EventName != "Encrypt" {
		t.Fatalf("events left: %+v", evs)
	}
}

// Lookup: each attribute filters, the time range bounds, pages follow
// NextToken, newest first, and bad requests get CloudTrail's exceptions.
func TestAuditLookupEvents(t *testing.T) {
	e := newEnv(t, withoutGroupCommit())
	k1 := e.newKey() // t0
	e.clock.Advance(time.Hour)
	k2 := e.newKey() // t0+1h
	e.clock.Advance(time.Hour)
	for i := 0; i < 3; i++ {
		e.encrypt(k1, []byte("p"), nil) // t0+2h
	}
	e.clock.Advance(time.Hour)
	_, _ = e.call("DescribeKey", &DescribeKeyInput{KeyId: k2}) // t0+3h
	evs, _ := auditEvents(t, e)
	ts := func(d time.Duration) *Timestamp { return NewTimestamp(testEpoch.Truncate(time.Second).Add(d)) }
	attr := func(k, v string) []LookupAttribute { return []LookupAttribute{{AttributeKey: k, AttributeValue: v}} }
	tests := []struct {
		name string
		in   LookupEventsInput
		want []string // event names, newest first
	}{
		{"all", LookupEventsInput{}, []string{"DescribeKey", "Encrypt", "Encrypt", "Encrypt", "CreateKey", "CreateKey"}},
		{"EventName", LookupEventsInput{LookupAttributes: attr("EventName", "CreateKey")}, []string{"CreateKey", "CreateKey"}},
		{"ResourceName ARN", LookupEventsInput{LookupAttributes: attr("ResourceName", e.keyArn(k2))}, []string{"DescribeKey", "CreateKey"}},
		{"ResourceName id", LookupEventsInput{LookupAttributes: attr("ResourceName", k1)}, []string{"Encrypt", "Encrypt", "Encrypt", "CreateKey"}},
		{"Username", LookupEventsInput{LookupAttributes: attr("Username", evs[0].UserIdentity.UserName)}, []string{"DescribeKey", "Encrypt", "Encrypt", "Encrypt", "CreateKey", "CreateKey"}},
		{"Username other", LookupEventsInput{LookupAttributes: attr("Username", "mallory")}, nil},
		{"EventId", LookupEventsInput{LookupAttributes: attr("EventId", evs[1].EventID)}, []string{"CreateKey"}},
		{"ReadOnly false", LookupEventsInput{LookupAttributes: attr("ReadOnly", "false")}, []string{"CreateKey", "CreateKey"}},
		{"ReadOnly true", LookupEventsInput{LookupAttributes: attr("ReadOnly", "true")}, []string{"DescribeKey", "Encrypt", "Encrypt", "Encrypt"}},
		{"start", LookupEventsInput{StartTime: ts(2 * time.Hour)}, []string{"DescribeKey", "Encrypt", "Encrypt", "Encrypt"}},
		{"end", LookupEventsInput{EndTime: ts(time.Hour)}, []string{"CreateKey", "CreateKey"}},
		{"range", LookupEventsInput{StartTime: ts(time.Hour), EndTime: ts(2 * time.Hour)}, []string{"Encrypt", "Encrypt", "Encrypt", "CreateKey"}},
		{"range and name", LookupEventsInput{StartTime: ts(time.Hour), EndTime: ts(2 * time.Hour), LookupAttributes: attr("EventName", "CreateKey")}, []string{"CreateKey"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Page by page with MaxResults 2; the pages joined must be the whole answer.
			var got []string
			in := tt.in
			in.MaxResults = ptr(int32(2))
			pages := 0
			for {
				out, err := e.svc.LookupEvents(context.Background(), &in)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(out.Events) > 2 {
					t.Fatalf("page of %d events with MaxResults 2", len(out.Events))
				}
				for _, ev := range out.Events {
					var ct Event
					if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &ct); err != nil || ct.EventID != ev.EventId || ct.EventName != ev.EventName {
						t.Fatalf("CloudTrailEvent %q does not match %+v", ev.CloudTrailEvent, ev)
					}
					got = append(got, ev.EventName)
				}
				if out.NextToken == "" {
					break
				}
				in.NextToken = out.NextToken
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if len(tt.want) > 2 && pages < 2 {
				t.Fatalf("%d results in %d page", len(tt.want), pages)
			}
		})
	}
	bad := []struct {
		in   LookupEventsInput
		code ErrorCode
	}{
		{LookupEventsInput{LookupAttributes: append(attr("EventName", "x"), attr("Username", "y")...)}, InvalidLookupAttributesException},
		{LookupEventsInput{LookupAttributes: attr("Color", "red")}, InvalidLookupAttributesException},
		{LookupEventsInput{StartTime: ts(time.Hour), EndTime: ts(0)}, InvalidTimeRangeException},
		{LookupEventsInput{MaxResults: ptr(int32(51))}, InvalidMaxResultsException},
		{LookupEventsInput{MaxResults: ptr(int32(0))}, InvalidMaxResultsException},
		{LookupEventsInput{NextToken: "abc"}, InvalidNextTokenException},
		{LookupEventsInput{NextToken: "999"}, InvalidNextTokenException},
	}
	for _, b := range bad {
		_, err := e.svc.LookupEvents(context.Background(), &b.in)
		wantCode(t, err, b.code)
	}
}

// snapshot copies the whole store, as a copy of the vault file would be.
func (m *memStore) snapshot() map[string]map[string][]byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	cp := map[string]map[string][]byte{}
	for b, recs := range m.data {
		cp[b] = map[string][]byte{}
		for k, v := range recs {
			cp[b][k] = bytes.Clone(v)
		}
	}
	return cp
}

// restore puts a snapshot back: the whole file rolled back.
func (m *memStore) restore(data map[string]map[string][]byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = data
	m.gen++
}

// A group commit stores its events as one segment: an edit inside it still
// names the event.
func TestAuditTamperInsideSegment(t *testing.T) {
	e := newEnv(t)    // group commit
	key := e.newKey() // event 1, its own segment
	for i := 0; i < 5; i++ {
		_, _ = e.call("DescribeKey", &DescribeKeyInput{KeyId: key}) // events 2-6, queued
	}
	if err := e.svc.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.store.mu.Lock()
	seg := e.store.data[bucketAudit][auditRecordID(2)]
	if n := bytes.Count(seg, []byte(`"eventName":"DescribeKey"`)); n != 5 {
		e.store.mu.Unlock()
		t.Fatalf("segment 2 holds %d events, want 5", n)
	}
	// The fourth event of the segment (event 5) gets another eventName.
	e.store.data[bucketAudit][auditRecordID(2)] = replaceNth(seg, `"eventName":"DescribeKey"`, `"eventName":"DescribeKez"`, 3)
	e.store.gen++
	e.store.mu.Unlock()
	var ce *ChainError
	if _, err := e.svc.VerifyAudit(context.Background()); !errors.As(err, &ce) || ce.Seq != 5 || ce.EventName != "DescribeKez" {
		t.Fatalf("VerifyAudit = %v, want event 5 named", err)
	}
}

// replaceNth replaces the n-th (0-based) occurrence of old in b.
func replaceNth(b []byte, old, new string, n int) []byte {
	at := 0
	for k := 0; k <= n; k++ {
		j := bytes.Index(b[at:], []byte(old))
		if j < 0 {
			return b
		}
		if k == n {
			out := append(bytes.Clone(b[:at+j]), new...)
			return append(out, b[at+j+len(old):]...)
		}
		at += j + len(old)
	}
	return b
}

// commitModes are the two ways an event is committed: with the call's own
// transaction (one-shot commands) and by group commit (the servers).
var commitModes = []struct {
	name string
	opts []envOption
}{{"oneshot", []envOption{withoutGroupCommit()}}, {"group", nil}}

// Every operation, called with an empty request (most fail validation,
// some succeed), appends exactly one event named after it, with its
// read-only flag, in both the one-shot and the group-commit paths.
func TestAuditEveryOperationRecorded(t *testing.T) {
	for _, mode := range commitModes {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.opts...)
			for _, op := range Operations() {
				before := lastEventCount(t, e)
				_, err := e.call(op.Name, op.NewInput())
				evs, _ := auditEvents(t, e)
				if len(evs) != before+1 {
					t.Fatalf("%s: %d events appended, want 1", op.Name, len(evs)-before)
				}
				ev := evs[len(evs)-1]
				if ev.EventName != op.Name || ev.ReadOnly != op.ReadOnly || ev.EventSource != EventSourceKMS ||
					(err != nil) != (ev.ErrorCode != "") || err != nil && ev.ErrorCode != string(CodeOf(err)) {
					t.Fatalf("%s (error %v): event %+v", op.Name, err, ev)
				}
			}
			if _, err := e.svc.VerifyAudit(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// An automatic rotation that falls due before a read-only call is applied
// first, in both commit modes, and the call still has exactly one event of
// its own, with the call's outcome (the rotation records none).
func TestAuditDueRotationBeforeRead(t *testing.T) {
	for _, mode := range commitModes {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.opts...)
			key := e.newKey()
			e.enableRotation(key, 90)
			before := e.describe(key).CurrentKeyMaterialId
			n := lastEventCount(t, e)
			e.clock.Advance(91 * oneDay)
			// A read that fails after its transaction began.
			_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: []byte("not a ciphertext blob")})
			wantCode(t, err, InvalidCiphertextException)
			if after := e.describe(key).CurrentKeyMaterialId; after == before {
				t.Fatal("the due rotation was not applied")
			}
			evs, _ := auditEvents(t, e)
			var got []string
			for _, ev := range evs[n:] {
				got = append(got, ev.EventName+"/"+ev.ErrorCode)
			}
			want := []string{"Decrypt/InvalidCiphertextException", "DescribeKey/"}
			if !slices.Equal(got, want) {
				t.Fatalf("events after the rotation date: %v, want %v", got, want)
			}
		})
	}
}
