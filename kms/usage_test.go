package kms

import (
	"context"
	"testing"
	"time"
)

func lastUsage(e *testEnv, id string) *GetKeyLastUsageOutput {
	e.t.Helper()
	return invokeOK[GetKeyLastUsageOutput](e, "GetKeyLastUsage", &GetKeyLastUsageInput{KeyId: id})
}

func TestKeyLastUsage(t *testing.T) {
	e := newEnv(t)
	a := e.createKey(&CreateKeyInput{}).KeyId
	b := e.createKey(&CreateKeyInput{}).KeyId

	// A new key has never been used; tracking starts at its creation.
	got := lastUsage(e, a)
	if got.KeyLastUsage != nil || !got.TrackingStartDate.Equal(testEpoch) || !got.KeyCreationDate.Equal(testEpoch) {
		t.Fatalf("fresh key: %+v", got)
	}

	e.clock.Advance(time.Minute)
	ctx := WithRequestID(context.Background(), "req-1")
	enc, err := e.svc.Invoke(ctx, "Encrypt", &EncryptInput{KeyId: a, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	blob := enc.(*EncryptOutput).CiphertextBlob

	// Seen before any flush, by the same service.
	got = lastUsage(e, a)
	if got.KeyLastUsage == nil || got.KeyLastUsage.Operation != "Encrypt" || got.KeyLastUsage.KmsRequestId != "req-1" ||
		!got.KeyLastUsage.Timestamp.Equal(testEpoch.Add(time.Minute)) {
		t.Fatalf("after Encrypt: %+v", got.KeyLastUsage)
	}

	// A failed operation is not usage; a dry run is not usage.
	e.clock.Advance(time.Minute)
	if _, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: blob, KeyId: b}); err == nil {
		t.Fatal("Decrypt with the wrong key succeeded")
	}
	if _, err := e.call("Encrypt", &EncryptInput{KeyId: b, Plaintext: []byte("x"), DryRun: ptr(true)}); err == nil {
		t.Fatal("dry run succeeded")
	}
	if u := lastUsage(e, b).KeyLastUsage; u != nil {
		t.Fatalf("failed calls recorded as usage: %+v", u)
	}

	// ReEncrypt records both keys.
	e.clock.Advance(time.Minute)
	invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: b})
	for _, id := range []string{a, b} {
		if u := lastUsage(e, id).KeyLastUsage; u == nil || u.Operation != "ReEncrypt" || !u.Timestamp.Equal(testEpoch.Add(3*time.Minute)) {
			t.Fatalf("%s after ReEncrypt: %+v", id, u)
		}
	}

	// Flushed usage survives into another service over the same vault.
	if err := e.svc.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	other := &testEnv{t: t, ctx: context.Background(), store: e.store, clock: e.clock,
		svc: New(e.store, Options{Clock: e.clock.Now})}
	if u := lastUsage(other, b).KeyLastUsage; u == nil || u.Operation != "ReEncrypt" {
		t.Fatalf("after flush, another service sees %+v", u)
	}
	// Nothing pending: a flush writes nothing.
	gen := generation(t, e.store)
	if err := e.svc.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	if generation(t, e.store) != gen {
		t.Fatal("an empty flush wrote a transaction")
	}

	// An older flush never overwrites newer usage.
	e.clock.Advance(time.Minute)
	invokeOK[EncryptOutput](e, "Encrypt", &EncryptInput{KeyId: a, Plaintext: []byte("x")})
	if err := e.svc.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	if u := lastUsage(other, a).KeyLastUsage; u.Operation != "Encrypt" || !u.Timestamp.Equal(testEpoch.Add(4*time.Minute)) {
		t.Fatalf("newest usage lost: %+v", u)
	}
}

func generation(t *testing.T, st Store) uint64 {
	t.Helper()
	var g uint64
	if err := st.View(func(tx Tx) error { g = tx.Generation(); return nil }); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestKeyLastUsagePurgedWithKey(t *testing.T) {
	e := newEnv(t)
	id := e.createKey(&CreateKeyInput{}).KeyId
	invokeOK[EncryptOutput](e, "Encrypt", &EncryptInput{KeyId: id, Plaintext: []byte("x")})
	if err := e.svc.FlushUsage(e.ctx); err != nil {
		t.Fatal(err)
	}
	invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(7))})
	e.clock.Advance(8 * 24 * time.Hour)
	e.createKey(&CreateKeyInput{}) // any write purges
	err := e.store.View(func(tx Tx) error {
		_, err := tx.Get(bucketUsage, id)
		return err
	})
	if err == nil {
		t.Fatal("the usage record of a purged key is still in the vault")
	}
}

func TestRegionFromContext(t *testing.T) {
	e := newEnv(t)
	ctx := WithRegion(context.Background(), "eu-west-3")
	id := e.inRegion("eu-west-3").createKey(&CreateKeyInput{}).KeyId
	out, err := e.svc.Invoke(ctx, "DescribeKey", &DescribeKeyInput{KeyId: "arn:aws:kms:eu-west-3:" + testAccount + ":key/" + id})
	if err != nil {
		t.Fatal(err)
	}
	if arn := out.(*DescribeKeyOutput).KeyMetadata.Arn; arn != "arn:aws:kms:eu-west-3:"+testAccount+":key/"+id {
		t.Fatalf("Arn = %s", arn)
	}
	if _, err := e.call("DescribeKey", &DescribeKeyInput{KeyId: "arn:aws:kms:eu-west-3:" + testAccount + ":key/" + id}); err == nil {
		t.Fatal("an eu-west-3 ARN resolved in the service's default region")
	}
}
