package kms

import (
	"bytes"
	"regexp"
	"slices"
	"testing"
)

func TestAccessKeys(t *testing.T) {
	e := newEnv(t, withSystemRand())
	a, err := e.svc.CreateAccessKey(e.ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^PKMS[A-Z2-7]{16}$`).MatchString(a.AccessKeyId) || len(a.SecretAccessKey) != 40 {
		t.Fatalf("access key shape: %q / %d-character secret", a.AccessKeyId, len(a.SecretAccessKey))
	}
	b, err := e.svc.CreateAccessKey(e.ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if a.AccessKeyId == b.AccessKeyId || a.SecretAccessKey == b.SecretAccessKey {
		t.Fatal("two access keys are the same")
	}
	secret, ok, err := e.svc.AccessKeySecret(e.ctx, a.AccessKeyId)
	if err != nil || !ok || string(secret) != a.SecretAccessKey {
		t.Fatalf("AccessKeySecret = %v %v", ok, err)
	}
	for _, id := range []string{"PKMSAAAAAAAAAAAAAAAA", "AKIAIOSFODNN7EXAMPLE", ""} {
		if _, ok, err := e.svc.AccessKeySecret(e.ctx, id); ok || err != nil {
			t.Fatalf("unknown id %q: ok=%v err=%v", id, ok, err)
		}
	}
	list, err := e.svc.ListAccessKeys(e.ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	for _, k := range list {
		if k.SecretAccessKey != "" {
			t.Fatal("ListAccessKeys shows a secret")
		}
	}
	if err := e.svc.DeleteAccessKey(e.ctx, a.AccessKeyId); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := e.svc.AccessKeySecret(e.ctx, a.AccessKeyId); ok {
		t.Fatal("a deleted access key still has a secret")
	}
	wantCode(t, e.svc.DeleteAccessKey(e.ctx, a.AccessKeyId), NotFoundException)
}

// Through Invoke (the command line's and the agent's path) each access-key
// call is one event of eventSource pkms, and none holds the secret.
func TestAccessKeyCallsRecordedOnce(t *testing.T) {
	e := newEnv(t, withoutGroupCommit())
	n := lastEventCount(t, e)
	out, err := e.svc.Invoke(e.ctx, "CreateAccessKey", &CreateAccessKeyInput{Description: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	key := out.(*AccessKey)
	if _, err := e.svc.Invoke(e.ctx, "ListAccessKeys", &ListAccessKeysInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Invoke(e.ctx, "DeleteAccessKey", &DeleteAccessKeyInput{AccessKeyId: key.AccessKeyId}); err != nil {
		t.Fatal(err)
	}
	evs, raws := auditEvents(t, e)
	var got []string
	for _, ev := range evs[n:] {
		got = append(got, ev.EventSource+" "+ev.EventName)
	}
	want := []string{"pkms CreateAccessKey", "pkms ListAccessKeys", "pkms DeleteAccessKey"}
	if !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for _, raw := range raws {
		if bytes.Contains(raw, []byte(key.SecretAccessKey)) {
			t.Fatalf("an event holds the secret access key: %s", raw)
		}
	}
}
