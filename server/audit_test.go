package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/pocketkms/pkms/kms"
)

// pkms serve records the caller of each call as the access key that
// signed it; the credentials command that made the key is recorded as the
// local user's, with eventSource pkms.
func TestServeRecordsAccessKey(t *testing.T) {
	_, open := testVault(t)
	var b *Backend
	c, key, _ := serveBackend(t, func() *Backend { b = open(); return b })
	ctx := context.Background()
	ck, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: ck.KeyMetadata.KeyId, Plaintext: []byte("p")}); err != nil {
		t.Fatal(err)
	}
	if err := b.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := b.Service.LookupEvents(ctx, &kms.LookupEventsInput{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, source, user string }{
		{"Encrypt", kms.EventSourceKMS, key.AccessKeyId},
		{"CreateKey", kms.EventSourceKMS, key.AccessKeyId},
		{"CreateAccessKey", kms.EventSourcePkms, ""},
	}
	if len(out.Events) != len(tests) {
		t.Fatalf("%d events, want %d", len(out.Events), len(tests))
	}
	for i, tt := range tests {
		ev := out.Events[i]
		var ct kms.Event
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &ct); err != nil {
			t.Fatal(err)
		}
		if ev.EventName != tt.name || ev.EventSource != tt.source {
			t.Fatalf("event %d: %s from %s, want %s from %s", i, ev.EventName, ev.EventSource, tt.name, tt.source)
		}
		if tt.user != "" && (ev.Username != tt.user || ev.AccessKeyId != tt.user || ct.UserIdentity.Type != "AccessKey") {
			t.Fatalf("%s: user %q (%+v), want the access key %s", tt.name, ev.Username, ct.UserIdentity, tt.user)
		}
		if tt.user == "" && (ct.UserIdentity.Type != "LocalUser" || ev.AccessKeyId != "") {
			t.Fatalf("%s: identity %+v, want the local user", tt.name, ct.UserIdentity)
		}
	}
	// The new key's id is recorded, never its secret.
	var created kms.Event
	_ = json.Unmarshal([]byte(out.Events[2].CloudTrailEvent), &created)
	if created.ResponseElements["accessKeyId"] != key.AccessKeyId {
		t.Fatalf("CreateAccessKey responseElements %v", created.ResponseElements)
	}
	for _, ev := range out.Events {
		if key.SecretAccessKey == "" || strings.Contains(ev.CloudTrailEvent, key.SecretAccessKey) {
			t.Fatal("an event holds the secret access key")
		}
	}
}
