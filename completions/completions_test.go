package completions

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

type spec string

func (spec) Values() []string { return []string{"AES_256", "AES_128"} }

func TestForType(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		want []string
	}{
		{reflect.TypeFor[spec](), []string{"AES_256", "AES_128"}},
		{reflect.TypeFor[[]spec](), []string{"AES_256", "AES_128"}},
		{reflect.TypeFor[string](), nil},
		{reflect.TypeFor[[]byte](), nil},
		{reflect.TypeFor[*int32](), nil},
	}
	for _, tc := range tests {
		if got := ForType(tc.typ); !slices.Equal(got, tc.want) {
			t.Errorf("ForType(%v) = %v, want %v", tc.typ, got, tc.want)
		}
	}
}

func TestFilter(t *testing.T) {
	if got := Filter([]string{"AES_256", "AES_128", "RSA_2048"}, "AES_1"); !slices.Equal(got, []string{"AES_128"}) {
		t.Fatalf("Filter = %v", got)
	}
	if got := Filter(Outputs, ""); len(got) != len(Outputs) {
		t.Fatalf("empty prefix filtered: %v", got)
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"secret.bin", "some.txt", ".hidden", "sub/inner"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	tests := []struct {
		in        string
		want      []string
		final, ok bool
	}{
		{"fileb://s", []string{"fileb://secret.bin", "fileb://some.txt", "fileb://sub/"}, false, true},
		{"file://so", []string{"file://some.txt"}, true, true},
		{"fileb://sub/", []string{"fileb://sub/inner"}, true, true},
		{"fileb://.h", []string{"fileb://.hidden"}, true, true},
		{"fileb://" + dir + "/sec", []string{"fileb://" + dir + "/secret.bin"}, true, true},
		{"fileb://none/", nil, false, true},
		{"s", nil, false, false},
	}
	for _, tc := range tests {
		got, final, ok := Files(tc.in)
		if !slices.Equal(got, tc.want) || final != tc.final || ok != tc.ok {
			t.Errorf("Files(%q) = %q %v %v, want %q %v %v", tc.in, got, final, ok, tc.want, tc.final, tc.ok)
		}
	}
}

func TestKeyRefs(t *testing.T) {
	ids := []string{"b-key", "a-key"}
	aliases := []string{"alias/z", "alias/app"}
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{"a-key", "b-key", "alias/app", "alias/z"}},
		{"alias/a", []string{"alias/app"}},
		{"b", []string{"b-key"}},
	}
	for _, tc := range tests {
		if got := KeyRefs(ids, aliases, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("KeyRefs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if keys, aliases := KeyRef("AliasName"); keys || !aliases {
		t.Error("AliasName takes aliases only")
	}
	if keys, _ := KeyRef("Plaintext"); keys {
		t.Error("Plaintext is no key reference")
	}
}
