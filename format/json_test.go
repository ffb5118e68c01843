package format

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJSONStringEscaping(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc", `"abc"`},
		{"empty", "", `""`},
		{"quote and backslash", `say "hi" \ o/`, `"say \"hi\" \\ o/"`},
		{"named controls", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other C0 controls lowercase hex", "\x00\x01\x1b\x1f", `"\u0000\u0001\u001b\u001f"`},
		{"DEL is not escaped", "a\x7fb", "\"a\x7fb\""},
		{"html characters are not escaped", "</script> & <b>", `"</script> & <b>"`},
		{"line and paragraph separators are raw", "a\u2028b\u2029c", "\"a\u2028b\u2029c\""},
		{"non-ASCII is raw UTF-8", "café 密钥 😀", `"café 密钥 😀"`},
		{"invalid UTF-8 becomes U+FFFD per byte", "a\xff\xfeb", "\"a\ufffd\ufffdb\""},
		{"truncated sequence", "x\xe2\x82", "\"x\ufffd\ufffd\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendJSONString(nil, tt.in)); got != tt.want {
				t.Errorf("appendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestJSONLayout(t *testing.T) {
	v := Object{
		{"EmptyList", []any{}},
		{"EmptyObject", Object{}},
		{"Nested", Object{{"List", []any{int64(1), "two", nil, true, false}}}},
		{"Float", 1763796691.0},
		{"Fraction", 1763796691.242},
		{"Big", 1e16},
		{"Small", 1e-5},
		{"NegZero", math.Copysign(0, -1)},
		{"Int", int64(-7)},
	}
	want := `{
    "EmptyList": [],
    "EmptyObject": {},
    "Nested": {
        "List": [
            1,
            "two",
            null,
            true,
            false
        ]
    },
    "Float": 1763796691.0,
    "Fraction": 1763796691.242,
    "Big": 1e+16,
    "Small": 1e-05,
    "NegZero": -0.0,
    "Int": -7
}
`
	if got := renderString(t, v, Options{}); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestPythonFloatRepr(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{1, "1.0"},
		{0.1, "0.1"},
		{1763796691.242, "1763796691.242"},
		{1234567890123456, "1234567890123456.0"},
		{1e16, "1e+16"},
		{1.5e300, "1.5e+300"},
		{0.0001, "0.0001"},
		{0.00001, "1e-05"},
		{-2.5e-7, "-2.5e-07"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := pyFloat(tt.in, "inf", "nan"); got != tt.want {
			t.Errorf("pyFloat(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzRenderJSONString checks that every string survives the escaper: the
// output is valid JSON that decodes to the input (invalid UTF-8 decodes to
// what encoding/json itself makes of it, U+FFFD per bad byte), and that
// nothing but '"', '\\' and C0 controls is ever escaped.
func FuzzRenderJSONString(f *testing.F) {
	for _, seed := range []string{
		"", "abc", `"quoted" \back\`, "\x00\x01\x1f\x7f", "\b\f\n\r\t", "</script>&",
		"\u2028\u2029", "café 密钥 😀", "\xff\xfe", "a\xe2\x82", "\ufeff", "\U0010ffff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("output %q is not a JSON string: %v", out, err)
		}
		want := s
		if !utf8.ValidString(s) {
			ref, _ := json.Marshal(s)
			if err := json.Unmarshal(ref, &want); err != nil {
				t.Fatal(err)
			}
		}
		if got != want {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
		inner := string(out[1 : len(out)-1])
		for i := 0; i < len(inner); i++ {
			if inner[i] != '\\' {
				continue
			}
			i++
			switch {
			case strings.IndexByte(`"\\bfnrt`, inner[i]) >= 0:
			case inner[i] == 'u' && strings.HasPrefix(inner[i+1:], "00") && inner[i+3] < '2':
				i += 4
			default:
				t.Fatalf("escape Python would not write in %q", out)
			}
		}
	})
}

// TestJSONNeverNonFinite: whatever reaches the encoder, its output is JSON
// that a strict parser accepts; NaN and the infinities become null.
func TestJSONNeverNonFinite(t *testing.T) {
	type withFloats struct {
		A float64
		B *float64
		C []float64
		D map[string]float32
	}
	inf := math.Inf(1)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"NaN", math.NaN(), "null\n"},
		{"+Inf", math.Inf(1), "null\n"},
		{"-Inf", math.Inf(-1), "null\n"},
		{"in a list", []any{1.5, math.NaN(), int64(2)}, "[\n    1.5,\n    null,\n    2\n]\n"},
		{"in an object", Object{{"X", math.Inf(-1)}}, "{\n    \"X\": null\n}\n"},
		{"struct fields", withFloats{A: math.NaN(), B: &inf, C: []float64{math.Inf(-1)}, D: map[string]float32{"f": float32(math.Inf(1))}},
			"{\n    \"A\": null,\n    \"B\": null,\n    \"C\": [\n        null\n    ],\n    \"D\": {\n        \"f\": null\n    }\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderString(t, tt.v, Options{})
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("not JSON: %q", got)
			}
		})
	}
}
