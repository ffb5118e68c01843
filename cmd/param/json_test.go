package param

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestJSONAcceptsWhatScriptsSend names each input Python's json.loads
// accepts beyond the strict minimum that pkms accepts too, and what it
// decodes to.
func TestJSONAcceptsWhatScriptsSend(t *testing.T) {
	tests := []struct {
		name, in string
		want     any
	}{
		{"leading and trailing whitespace, newline at the end (file:// values)", " \t{\"a\": \"b\"}\r\n\n",
			map[string]any{"a": "b"}},
		{"duplicate key: the last value wins", `{"a": 1, "b": 2, "a": 3}`,
			map[string]any{"a": json.Number("3"), "b": json.Number("2")}},
		{"integer beyond 64 bits kept digit for digit", `[123456789012345678901234567890]`,
			[]any{json.Number("123456789012345678901234567890")}},
		{"negative zero, exponent, fraction kept as written", `[-0, 1E+2, 0.50]`,
			[]any{json.Number("-0"), json.Number("1E+2"), json.Number("0.50")}},
		{"escaped slash and control escapes", `["a\/b\b\f\n\r\t\"\\"]`, []any{"a/b\b\f\n\r\t\"\\"}},
		{"surrogate pair escape", `["\ud83d\ude00"]`, []any{"😀"}},
		{"lone surrogate escape becomes U+FFFD", `["\ud800x"]`, []any{"\ufffdx"}},
		{"raw non-ASCII and DEL", "[\"é\u007f\"]", []any{"é\u007f"}},
		{"empty containers", `[{}, []]`, []any{map[string]any{}, []any{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := parseJSON(tt.in)
			if err != nil {
				t.Fatalf("parseJSON(%q): %s", tt.in, err.text(tt.in))
			}
			if got := plain(v); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseJSON(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestJSONDuplicateKeyKeepsFirstPosition(t *testing.T) {
	v, err := parseJSON(`{"a": 1, "b": 2, "a": 3}`)
	if err != nil {
		t.Fatal(err.msg)
	}
	if keys := v.(*object).keys; !reflect.DeepEqual(keys, []string{"a", "b"}) {
		t.Errorf("keys %v, want [a b] (Python's OrderedDict keeps the first position)", keys)
	}
}

// TestJSONErrors checks Python's message and position (code points) for
// each way a document can stop, and what pkms refuses on purpose.
func TestJSONErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"NaN is not JSON", `[NaN]`, "Expecting value: line 1 column 2 (char 1)"},
		{"Infinity is not JSON", `{"a": Infinity}`, "Expecting value: line 1 column 7 (char 6)"},
		{"-Infinity is not JSON", `[1, -Infinity]`, "Expecting value: line 1 column 5 (char 4)"},
		{"empty document", ``, "Expecting value: line 1 column 1 (char 0)"},
		{"whitespace only", "  \n ", "Expecting value: line 2 column 2 (char 4)"},
		{"byte order mark", "\ufeff{}", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"},
		{"second document", `{} {}`, "Extra data: line 1 column 4 (char 3)"},
		{"number then stray dot", `[1.]`, "Expecting ',' delimiter: line 1 column 3 (char 2)"},
		{"leading zero", `[01]`, "Expecting ',' delimiter: line 1 column 3 (char 2)"},
		{"bare minus", `[-]`, "Expecting value: line 1 column 2 (char 1)"},
		{"word after a literal", `[truex]`, "Expecting ',' delimiter: line 1 column 6 (char 5)"},
		{"unfinished literal", `[tru]`, "Expecting value: line 1 column 2 (char 1)"},
		{"trailing comma in an array", `[1,]`, "Expecting value: line 1 column 4 (char 3)"},
		{"unclosed array", `[1`, "Expecting ',' delimiter: line 1 column 3 (char 2)"},
		{"unclosed object after a key", `{"a"`, "Expecting ':' delimiter: line 1 column 5 (char 4)"},
		{"unclosed object after a comma", `{"a": 1, `, "Expecting property name enclosed in double quotes: line 1 column 10 (char 9)"},
		{"single-quoted key", `{'a': 1}`, "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
		{"non-string key after a good pair", `{"a": 1, 2: 3}`, "Expecting property name enclosed in double quotes: line 1 column 10 (char 9)"},
		{"bad escape inside a key", `{"a\q": 1}`, "Invalid \\escape: line 1 column 4 (char 3)"},
		{"short \\u escape at the end", `["\u12`, "Invalid \\uXXXX escape: line 1 column 4 (char 3)"},
		{"bad second half of a surrogate pair", `["\ud83d\uzzzz"]`, "Invalid \\uXXXX escape: line 1 column 10 (char 9)"},
		{"tab inside a string", "[\"a\tb\"]", "Invalid control character at: line 1 column 4 (char 3)"},
		{"backslash at the end", `["a\`, "Unterminated string starting at: line 1 column 2 (char 1)"},
		{"positions count code points", `{"ééé": [1 2]}`, "Expecting ',' delimiter: line 1 column 12 (char 11)"},
		{"position on a later line", "{\n  \"a\": 1\n  \"b\": 2\n}", "Expecting ',' delimiter: line 3 column 3 (char 13)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := parseJSON(tt.in)
			if err == nil {
				t.Fatalf("parseJSON(%q) = %#v, want error %q", tt.in, v, tt.want)
			}
			if got := err.text(tt.in); got != tt.want {
				t.Errorf("parseJSON(%q): %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestJSONDepth(t *testing.T) {
	if _, err := parseJSON(strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth)); err != nil {
		t.Fatalf("%d levels: %s", maxJSONDepth, err.msg)
	}
	_, err := decodeJSON("--x", strings.Repeat("[", maxJSONDepth+1)+strings.Repeat("]", maxJSONDepth+1))
	want := "maximum recursion depth exceeded while decoding a JSON array from a unicode string"
	if err == nil || err.Error() != want {
		t.Fatalf("%d levels: %v, want %q", maxJSONDepth+1, err, want)
	}
	if err.(*Error).Usage() {
		t.Error("a recursion error is not a parameter error (exit 255)")
	}
}

// FuzzParseJSON checks that parseJSON accepts exactly the documents
// encoding/json calls valid, and that every error points inside the
// document.
func FuzzParseJSON(f *testing.F) {
	for _, seed := range []string{`{"a": [1, 2.5e3, "x\u00e9"], "b": {"c": null}}`, `[1.]`, `{"a" 1}`, `["\ud83d\uzzzz"]`, "  \n", `{} {}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if strings.Count(doc, "[")+strings.Count(doc, "{") > maxJSONDepth {
			return
		}
		v, err := parseJSON(doc)
		if valid := json.Valid([]byte(doc)) && !strings.HasPrefix(doc, "\ufeff"); valid != (err == nil) {
			t.Fatalf("parseJSON(%q) = %#v, %v; json.Valid says %v", doc, v, err, valid)
		}
		if err != nil && (err.pos < 0 || err.pos > len(doc)) {
			t.Fatalf("parseJSON(%q): position %d outside the document", doc, err.pos)
		}
	})
}
