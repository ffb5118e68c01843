package param

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestStructureJSONShorthandEquivalence(t *testing.T) {
	pairs := [][2]string{
		{"purpose=golden,stage=test", `{"stage":"test","purpose":"golden"}`},
		{"EncryptionContextSubset={purpose=golden}", `{"EncryptionContextSubset": {"purpose": "golden"}}`},
		{"a=[b,c],d={}", ` {"d": {}, "a": ["b", "c"]}`},
		{"a=b,c", `{"a":["b","c"]}`},
	}
	for _, p := range pairs {
		sh, err1 := Structure("--x", p[0])
		js, err2 := Structure("--x", p[1])
		if err1 != nil || err2 != nil || !reflect.DeepEqual(sh, js) {
			t.Errorf("Structure(%q) = %v, %v; Structure(%q) = %v, %v", p[0], sh, err1, p[1], js, err2)
		}
	}
}

func TestStructure(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]any
	}{
		{"json numbers", `{"n": 1, "f": 1.5e3, "neg": -0, "big": 123456789012345678901234567890}`,
			map[string]any{"n": json.Number("1"), "f": json.Number("1.5e3"), "neg": json.Number("-0"),
				"big": json.Number("123456789012345678901234567890")}},
		{"json literals", `{"t": true, "f": false, "n": null}`,
			map[string]any{"t": true, "f": false, "n": nil}},
		{"json duplicate last wins", `{"a": 1, "a": 2}`, map[string]any{"a": json.Number("2")}},
		{"json nested", "\n\t{\"a\": [1, {\"b\": \"\\u00e9\\n\"}]}\n",
			map[string]any{"a": []any{json.Number("1"), map[string]any{"b": "é\n"}}}},
		{"json surrogate pair", `{"e": "\ud83d\ude00"}`, map[string]any{"e": "😀"}},
		{"shorthand", "Name=x,Values=[a,b]", map[string]any{"Name": "x", "Values": []any{"a", "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Structure("--x", tt.in)
			if err != nil {
				t.Fatalf("Structure(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Structure(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestStructureErrors(t *testing.T) {
	const p = "Error parsing parameter '--encryption-context': "
	tests := []struct{ name, in, want string }{
		{"spec example", "{not json", p + "Invalid JSON: Expecting property name enclosed in double quotes: " +
			"line 1 column 2 (char 1)\nJSON received: {not json"},
		{"trailing comma", `{"a":1,}`, p + "Invalid JSON: Expecting property name enclosed in double quotes: " +
			"line 1 column 8 (char 7)\nJSON received: {\"a\":1,}"},
		{"missing colon multi-line", "  \n {\"a\" 1}", p + "Invalid JSON: Expecting ':' delimiter: " +
			"line 2 column 7 (char 9)\nJSON received:   \n {\"a\" 1}"},
		{"missing comma", `{"a":1 "b":2}`, p + "Invalid JSON: Expecting ',' delimiter: line 1 column 8 (char 7)" +
			"\nJSON received: {\"a\":1 \"b\":2}"},
		{"missing value", `{"a":}`, p + "Invalid JSON: Expecting value: line 1 column 6 (char 5)\nJSON received: {\"a\":}"},
		{"extra data", `{} x`, p + "Invalid JSON: Extra data: line 1 column 4 (char 3)\nJSON received: {} x"},
		{"unterminated string", `{"a`, p + "Invalid JSON: Unterminated string starting at: line 1 column 2 (char 1)" +
			"\nJSON received: {\"a"},
		{"control character", "{\"a\":\"x\ny\"}", p + "Invalid JSON: Invalid control character at: " +
			"line 1 column 8 (char 7)\nJSON received: {\"a\":\"x\ny\"}"},
		{"bad escape", `{"a":"\x"}`, p + "Invalid JSON: Invalid \\escape: line 1 column 7 (char 6)" +
			"\nJSON received: {\"a\":\"\\x\"}"},
		{"bad unicode escape", `{"a":"\u12"}`, p + "Invalid JSON: Invalid \\uXXXX escape: line 1 column 8 (char 7)" +
			"\nJSON received: {\"a\":\"\\u12\"}"},
		{"code points not bytes", `{"é": x}`, p + "Invalid JSON: Expecting value: line 1 column 7 (char 6)" +
			"\nJSON received: {\"é\": x}"},
		{"list for a structure", "[1]", p + "Invalid JSON:\n[1]"},
		{"empty", "", p + "Expected: '=', received: 'EOF' for input:\n\n^"},
		{"shorthand error", "a=b,a=c", p + "Second instance of key \"a\" encountered for input:\n" +
			"a=b,a=c\n    ^\nThis is often because there is a preceding \",\" instead of a space."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Structure("--encryption-context", tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Structure(%q) = %v, %v\nwant error %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestStringMap(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "ctx.json", `{"purpose": "demo"}`)
	writeFile(t, "ctx.txt", "purpose=demo\n")
	tests := []struct {
		name, in string
		want     map[string]string
	}{
		{"shorthand", "purpose=demo,stage=test", map[string]string{"purpose": "demo", "stage": "test"}},
		{"json", `{"stage":"test","purpose":"demo"}`, map[string]string{"purpose": "demo", "stage": "test"}},
		{"empty json", `{}`, map[string]string{}},
		{"empty value", "a=", map[string]string{"a": ""}},
		{"quoted comma", "a='x,y'", map[string]string{"a": "x,y"}},
		{"json file", "file://ctx.json", map[string]string{"purpose": "demo"}},
		{"shorthand file", "file://ctx.txt", map[string]string{"purpose": "demo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StringMap("--encryption-context", "EncryptionContext", tt.in)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("StringMap(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestStringMapErrors(t *testing.T) {
	const v = "Parameter validation failed:\n"
	tests := []struct{ name, member, in, want string }{
		{"list from comma", "EncryptionContext", "a=b,c", v + "Invalid type for parameter EncryptionContext.a, " +
			"value: ['b', 'c'], type: <class 'list'>, valid types: <class 'str'>"},
		{"derived member name", "", "a=b,c", v + "Invalid type for parameter EncryptionContext.a, " +
			"value: ['b', 'c'], type: <class 'list'>, valid types: <class 'str'>"},
		{"several shorthand problems in order", "EncryptionContext", "a={x=y,z=w},b=[1,c],c=d,e",
			v + "Invalid type for parameter EncryptionContext.a, value: {'x': 'y', 'z': 'w'}, type: <class 'dict'>, valid types: <class 'str'>\n" +
				"Invalid type for parameter EncryptionContext.b, value: ['1', 'c'], type: <class 'list'>, valid types: <class 'str'>\n" +
				"Invalid type for parameter EncryptionContext.c, value: ['d', 'e'], type: <class 'list'>, valid types: <class 'str'>"},
		{"json types", "EncryptionContext", `{"a":{"x":"y","z":"w"},"b":null,"c":1.0,"d":[1,"x",true]}`,
			v + "Invalid type for parameter EncryptionContext.a, value: OrderedDict([('x', 'y'), ('z', 'w')]), type: <class 'collections.OrderedDict'>, valid types: <class 'str'>\n" +
				"Invalid type for parameter EncryptionContext.b, value: None, type: <class 'NoneType'>, valid types: <class 'str'>\n" +
				"Invalid type for parameter EncryptionContext.c, value: 1.0, type: <class 'float'>, valid types: <class 'str'>\n" +
				"Invalid type for parameter EncryptionContext.d, value: [1, 'x', True], type: <class 'list'>, valid types: <class 'str'>"},
		{"json int", "EncryptionContext", `{"a":1}`, v + "Invalid type for parameter EncryptionContext.a, " +
			"value: 1, type: <class 'int'>, valid types: <class 'str'>"},
		{"json syntax", "EncryptionContext", "{not json", "Error parsing parameter '--encryption-context': " +
			"Invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\nJSON received: {not json"},
		{"missing file", "EncryptionContext", "file://no-such.json", "Error parsing parameter '--encryption-context': " +
			"Unable to load paramfile file://no-such.json: [Errno 2] No such file or directory: 'no-such.json'"},
	}
	t.Chdir(t.TempDir())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StringMap("--encryption-context", tt.member, tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("StringMap(%q) = %v, %v\nwant error %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestStringList(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "tok.json", `["t1", "t2"]`)
	writeFile(t, "tok.txt", "abc")
	tests := []struct {
		name  string
		words []string
		want  []string
	}{
		{"zero words", nil, []string{}},
		{"words", []string{"Encrypt", "Decrypt"}, []string{"Encrypt", "Decrypt"}},
		{"one word", []string{"Encrypt"}, []string{"Encrypt"}},
		{"json array", []string{`["Encrypt","Decrypt"]`}, []string{"Encrypt", "Decrypt"}},
		{"json array with whitespace", []string{"  [ \"a\" ]\n"}, []string{"a"}},
		{"empty json array", []string{"[]"}, []string{}},
		{"json-looking first of two words", []string{`["a"]`, "b"}, []string{`["a"]`, "b"}},
		{"shorthand is not parsed", []string{"a=b,c"}, []string{"a=b,c"}},
		{"empty word", []string{""}, []string{""}},
		{"json file", []string{"file://tok.json"}, []string{"t1", "t2"}},
		{"text file is split into characters", []string{"file://tok.txt"}, []string{"a", "b", "c"}},
		{"paramfiles only for a single word", []string{"file://tok.json", "x"}, []string{"file://tok.json", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StringList("--grant-tokens", tt.words)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("StringList(%q) = %#v, %v; want %#v", tt.words, got, err, tt.want)
			}
		})
	}

	errTests := []struct {
		name  string
		words []string
		want  string
	}{
		{"non-string element", []string{`[1, "a", null]`}, "Parameter validation failed:\n" +
			"Invalid type for parameter GrantTokens[0], value: 1, type: <class 'int'>, valid types: <class 'str'>\n" +
			"Invalid type for parameter GrantTokens[2], value: None, type: <class 'NoneType'>, valid types: <class 'str'>"},
		{"bad json", []string{"[abc"}, "Error parsing parameter '--grant-tokens': Invalid JSON: Expecting value: " +
			"line 1 column 2 (char 1)\nJSON received: [abc"},
		{"missing file", []string{"file://nope"}, "Error parsing parameter '--grant-tokens': Unable to load " +
			"paramfile file://nope: [Errno 2] No such file or directory: 'nope'"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StringList("--grant-tokens", tt.words)
			if err == nil || err.Error() != tt.want {
				t.Errorf("StringList(%q) = %v, %v\nwant error %q", tt.words, got, err, tt.want)
			}
		})
	}
}

func TestStructureList(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "tags.json", `[{"TagKey": "a", "TagValue": "b"}]`)
	writeFile(t, "tag.txt", "TagKey=a,TagValue=b")
	writeFile(t, "tagobj.json", `{"TagKey":"a","TagValue":"b"}`)
	tag := func(k, v string) map[string]any { return map[string]any{"TagKey": k, "TagValue": v} }
	tests := []struct {
		name  string
		words []string
		want  []map[string]any
	}{
		{"zero words", nil, []map[string]any{}},
		{"shorthand words", []string{"TagKey=a,TagValue=b", "TagKey=c,TagValue=d"}, []map[string]any{tag("a", "b"), tag("c", "d")}},
		{"json array", []string{`[{"TagKey":"a","TagValue":"b"},{"TagKey":"c","TagValue":"d"}]`},
			[]map[string]any{tag("a", "b"), tag("c", "d")}},
		{"json objects", []string{`{"TagKey":"a","TagValue":"b"}`, ` {"TagKey":"c","TagValue":"d"}`},
			[]map[string]any{tag("a", "b"), tag("c", "d")}},
		{"single shorthand word", []string{"TagKey=a,TagValue=b"}, []map[string]any{tag("a", "b")}},
		{"json file", []string{"file://tags.json"}, []map[string]any{tag("a", "b")}},
		{"missing member is the caller's check", []string{"TagKey=a"}, []map[string]any{{"TagKey": "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StructureList("--tags", tt.words)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("StructureList(%q) = %#v, %v; want %#v", tt.words, got, err, tt.want)
			}
		})
	}

	// Texts checked against aws-cli 1.45.11.
	errTests := []struct {
		name  string
		words []string
		want  string
	}{
		{"non-object element", []string{"[1]"}, "Parameter validation failed:\n" +
			"Invalid type for parameter Tags[0], value: 1, type: <class 'int'>, valid types: <class 'dict'>"},
		{"json first, shorthand second", []string{`{"TagKey":"a","TagValue":"b"}`, "TagKey=c,TagValue=d"},
			"Error parsing parameter '--tags': Invalid JSON:\nTagKey=c,TagValue=d"},
		{"json first, empty second", []string{`{"TagKey":"a","TagValue":"b"}`, ""}, "string index out of range"},
		{"shorthand first, json second", []string{"TagKey=a,TagValue=b", `{"TagKey":"c"}`},
			"Error parsing parameter '--tags': Expected: '=', received: '{' for input:\n{\"TagKey\":\"c\"}\n^"},
		{"two json arrays", []string{"[]", "[]"}, "Error parsing parameter '--tags': Invalid JSON:\n[]"},
		{"shorthand file is one structure", []string{"file://tag.txt"}, "Parameter validation failed:\n" +
			"Invalid type for parameter Tags, value: {'TagKey': 'a', 'TagValue': 'b'}, type: <class 'dict'>, " +
			"valid types: <class 'list'>, <class 'tuple'>"},
		{"json object file", []string{"file://tagobj.json"}, "Error parsing parameter '--tags': Invalid JSON: " +
			"Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\nJSON received: {"},
		{"duplicate key", []string{"TagKey=a,TagKey=b"}, "Error parsing parameter '--tags': Second instance of key " +
			"\"TagKey\" encountered for input:\nTagKey=a,TagKey=b\n         ^\nThis is often because there is a " +
			"preceding \",\" instead of a space."},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StructureList("--tags", tt.words)
			if err == nil || err.Error() != tt.want {
				t.Errorf("StructureList(%q) = %v, %v\nwant error %q", tt.words, got, err, tt.want)
			}
		})
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"32", 32}, {" 32\n", 32}, {"+7", 7}, {"-7", -7}, {"007", 7}, {"1_000", 1000}, {"-0", 0},
		{"\u00a012\u3000", 12}, {"١٢", 12}, {"9223372036854775807", 9223372036854775807},
		{"-9223372036854775808", -9223372036854775808},
	}
	for _, tt := range tests {
		if got, err := Int(tt.in); err != nil || got != tt.want {
			t.Errorf("Int(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	errTests := []struct{ in, want string }{
		{"abc", "invalid literal for int() with base 10: 'abc'"},
		{"", "invalid literal for int() with base 10: ''"},
		{"1.5", "invalid literal for int() with base 10: '1.5'"},
		{"1\t\x01", "invalid literal for int() with base 10: '1\\t\\x01'"},
		{"- 1", "invalid literal for int() with base 10: '- 1'"},
		{"_1", "invalid literal for int() with base 10: '_1'"},
		{"1_", "invalid literal for int() with base 10: '1_'"},
		{"1__0", "invalid literal for int() with base 10: '1__0'"},
		{"0x10", "invalid literal for int() with base 10: '0x10'"},
		{"it's", `invalid literal for int() with base 10: "it's"`},
		{"²", "invalid literal for int() with base 10: '²'"},
		{strings.Repeat("a", 300), "invalid literal for int() with base 10: '" + strings.Repeat("a", 199)},
		{"9223372036854775808", "integer out of range for a 64-bit value: '9223372036854775808'"},
	}
	for _, tt := range errTests {
		if got, err := Int(tt.in); err == nil || err.Error() != tt.want {
			t.Errorf("Int(%q) = %d, %v; want error %q", tt.in, got, err, tt.want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	obj := newObject(false)
	obj.set("k", []any{"v", json.Number("2")})
	empty := newObject(true)
	tests := []struct {
		v    any
		want string
	}{
		{"it's", `"it's"`},
		{`a'b"c`, `'a\'b"c'`},
		{"tab\tnl\n\x00\x7f\u0085\u00a0é\u200b😀\\", `'tab\tnl\n\x00\x7f\x85\xa0é\u200b😀\\'`},
		{"\xff", `'\udcff'`},
		{json.Number("1e16"), "1e+16"},
		{json.Number("1e15"), "1000000000000000.0"},
		{json.Number("1E-5"), "1e-05"},
		{json.Number("0.0001"), "0.0001"},
		{json.Number("1e400"), "inf"},
		{json.Number("-1e400"), "-inf"},
		{json.Number("-0.0"), "-0.0"},
		{obj, "{'k': ['v', 2]}"},
		{empty, "OrderedDict()"},
	}
	for _, tt := range tests {
		if got := pyRepr(tt.v); got != tt.want {
			t.Errorf("pyRepr(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	if got := (&Error{Param: "--x", Msg: "m"}).Error(); got != "Error parsing parameter '--x': m" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&Error{Msg: "m"}).Error(); got != "m" {
		t.Errorf("Error() without Param = %q", got)
	}
}

func FuzzShorthand(f *testing.F) {
	for _, s := range []string{"purpose=golden,stage=test", "a=b,c", "a=[b,{c=d}],e='f,g'", `a="x\"y",b=\,`,
		"a=b,a=c", "a=b,", "a={", "k@=v", " a = b\n,c=d ", "a=😀", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "file://") || strings.Contains(s, "fileb://") {
			t.Skip() // would read arbitrary files
		}
		got, err := Shorthand("--x", s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error text")
			}
			return
		}
		if got == nil {
			t.Fatal("nil map without error")
		}
		checkPlain(t, got)
	})
}

func FuzzStructure(f *testing.F) {
	for _, s := range []string{`{"stage":"test","purpose":"golden"}`, "purpose=golden", "{not json", "[1]",
		`{"a":[1,2.5e3,null,true,{"b":"\u00e9"}]}`, "a=b,c", `{"a":"\ud800"}`, " \n{}", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "file://") || strings.Contains(s, "fileb://") {
			t.Skip()
		}
		if got, err := Structure("--x", s); err == nil {
			checkPlain(t, got)
		}
		if got, err := StringMap("--x", "X", s); err == nil && got == nil {
			t.Fatal("nil map without error")
		}
		if _, err := StructureList("--x", []string{s, s}); err != nil && err.Error() == "" {
			t.Fatal("empty error text")
		}
		if _, err := StringList("--x", []string{s}); err != nil && err.Error() == "" {
			t.Fatal("empty error text")
		}
		_, _ = Int(s)
	})
}

// checkPlain asserts that a parsed value only holds public value types.
func checkPlain(t *testing.T, v any) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			checkPlain(t, e)
		}
	case []any:
		for _, e := range x {
			checkPlain(t, e)
		}
	case string, json.Number, bool, nil:
	default:
		t.Fatalf("unexpected value type %T", v)
	}
}
