package kms

import (
	"reflect"
	"testing"
)

// TestPkmsMembers: every pkms-only member declared in pkmsmodel.go is a
// member of the AWS type it extends, with the same Go type and tags, so
// that the command line and the wire protocol take it.
func TestPkmsMembers(t *testing.T) {
	tests := []struct{ decl, target reflect.Type }{
		{reflect.TypeFor[pkmsCreateKeyInput](), reflect.TypeFor[CreateKeyInput]()},
		{reflect.TypeFor[pkmsCreateCustomKeyStoreInput](), reflect.TypeFor[CreateCustomKeyStoreInput]()},
	}
	for _, tt := range tests {
		for i := range tt.decl.NumField() {
			want := tt.decl.Field(i)
			got, ok := tt.target.FieldByName(want.Name)
			if !ok {
				t.Errorf("%s has no member %s: run go generate ./kms", tt.target.Name(), want.Name)
				continue
			}
			if got.Type != want.Type || got.Tag != want.Tag {
				t.Errorf("%s.%s is %v `%s`, declared %v `%s`", tt.target.Name(), want.Name, got.Type, got.Tag, want.Type, want.Tag)
			}
		}
	}
}
