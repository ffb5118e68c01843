package format

import "testing"

func TestTextLayout(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"top-level object has no identifier; keys sorted", Object{{"KeyId", "k"}, {"Arn", "a"}, {"Enabled", true}},
			"a\tTrue\tk\n"},
		{"list of objects: union of scalar keys, missing ones empty", Object{{"Keys", []any{
			Object{{"KeyId", "k1"}, {"KeyArn", "a1"}},
			Object{{"KeyId", "k2"}},
		}}}, "KEYS\ta1\tk1\nKEYS\t\tk2\n"},
		{"scalar list under a key: one line per element", Object{{"Ops", []any{"Encrypt", "Decrypt"}}},
			"OPS\tEncrypt\nOPS\tDecrypt\n"},
		{"top-level scalar list: one tab-separated line", []any{"a", int64(1), nil, 2.5, false},
			"a\t1\tNone\t2.5\tFalse\n"},
		{"object without scalars prints no line", Object{{"Constraints", Object{{"Subset", Object{{"p", "g"}}}}}},
			"SUBSET\tg\n"},
		{"nested values follow in sorted key order", Object{{"Z", Object{{"a", "1"}}}, {"A", []any{"x"}}, {"M", "m"}},
			"m\nA\tx\nZ\t1\n"},
		{"list of lists", []any{"s", []any{"a", "b"}, []any{"c"}},
			"s\na\tb\nc\n"},
		{"bare scalars", "plain string", "plain string\n"},
		{"empty list prints nothing", []any{}, ""},
		{"identifier upper-cased", Object{{"encryptionContext", []any{"v"}}}, "ENCRYPTIONCONTEXT\tv\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderString(t, tt.value, Options{Output: "text"}); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
