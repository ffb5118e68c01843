package kms

import (
	"regexp"
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
