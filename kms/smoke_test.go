package kms

import (
	"bytes"
	"context"
	"testing"
)

func TestSmokeEncryptDecrypt(t *testing.T) {
	st := newMemStore()
	if _, err := Initialize(st, "111122223333"); err != nil {
		t.Fatal(err)
	}
	s := New(st, Options{})
	ctx := context.Background()
	ck, err := s.Invoke(ctx, "CreateKey", &CreateKeyInput{Description: "x"})
	if err != nil {
		t.Fatal(err)
	}
	id := ck.(*CreateKeyOutput).KeyMetadata.KeyId
	if _, err := s.Invoke(ctx, "CreateAlias", &CreateAliasInput{AliasName: "alias/app", TargetKeyId: id}); err != nil {
		t.Fatal(err)
	}
	enc, err := s.Invoke(ctx, "Encrypt", &EncryptInput{KeyId: "alias/app", Plaintext: []byte("hi"), EncryptionContext: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := s.Invoke(ctx, "Decrypt", &DecryptInput{CiphertextBlob: enc.(*EncryptOutput).CiphertextBlob, EncryptionContext: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dec.(*DecryptOutput).Plaintext, []byte("hi")) {
		t.Fatalf("got %q", dec.(*DecryptOutput).Plaintext)
	}
	_, err = s.Invoke(ctx, "Decrypt", &DecryptInput{CiphertextBlob: enc.(*EncryptOutput).CiphertextBlob})
	if CodeOf(err) != InvalidCiphertextException {
		t.Fatalf("want InvalidCiphertextException, got %v", err)
	}
}
