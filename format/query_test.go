package format

import (
	"errors"
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
		{"merged objects: input keys first", "merge(KeyMetadata.{Origin: Origin}, {Extra: `1`}, {AWSAccountId: KeyMetadata.AWSAccountId})",
			"{\n    \"AWSAccountId\": \"111122223333\",\n    \"Origin\": \"AWS_KMS\",\n    \"Extra\": 1\n}\n"},
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
		// Verified against AWS CLI 1.45.11 (aws-cli-conventions.md §2).
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
