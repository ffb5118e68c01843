package completions

import (
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
