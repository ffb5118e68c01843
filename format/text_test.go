package format

import (
	"errors"
	"testing"
)

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
		{"empty key is an empty label, not none", Object{{"", Object{{"a", "1"}}}}, "\t1\n"},
		{"cells are Python str()", Object{{"a", 1e20}, {"b", nil}, {"c", 0.1}, {"d", int64(-3)}, {"e", false}},
			"1e+20\tNone\t0.1\t-3\tFalse\n"},
		{"each element's own members follow its line", Object{{"Keys", []any{
			Object{{"Id", "1"}, {"Tags", []any{"t1", "t2"}}},
			Object{{"Id", "2"}, {"Policy", Object{{"p", "x"}}}},
		}}}, "KEYS\t1\nTAGS\tt1\nTAGS\tt2\nKEYS\t2\nPOLICY\tx\n"},
		{"a column that is not scalar in every element prints its repr", Object{{"L", []any{
			Object{{"a", int64(1)}},
			Object{{"a", []any{int64(1), "x"}}},
			Object{{"a", Object{{"k", nil}}}},
		}}}, "L\t1\nL\t[1, 'x']\nL\t{'k': None}\n"},
		{"elements without scalar members print no line", []any{
			Object{{"T", []any{"a"}}},
			Object{{"T", []any{"b"}}},
		}, "T\ta\nT\tb\n"},
		{"element lacking every column at the top level is an empty line", []any{
			Object{{"a", "1"}},
			Object{{"b", []any{}}},
		}, "1\n\n"},
		{"list holding lists under a key: scalars first, inner lists keep the label",
			Object{{"L", []any{[]any{"1", "2"}, "s", []any{[]any{"3"}}, "t"}}},
			"L\ts\nL\tt\nL\t1\nL\t2\nL\t3\n"},
		{"objects inside inner lists share that list's columns",
			[]any{[]any{Object{{"a", "1"}}, Object{{"b", "2"}}}},
			"1\t\n\t2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderString(t, tt.value, Options{Output: "text"}); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTextFailure covers the lists the AWS CLI fails on (objects mixed
// with other values): the error names the first non-object element's
// Python type, and the output is every line printed before that list and
// nothing after it, even when a later list would fail too.
func TestTextFailure(t *testing.T) {
	tests := []struct {
		name    string
		value   any
		msg     string
		partial string
	}{
		{"top-level list", []any{Object{{"a", "1"}}, []any{"x"}}, "'list' object has no attribute 'items'", ""},
		{"first non-object named", []any{Object{}, nil, "s"}, "'NoneType' object has no attribute 'items'", ""},
		{"deep: lines before the list kept", Object{
			{"a", "x"},
			{"B", []any{Object{{"k", "v"}, {"C", []any{Object{{"z", int64(1)}}, 2.5}}}}},
			{"D", []any{"never"}},
		}, "'float' object has no attribute 'items'", "x\nB\tv\n"},
		{"first failure wins", []any{
			"s",
			[]any{Object{}, true},
			[]any{Object{}, "later"},
		}, "'bool' object has no attribute 'items'", "s\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := renderText(tt.value)
			var re *RenderError
			if !errors.As(err, &re) || re.Msg != tt.msg || re.Output != OutputText {
				t.Fatalf("got error %v, want RenderError %q", err, tt.msg)
			}
			if string(out) != tt.partial {
				t.Errorf("partial output %q, want %q", out, tt.partial)
			}
		})
	}
}
