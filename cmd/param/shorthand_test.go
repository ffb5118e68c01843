package param

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Expected values and error texts were checked against awscli 1.45.11's
// ShorthandParser (syntax errors with the {self._error_location()} bug
// fixed, i.e. what the message was meant to be).
func TestShorthand(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]any
	}{
		{"simple pairs", "purpose=golden,stage=test", map[string]any{"purpose": "golden", "stage": "test"}},
		{"single pair", "a=b", map[string]any{"a": "b"}},
		{"whitespace around = and ,", "a = b ,  c =d", map[string]any{"a": "b", "c": "d"}},
		{"inner spaces kept, trailing stripped", "note=has spaces   ", map[string]any{"note": "has spaces"}},
		{"newline after value stripped", "a=b\n", map[string]any{"a": "b"}},
		{"comma continues a list", "a=b,c", map[string]any{"a": []any{"b", "c"}}},
		{"list then next key", "a=b,c,d=e", map[string]any{"a": []any{"b", "c"}, "d": "e"}},
		{"list with spaces", "a=b , c ,d", map[string]any{"a": []any{"b", "c", "d"}}},
		{"comma on next line", "a=b\n,c", map[string]any{"a": []any{"b", "c"}}},
		{"double quoted comma", `a="b,c"`, map[string]any{"a": "b,c"}},
		{"single quoted comma", `a='b,c'`, map[string]any{"a": "b,c"}},
		{"escaped comma", `a=b\,c`, map[string]any{"a": "b,c"}},
		{"escaped comma in list", `a=b\,c,d`, map[string]any{"a": []any{"b,c", "d"}}},
		{"quoted list elements", `a='b,c',"d"`, map[string]any{"a": []any{"b,c", "d"}}},
		{"escaped single quote", `a='it\'s'`, map[string]any{"a": "it's"}},
		{"escaped double quote", `a="say \"hi\""`, map[string]any{"a": `say "hi"`}},
		{"escaped backslash", `a='c:\\dir'`, map[string]any{"a": `c:\dir`}},
		{"lone backslash kept", `a=c:\dir`, map[string]any{"a": `c:\dir`}},
		{"quote ends at last escaped quote", `a='x\'`, map[string]any{"a": `x\`}},
		{"quoted spaces kept", `a=' b '`, map[string]any{"a": " b "}},
		{"empty value", "a=", map[string]any{"a": ""}},
		{"empty value then key", "a=,b=c", map[string]any{"a": "", "b": "c"}},
		{"empty quoted", `a=""`, map[string]any{"a": ""}},
		{"value with =", "a=b=c", map[string]any{"a": "b=c"}},
		{"value with [", "a=b[0", map[string]any{"a": "b[0"}},
		{"key charset", "k-_.#/:9=v", map[string]any{"k-_.#/:9": "v"}},
		{"empty key", "=v", map[string]any{"": "v"}},
		{"unicode value", "a=héllo wörld", map[string]any{"a": "héllo wörld"}},
		{"explicit list", "a=[b,c]", map[string]any{"a": []any{"b", "c"}}},
		{"explicit list spaces", "a=[ b , c d ]", map[string]any{"a": []any{"b", "c d"}}},
		{"explicit empty list", "a=[]", map[string]any{"a": []any{}}},
		{"explicit list trailing comma", "a=[b,]", map[string]any{"a": []any{"b"}}},
		{"explicit list empty element", "a=[,]", map[string]any{"a": []any{""}}},
		{"nested list", "a=[b,[c,d]]", map[string]any{"a": []any{"b", []any{"c", "d"}}}},
		{"list then key", "a=[b],c=d", map[string]any{"a": []any{"b"}, "c": "d"}},
		{"hash literal", "EncryptionContextSubset={purpose=golden}",
			map[string]any{"EncryptionContextSubset": map[string]any{"purpose": "golden"}}},
		{"nested structures", "a={b=[1,2],c={d=e}},f=g",
			map[string]any{"a": map[string]any{"b": []any{"1", "2"}, "c": map[string]any{"d": "e"}}, "f": "g"}},
		{"hash literal duplicate keeps last", "a={b=1,b=2}", map[string]any{"a": map[string]any{"b": "2"}}},
		{"empty hash literal", "a={}", map[string]any{"a": map[string]any{}}},
		{"list of structures", "a=[{k=v},{k=w}]", map[string]any{"a": []any{map[string]any{"k": "v"}, map[string]any{"k": "w"}}}},
		{"tag", "TagKey=owner,TagValue=alice", map[string]any{"TagKey": "owner", "TagValue": "alice"}},
		{"@= without paramfile prefix", "a@=plain", map[string]any{"a": "plain"}},
		{"@ with spaces", "a @ = plain", map[string]any{"a": "plain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Shorthand("--x", tt.in)
			if err != nil {
				t.Fatalf("Shorthand(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Shorthand(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestShorthandErrors(t *testing.T) {
	const prefix = "Error parsing parameter '--encryption-context': "
	tests := []struct{ name, in, want string }{
		{"duplicate key", "a=b,a=c", `Second instance of key "a" encountered for input:` + "\n" +
			"a=b,a=c\n    ^\nThis is often because there is a preceding \",\" instead of a space."},
		{"duplicate after list", "a=b,c=d,a=e", `Second instance of key "a" encountered for input:` + "\n" +
			"a=b,c=d,a=e\n        ^\nThis is often because there is a preceding \",\" instead of a space."},
		{"duplicate multi-line", "x=1,\ny=2,\nx=3", `Second instance of key "x" encountered for input:` + "\n" +
			"x=1,\ny=2,\n    ^\nx=3\nThis is often because there is a preceding \",\" instead of a space."},
		{"leading whitespace", " a=b", "Expected: '=', received: 'a' for input:\n a=b\n ^"},
		{"] ends a value", "a=b[0]", "Expected: ',', received: ']' for input:\na=b[0]\n     ^"},
		{"missing =", "a", "Expected: '=', received: 'EOF' for input:\na\n ^"},
		{"empty input", "", "Expected: '=', received: 'EOF' for input:\n\n^"},
		{"trailing comma", "a=b,", "Expected: '<second>', received: '<none>' for input:\na=b,\n    ^"},
		{"unbalanced [", "a=[b,c", "Expected: ',', received: 'EOF' for input:\na=[b,c\n      ^"},
		{"unbalanced {", "a={b=c", "Expected: ',', received: 'EOF' for input:\na={b=c\n      ^"},
		{"extra ]", "a=[b,c]]", "Expected: ',', received: ']' for input:\na=[b,c]]\n       ^"},
		{"extra }", "a={b=c}}", "Expected: ',', received: '}' for input:\na={b=c}}\n       ^"},
		{"space in key", "a b=c", "Expected: '=', received: 'b' for input:\na b=c\n  ^"},
		{"invalid key char", "k!=v", "Expected: '=', received: '!' for input:\nk!=v\n ^"},
		{"unterminated quote", "a='abc", "Expected: '<singled quoted>', received: '<none>' for input:\na='abc\n  ^"},
		{"unterminated double quote", `a="abc`, "Expected: '<double quoted>', received: '<none>' for input:\na=\"abc\n  ^"},
		{"caret on second line", "a=b,\nc==d", "Expected: ',', received: '=' for input:\na=b,\nc==d\n  ^"},
		{"caret before next line", "a=[\n", "Expected: ',', received: 'EOF' for input:\na=[\n\n^"},
		{"character above U+FFFF", "a=😀", "Expected: ',', received: '😀' for input:\na=😀\n  ^"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Shorthand("--encryption-context", tt.in)
			if err == nil {
				t.Fatalf("Shorthand(%q) = %v, want error", tt.in, got)
			}
			if err.Error() != prefix+tt.want {
				t.Errorf("Shorthand(%q) error\n got: %q\nwant: %q", tt.in, err.Error(), prefix+tt.want)
			}
			var perr *Error
			if !errors.As(err, &perr) || perr.Param != "--encryption-context" {
				t.Errorf("error %T %+v is not a *Error for the parameter", err, err)
			}
		})
	}
}

func TestShorthandParamfile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, filepath.Join(dir, "policy.txt"), "line1\r\nline2\n")
	writeFile(t, filepath.Join(dir, "raw.bin"), "\x00\x01")
	tests := []struct {
		name, in string
		want     map[string]any
	}{
		{"file value", "a@=file://policy.txt", map[string]any{"a": "line1\nline2\n"}},
		{"fileb value", "a@=fileb://raw.bin", map[string]any{"a": "\x00\x01"}},
		{"quoted file value", "a@='file://policy.txt'", map[string]any{"a": "line1\nline2\n"}},
		{"file list", "a@=file://raw.bin,fileb://raw.bin", map[string]any{"a": []any{"\x00\x01", "\x00\x01"}}},
		{"in hash literal", "a={b@=fileb://raw.bin,c=file://raw.bin}",
			map[string]any{"a": map[string]any{"b": "\x00\x01", "c": "file://raw.bin"}}},
		{"= does not load", "a=file://policy.txt", map[string]any{"a": "file://policy.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Shorthand("--x", tt.in)
			if err != nil {
				t.Fatalf("Shorthand(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Shorthand(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}

	// The AWS CLI lets this error escape shorthand parsing: no prefix.
	_, err := Shorthand("--x", "a@=file://nope")
	want := "Unable to load paramfile file://nope: [Errno 2] No such file or directory: 'nope'"
	if err == nil || err.Error() != want {
		t.Errorf("missing @= file: got %v, want %q", err, want)
	}
}

func TestShorthandDeepNesting(t *testing.T) {
	in := "a=" + strings.Repeat("[", 100000)
	_, err := Shorthand("--x", in)
	if err == nil || err.Error() != "maximum recursion depth exceeded" {
		t.Errorf("deep nesting: got %v", err)
	}
	ok := "a=" + strings.Repeat("[", 50) + strings.Repeat("]", 50)
	if _, err := Shorthand("--x", ok); err != nil {
		t.Errorf("50 levels: %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestShorthandGrammar covers the corners of the syntax: nesting, escapes,
// trailing commas, empty values, Unicode and whitespace.
func TestShorthandGrammar(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]any
	}{
		{"lists in lists", "a=[[b,c],[d,[e]]]", map[string]any{"a": []any{[]any{"b", "c"}, []any{"d", []any{"e"}}}}},
		{"empty nested lists with blanks", "a=[ [ b ] , [ ] ]", map[string]any{"a": []any{[]any{"b"}, []any{}}}},
		{"structures in lists in structures", "a=[{b={c=[d,{e=f}]}}]",
			map[string]any{"a": []any{map[string]any{"b": map[string]any{"c": []any{"d", map[string]any{"e": "f"}}}}}}},
		{"structure with blanks", "a={ b = c , d = [ e ] }", map[string]any{"a": map[string]any{"b": "c", "d": []any{"e"}}}},
		{"structure trailing comma", "a={b=c,}", map[string]any{"a": map[string]any{"b": "c"}}},
		{"structure empty value", "a={b=,c=d}", map[string]any{"a": map[string]any{"b": "", "c": "d"}}},
		{"structure value with =", "a={b=c=d}", map[string]any{"a": map[string]any{"b": "c=d"}}},
		{"list empty element", "a=[b,,c]", map[string]any{"a": []any{"b", "", "c"}}},
		{"list quoted empty element", `a=[""]`, map[string]any{"a": []any{""}}},
		{"empty values at top", "a=,b=", map[string]any{"a": "", "b": ""}},
		{"empty single quoted", "a=''", map[string]any{"a": ""}},
		{"escaped comma in explicit list", `a=[b\,c,d]`, map[string]any{"a": []any{"b,c", "d"}}},
		{"escaped comma in structure", `a={k=b\,c}`, map[string]any{"a": map[string]any{"k": "b,c"}}},
		{"quoted and escaped list", `a="x,y",z\,w`, map[string]any{"a": []any{"x,y", "z,w"}}},
		{"other quote kept", `a='say "hi"',b="it's"`, map[string]any{"a": `say "hi"`, "b": "it's"}},
		{"double quoted backslash", `a="c:\\dir"`, map[string]any{"a": `c:\dir`}},
		{"unknown escape kept", `a='\n'`, map[string]any{"a": `\n`}},
		{"trailing backslash kept", `a=b\`, map[string]any{"a": `b\`}},
		{"quoted = and brackets", `a='b=[c]'`, map[string]any{"a": "b=[c]"}},
		{"} may begin a value", "a=}", map[string]any{"a": "}"}},
		{"tabs around = and ,", "a\t=\tb\t,\tc", map[string]any{"a": []any{"b", "c"}}},
		{"leading no-break space kept", "a=\u00a0b", map[string]any{"a": "\u00a0b"}},
		{"trailing Unicode spaces stripped", "a=b\u00a0\u3000", map[string]any{"a": "b"}},
		{"character above U+FFFF quoted", "a='😀'", map[string]any{"a": "😀"}},
		{"list ends before the key", `a=b,c\,d=e`, map[string]any{"a": "b", "d": "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Shorthand("--x", tt.in)
			if err != nil {
				t.Fatalf("Shorthand(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Shorthand(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

// TestShorthandGrammarErrors checks error texts for the same corners; the
// caret column counts code points, not bytes.
func TestShorthandGrammarErrors(t *testing.T) {
	const prefix = "Error parsing parameter '--x': "
	tests := []struct{ name, in, want string }{
		{"trailing comma after list", "a=b,c,", "Expected: '<second>', received: '<none>' for input:\na=b,c,\n      ^"},
		{"trailing comma after [..]", "a=[b,c],", "Expected: '=', received: 'EOF' for input:\na=[b,c],\n        ^"},
		{"double comma", "a=b,,c", "Expected: '=', received: 'EOF' for input:\na=b,,c\n      ^"},
		{"} alone is not an empty value", "a={b=}", "Expected: ',', received: 'EOF' for input:\na={b=}\n      ^"},
		{"duplicate non-ASCII value", "a=é,a=ü", `Second instance of key "a" encountered for input:` + "\n" +
			"a=é,a=ü\n    ^\nThis is often because there is a preceding \",\" instead of a space."},
		{"column after two-byte runes", "a=ü,b=[ä", "Expected: ',', received: 'EOF' for input:\na=ü,b=[ä\n        ^"},
		{"column after four-byte rune", "a='😀',b=😀", "Expected: ',', received: '😀' for input:\na='😀',b=😀\n        ^"},
		{"second line after CJK", "a=日本,\nb==c", "Expected: ',', received: '=' for input:\na=日本,\nb==c\n  ^"},
		{"non-ASCII key", "é=1", "Expected: '=', received: 'é' for input:\né=1\n^"},
		{"unquoted quote ends a value", `a=x\'y`, "Expected: ',', received: ''' for input:\na=x\\'y\n    ^"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Shorthand("--x", tt.in)
			if err == nil || err.Error() != prefix+tt.want {
				t.Errorf("Shorthand(%q) error\n got: %v\nwant: %q", tt.in, err, prefix+tt.want)
			}
		})
	}
}

// TestShorthandDepthLimit pins the nesting limit for lists and structures.
func TestShorthandDepthLimit(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"400 lists", "a=" + strings.Repeat("[", 400) + strings.Repeat("]", 400), true},
		{"401 lists", "a=" + strings.Repeat("[", 401) + strings.Repeat("]", 401), false},
		{"400 structures", "a=" + strings.Repeat("{b=", 400) + "x" + strings.Repeat("}", 400), true},
		{"401 mixed", "a=" + strings.Repeat("[{b=", 200) + "[" + strings.Repeat("}]", 200) + "]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Shorthand("--x", tt.in)
			if tt.ok && err != nil {
				t.Errorf("got %v, want success", err)
			}
			if !tt.ok && (err == nil || err.Error() != "maximum recursion depth exceeded") {
				t.Errorf("got %v, want the depth error", err)
			}
			var perr *Error
			if !tt.ok && (!errors.As(err, &perr) || perr.Usage()) {
				t.Errorf("depth error %#v must be a general (exit 255) *Error", err)
			}
		})
	}
}
