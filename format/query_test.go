package format

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func mustQuery(t *testing.T, expr string) *Query {
	t.Helper()
	q, err := CompileQuery(expr)
	if err != nil {
		t.Fatalf("CompileQuery(%q): %v", expr, err)
	}
	return q
}

func TestQueryKeyOrder(t *testing.T) {
	describe := &createKeyOutput{KeyMetadata: symmetricKey()}
	tests := []struct {
		name, expr, want string
	}{
		{"hash keys follow the expression", "KeyMetadata.{b: KeyState, a: KeyId}",
			"{\n    \"b\": \"Enabled\",\n    \"a\": \"1234abcd-12ab-34cd-56ef-1234567890ab\"\n}\n"},
		{"hash keys named like members follow the expression", "KeyMetadata.{KeyState: KeyState, Arn: Arn}",
			"{\n    \"KeyState\": \"Enabled\",\n    \"Arn\": \"" + refKeyArn + "\"\n}\n"},
		{"original objects keep model order", "{M: KeyMetadata.{KeySpec: KeySpec, AWSAccountId: AWSAccountId}, K: KeyMetadata}",
			""},
		{"merged objects: first appearance, as a Python dict", "merge(KeyMetadata.{Origin: Origin}, {Extra: `1`}, {AWSAccountId: KeyMetadata.AWSAccountId})",
			"{\n    \"Origin\": \"AWS_KMS\",\n    \"Extra\": 1,\n    \"AWSAccountId\": \"111122223333\"\n}\n"},
		{"merge overrides keep the first position", "merge(KeyMetadata.{KeyId: KeyId, Origin: Origin}, {KeyId: 'x'})",
			"{\n    \"KeyId\": \"x\",\n    \"Origin\": \"AWS_KMS\"\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderString(t, describe, Options{Query: mustQuery(t, tt.expr), TimestampFormat: TimestampWire})
			if tt.want == "" {
				// The passthrough object must print exactly as without a query.
				plain := renderString(t, describe, Options{TimestampFormat: TimestampWire})
				inner := plain[len("{\n    \"KeyMetadata\": ") : len(plain)-3]
				want := "{\n    \"M\": {\n        \"KeySpec\": \"SYMMETRIC_DEFAULT\",\n        \"AWSAccountId\": \"111122223333\"\n    },\n    \"K\": " + inner + "\n}\n"
				if got != want {
					t.Errorf("got:\n%s\nwant:\n%s", got, want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// Objects that pass through a query untouched keep their own order even
// when the same keys appear in another order elsewhere in the input.
func TestQueryKeepsEachObjectsOrder(t *testing.T) {
	v := Object{
		{"Outer", Object{{"B", int64(1)}, {"A", int64(2)}}},
		{"A", int64(3)},
		{"B", int64(4)},
		{"List", []any{Object{{"Y", "y"}, {"X", "x"}}, Object{{"X", "x"}, {"Y", "y"}}}},
	}
	want := renderString(t, v, Options{})
	for _, expr := range []string{"@", "[@][0]", "{Outer: Outer, A: A, B: B, List: List[?X == 'x']}"} {
		if got := renderString(t, v, Options{Query: mustQuery(t, expr)}); got != want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", expr, got, want)
		}
	}
}

func TestQueryResults(t *testing.T) {
	describe := &createKeyOutput{KeyMetadata: symmetricKey()}
	tests := []struct {
		name, expr, output, want string
	}{
		{"text None for a missing member", "KeyMetadata.[KeyId,KeyState,Enabled,NoSuch]", "text",
			"1234abcd-12ab-34cd-56ef-1234567890ab\tEnabled\tTrue\tNone\n"},
		{"json null", "KeyMetadata.NoSuch", "json", "null\n"},
		{"text None", "KeyMetadata.NoSuch", "text", "None\n"},
		{"yaml null", "KeyMetadata.NoSuch", "yaml", "null\n"},
		{"table prints nothing for null", "KeyMetadata.NoSuch", "table", ""},
		{"json string is quoted", "KeyMetadata.KeyId", "json", "\"1234abcd-12ab-34cd-56ef-1234567890ab\"\n"},
		{"text string is raw", "KeyMetadata.KeyId", "text", "1234abcd-12ab-34cd-56ef-1234567890ab\n"},
		{"empty object prints nothing", "`{}`", "json", ""},
		{"empty object after query prints nothing", "KeyMetadata.NoSuch || `{}`", "yaml", ""},
		{"empty list prints []", "KeyMetadata.SigningAlgorithms || `[]`", "json", "[]\n"},
		{"ints stay ints", "length(KeyMetadata.EncryptionAlgorithms)", "json", "1\n"},
		{"integral float timestamps stay floats", "KeyMetadata.CreationDate", "json", "1763796691.242\n"},
		{"legacy literal", "KeyMetadata.KeyState == `Enabled`", "json", "true\n"},
		{"legacy literal with spaces", "KeyMetadata.KeyState == ` Enabled`", "json", "true\n"},
		{"json literal", "KeyMetadata.KeyState == `\"Enabled\"`", "json", "true\n"},
		{"escaped backtick", "`a\\`b`", "json", "\"a`b\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderString(t, describe, Options{Output: tt.output, Query: mustQuery(t, tt.expr), TimestampFormat: TimestampWire})
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompileQueryErrors(t *testing.T) {
	tests := []struct {
		expr, want string
	}{
		// Verified against AWS CLI 1.45.11.
		{"Keys[", "Bad value for --query Keys[: Invalid jmespath expression: Incomplete expression:\n\"Keys[\"\n      ^"},
		{"foo(", "Bad value for --query foo(: Invalid jmespath expression: Incomplete expression:\n\"foo(\"\n     ^"},
		// jmespath.py errors, reproduced exactly.
		{"", "Bad value for --query : Invalid JMESPath expression: cannot be empty."},
		{"`abc", "Bad value for --query `abc: Bad jmespath expression: Unclosed ` delimiter:\n`abc\n^"},
		{"a == 'x", "Bad value for --query a == 'x: Bad jmespath expression: Unclosed ' delimiter:\na == 'x\n     ^"},
		{"a[?b == `\"x`]", "Bad value for --query a[?b == `\"x`]: Bad jmespath expression: Bad token \"x:\na[?b == `\"x`]\n        ^"},
		// Other syntax errors carry the Go library's description.
		{"a b", "Bad value for --query a b: Invalid jmespath expression: Unexpected token at the end of the expression: TOKUnquotedIdentifier:\n\"a b\"\n   ^"},
		{"`x` b", "Bad value for --query `x` b: Invalid jmespath expression: Unexpected token at the end of the expression: TOKUnquotedIdentifier:\n\"`x` b\"\n     ^"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			q, err := CompileQuery(tt.expr)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("CompileQuery(%q) = %v, %v; want *QueryError", tt.expr, q, err)
			}
			if qe.Expr != tt.expr || err.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", err.Error(), tt.want)
			}
		})
	}
}

func TestQueryEvalError(t *testing.T) {
	q := mustQuery(t, "sum(KeyMetadata.KeyId)")
	err := Render(&discard{}, &createKeyOutput{KeyMetadata: symmetricKey()}, Options{Query: q})
	var qe *QueryEvalError
	if !errors.As(err, &qe) || qe.Expr != "sum(KeyMetadata.KeyId)" {
		t.Fatalf("got %v, want *QueryEvalError", err)
	}
}

type discard struct{ n int }

func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

// TestQueryStrictSyntax: expressions outside the JMESPath specification
// are refused as the AWS CLI (jmespath.py) refuses them; the texts were
// taken from AWS CLI 2.9.19.
func TestQueryStrictSyntax(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"length(Keys) + `1`", "Bad jmespath expression: Unknown token +:\nlength(Keys) + `1`\n             ^"},
		{"$", "Bad jmespath expression: Unknown token $:\n$\n^"},
		{"let $x = `1` in $x", "Bad jmespath expression: Unknown token $:\nlet $x = `1` in $x\n    ^"},
		{"Keys[?a =~ b]", "Bad jmespath expression: Unknown token '=':\nKeys[?a =~ b]\n        ^"},
		{"a - b", "Bad jmespath expression: Unknown token '-':\na - b\n  ^"},
		{"-a", "Bad jmespath expression: Unknown token '-':\n-a\n^"},
		{"a // b", "Bad jmespath expression: Unknown token /:\na // b\n  ^"},
		{"a % b", "Bad jmespath expression: Unknown token %:\na % b\n  ^"},
		{"a × b", "Bad jmespath expression: Unknown token ×:\na × b\n  ^"},
		{"a * b", "invalid token: Parse error at column 2, token \"*\" (STAR), for expression:\n\"a * b\"\n   ^"},
		{"`1` * `2`", "invalid token: Parse error at column 4, token \"*\" (STAR), for expression:\n\"`1` * `2`\"\n     ^"},
		{"a[?b * c]", "invalid token: Parse error at column 5, token \"*\" (STAR), for expression:\n\"a[?b * c]\"\n      ^"},
		{`"a\qb"`, "Bad jmespath expression: Invalid \\escape:\n\"a\\qb\"\n^"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := CompileQuery(tt.expr)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("CompileQuery(%q) = %v, want *QueryError", tt.expr, err)
			}
			if want := "Bad value for --query " + tt.expr + ": " + tt.want; err.Error() != want {
				t.Errorf("got  %q\nwant %q", err.Error(), want)
			}
		})
	}
}

// TestQueryStrictEvaluation: functions outside the specification fail when
// the query runs, with jmespath.py's texts, and results follow jmespath.py
// where the library's dialect differs.
func TestQueryStrictEvaluation(t *testing.T) {
	data := Object{
		{"b", int64(1)}, {"a", int64(2)}, {"z", Object{{"y", int64(1)}, {"x", int64(2)}}},
		{"s", "abc"}, {"n", nil}, {"l", []any{int64(3), int64(1), int64(2)}},
	}
	tests := []struct{ expr, want, err string }{
		{expr: "upper(s)", err: "Unknown function: upper()"},
		{expr: "items(@)", err: "Unknown function: items()"},
		{expr: "find_first(s, 'b')", err: "Unknown function: find_first()"},
		{expr: "length(`1`, `2`)", err: "Expected 1 argument for function length(), received 2"},
		{expr: "abs()", err: "Expected 1 argument for function abs(), received 0"},
		{expr: "not_null()", err: "Expected at least 1 argument for function not_null(), received 0"},
		{expr: "s < `1`", err: "'<' not supported between instances of 'str' and 'int'"},
		{expr: "keys(@)", want: `["b","a","z","s","n","l"]`},
		{expr: "values(z)", want: `[1,2]`},
		{expr: "*", want: `[1,2,{"y":1,"x":2},"abc",[3,1,2]]`},
		{expr: "z.*", want: `[1,2]`},
		{expr: "`null`|[@]", want: `null`},
		{expr: "n.[a]", want: `null`},
		{expr: "n.{a: a}", want: `null`},
		{expr: "s[::-1]", want: `null`},
		{expr: "s[0:1]", want: `null`},
		{expr: "l[::-1]", want: `[2,1,3]`},
		{expr: "'a' < 'b'", want: `true`},
		{expr: "a < `3`", want: `true`},
		{expr: "`true` < `false`", want: `null`},
		{expr: "merge(z, {a: `1`, x: `5`})", want: `{"y":1,"x":5,"a":1}`},
		{expr: "to_string(z)", want: `"{\"y\":1,\"x\":2}"`},
		{expr: "to_string(`[\"é\", 1.5]`)", want: `"[\"\\u00e9\",1.5]"`},
		{expr: "l[?@ > `1`]", want: `[3,2]`},
		{expr: `'\\'`, want: `"\\\\"`},
		{expr: `'it\'s'`, want: `"it's"`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			q := mustQuery(t, tt.expr)
			got, err := q.search(data)
			if tt.err != "" {
				var qe *QueryEvalError
				if !errors.As(err, &qe) || err.Error() != tt.err {
					t.Fatalf("got %v, %v; want *QueryEvalError %q", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := string(appendCompactJSON(nil, got)); s != tt.want {
				t.Errorf("got %s, want %s", s, tt.want)
			}
		})
	}
}

// TestQueryMemberOrderIsStable: keys(), values() and '*' on an object
// follow the response's member order on every run (Go maps would not).
func TestQueryMemberOrderIsStable(t *testing.T) {
	var obj Object
	var keys, values []string
	for i := 0; i < 16; i++ {
		k := string(rune('p' - i%16))
		obj = append(obj, Field{k, int64(i)})
		keys = append(keys, `"`+k+`"`)
		values = append(values, strconv.Itoa(i))
	}
	tests := []struct{ expr, want string }{
		{"keys(@)", "[" + strings.Join(keys, ",") + "]"},
		{"values(@)", "[" + strings.Join(values, ",") + "]"},
		{"*", "[" + strings.Join(values, ",") + "]"},
	}
	for _, tt := range tests {
		q := mustQuery(t, tt.expr)
		for run := 0; run < 20; run++ {
			got, err := q.search(obj)
			if err != nil {
				t.Fatal(err)
			}
			if s := string(appendCompactJSON(nil, got)); s != tt.want {
				t.Fatalf("%s run %d: got %s, want %s", tt.expr, run, s, tt.want)
			}
		}
	}
}

// TestQueryTypeErrors: a function given a value of the wrong type fails
// with jmespath.py's message (texts from jmespath.py), never the library's.
func TestQueryTypeErrors(t *testing.T) {
	data := Object{
		{"z", Object{{"y", int64(1)}, {"x", int64(2)}}}, {"s", "abc"}, {"n", nil},
		{"l", []any{int64(3), int64(1), int64(2)}}, {"m", []any{int64(1), "a"}}, {"ss", []any{"a", int64(1)}},
	}
	tests := []struct{ expr, want string }{
		{"length(`1`)", `In function length(), invalid type for value: 1, expected one of: ['string', 'array', 'object'], received: "number"`},
		{"abs(s)", `In function abs(), invalid type for value: abc, expected one of: ['number'], received: "string"`},
		{"sum(m)", `In function sum(), invalid type for value: a, expected one of: ['array-number'], received: "str"`},
		{"max(m)", `In function max(), invalid type for value: a, expected one of: ['array-number', 'array-string'], received: "str"`},
		{"max(ss)", `In function max(), invalid type for value: 1, expected one of: ['array-number', 'array-string'], received: "int"`},
		{"max(z)", `In function max(), invalid type for value: {'y': 1, 'x': 2}, expected one of: ['array-number', 'array-string'], received: "object"`},
		{"join(s, l)", `In function join(), invalid type for value: 3, expected one of: ['array-string'], received: "int"`},
		{"keys(l)", `In function keys(), invalid type for value: [3, 1, 2], expected one of: ['object'], received: "array"`},
		{"merge(z, `1`)", `'int' object is not iterable`},
		{"map(s, l)", `In function map(), invalid type for value: abc, expected one of: ['expref'], received: "string"`},
		{"avg(`[true]`)", `In function avg(), invalid type for value: True, expected one of: ['array-number'], received: "bool"`},
		{"starts_with(n, s)", `In function starts_with(), invalid type for value: None, expected one of: ['string'], received: "null"`},
		{"sort(`[null]`)", `In function sort(), invalid type for value: None, expected one of: ['array-string', 'array-number'], received: "NoneType"`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := mustQuery(t, tt.expr).search(data)
			var qe *QueryEvalError
			if !errors.As(err, &qe) || err.Error() != tt.want {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
	// Valid calls still work after the check.
	for expr, want := range map[string]string{"min(`[]`)": "null", "sort_by(l, &@)": "[1,2,3]", "max(ss[:1])": `"a"`} {
		got, err := mustQuery(t, expr).search(data)
		if err != nil || string(appendCompactJSON(nil, got)) != want {
			t.Errorf("%s: got %v, %v; want %s", expr, got, err, want)
		}
	}
}
