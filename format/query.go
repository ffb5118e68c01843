package format

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmespath-community/go-jmespath/pkg/interpreter"
	"github.com/jmespath-community/go-jmespath/pkg/parsing"
)

// Query is a compiled --query expression.
type Query struct {
	expr   string
	ast    parsing.ASTNode // adapted to jmespath.py's semantics (strict.go)
	hashes [][]string      // keys of each multiselect hash, in expression order
}

// String returns the expression as the user wrote it.
func (q *Query) String() string { return q.expr }

// QueryError is a --query expression that does not compile. Its message is
// the AWS CLI's: "Bad value for --query EXPR: " followed by the JMESPath
// error text.
type QueryError struct {
	Expr   string
	Detail string // the JMESPath error, e.g. "Invalid jmespath expression: Incomplete expression:\n..."
}

func (e *QueryError) Error() string { return "Bad value for --query " + e.Expr + ": " + e.Detail }

// QueryEvalError is a compiled query that failed on the data, for example a
// function given an argument of the wrong type, or a function the JMESPath
// specification does not have ("Unknown function: upper()", which
// jmespath.py too reports only when the expression runs).
type QueryEvalError struct {
	Expr string
	Err  error
}

func (e *QueryEvalError) Error() string { return e.Err.Error() }
func (e *QueryEvalError) Unwrap() error { return e.Err }

// CompileQuery compiles a JMESPath expression the way the AWS CLI's
// jmespath.py does: the original specification and nothing more.
//
// The expression is first scanned with jmespath.py's lexical rules, which
// gives the CLI's exact error for a character outside the language (the
// arithmetic and variables of later JMESPath dialects among them: "Unknown
// token +"), for an unclosed quote and for a bad literal. The scan also
// accepts, like jmespath.py, the deprecated literal form `foo` (a backquoted
// value that is not JSON is the string "foo"), and it rewrites raw string
// literals ('...') so that only \' is an escape in them, as in the
// specification. The parser of github.com/jmespath-community/go-jmespath
// then builds the syntax tree; a node of that library's extensions (a
// multiplication written with '*') is refused as jmespath.py refuses it.
func CompileQuery(expr string) (q *Query, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, &QueryError{Expr: expr, Detail: "Invalid jmespath expression: " + fmt.Sprint(r)}
		}
	}()
	if expr == "" {
		return nil, &QueryError{Expr: expr, Detail: "Invalid JMESPath expression: cannot be empty."}
	}
	lx, lexErr := lexQuery(expr)
	if lexErr != "" {
		return nil, &QueryError{Expr: expr, Detail: lexErr}
	}
	ast, err := parsing.NewParser().Parse(lx.rewritten)
	if err != nil {
		return nil, &QueryError{Expr: expr, Detail: parseErrorDetail(expr, err, lx.shifts)}
	}
	if extensionNode(ast) {
		return nil, &QueryError{Expr: expr, Detail: extensionDetail(expr, lx.infixStars)}
	}
	q = &Query{expr: expr, ast: adapt(ast)}
	collectHashes(ast, &q.hashes)
	return q, nil
}

func collectHashes(n parsing.ASTNode, out *[][]string) {
	if n.NodeType == parsing.ASTMultiSelectHash {
		var keys []string
		for _, kv := range n.Children {
			if k, ok := kv.Value.(string); ok {
				keys = append(keys, k)
			}
		}
		*out = append(*out, keys)
	}
	for _, c := range n.Children {
		collectHashes(c, out)
	}
}

// shift records that the rewritten expression has delta more bytes than
// the original from byte offset at (in the rewritten text) on.
type shift struct{ at, delta int }

// lexed is the result of scanning an expression with jmespath.py's rules.
type lexed struct {
	rewritten  string  // the expression with every literal in JSON form
	shifts     []shift // where rewriting changed the length
	infixStars []int   // columns of '*' tokens that follow an operand
}

// lexQuery scans expr as the jmespath.py lexer does and returns that
// lexer's error text (the AWS CLI prints it after "Bad value for --query
// EXPR: ") for the first character it refuses. Columns count characters,
// as Python's do.
func lexQuery(expr string) (lexed, string) {
	var lx lexed
	var out strings.Builder
	rs := []rune(expr)
	lexErr := func(msg string, col int) string {
		return fmt.Sprintf("Bad jmespath expression: %s:\n%s\n%s^", msg, expr, strings.Repeat(" ", col))
	}
	// afterOperand: the previous token ends an operand, so a '*' here
	// would be a multiplication (which jmespath.py does not parse).
	afterOperand := false
	for i := 0; i < len(rs); {
		c := rs[i]
		next := rune(-1)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			out.WriteRune(c)
			i++
		case c == '_' || c < utf8.RuneSelf && unicode.IsLetter(c):
			j := i + 1
			for j < len(rs) && (rs[j] == '_' || rs[j] < utf8.RuneSelf && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]))) {
				j++
			}
			out.WriteString(string(rs[i:j]))
			i, afterOperand = j, true
		case c >= '0' && c <= '9' || c == '-' && next >= '0' && next <= '9':
			j := i + 1
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			out.WriteString(string(rs[i:j]))
			i, afterOperand = j, true
		case c == '-':
			return lx, lexErr("Unknown token '-'", i)
		case strings.ContainsRune(".*],:@(){}", c):
			if c == '*' && afterOperand {
				lx.infixStars = append(lx.infixStars, i)
			}
			out.WriteRune(c)
			i++
			afterOperand = strings.ContainsRune("*]@)}", c)
		case c == '[':
			// "[", or the tokens "[]" (flatten) and "[?" (filter).
			tok := "["
			if next == ']' || next == '?' {
				tok += string(next)
			}
			out.WriteString(tok)
			i += len(tok)
			afterOperand = tok == "[]"
		case c == '|' || c == '&' || c == '<' || c == '>' || c == '!':
			// One character, or two: || && <= >= !=.
			tok := string(c)
			if next == '=' && c != '|' && c != '&' || next == c && (c == '|' || c == '&') {
				tok += string(next)
			}
			out.WriteString(tok)
			i += len(tok)
			afterOperand = false
		case c == '=':
			if next != '=' {
				return lx, lexErr("Unknown token '='", i)
			}
			out.WriteString("==")
			i += 2
			afterOperand = false
		case c == '"' || c == '\'' || c == '`':
			lexeme, end, ok := scanQuoted(rs, i)
			if !ok {
				return lx, lexErr(fmt.Sprintf("Unclosed %c delimiter", c), i)
			}
			original := string(rs[i:end])
			replacement, msg := rewriteQuoted(c, lexeme)
			if msg != "" {
				return lx, lexErr(msg, i)
			}
			if replacement == "" {
				replacement = original
			}
			out.WriteString(replacement)
			if len(replacement) != len(original) {
				lx.shifts = append(lx.shifts, shift{at: out.Len(), delta: len(replacement) - len(original)})
			}
			i, afterOperand = end, true
		default:
			return lx, lexErr("Unknown token "+string(c), i)
		}
	}
	lx.rewritten = out.String()
	return lx, ""
}

// scanQuoted reads a token delimited by rs[start] up to the next unescaped
// delimiter: a backslash keeps itself and the character after it. It
// returns the text between the delimiters and the index after the closing
// one, or ok false if the token is not closed.
func scanQuoted(rs []rune, start int) (lexeme string, end int, ok bool) {
	delim := rs[start]
	var b strings.Builder
	j := start + 1
	for ; j < len(rs) && rs[j] != delim; j++ {
		if rs[j] == '\\' {
			b.WriteRune('\\')
			j++
			if j == len(rs) {
				return "", 0, false
			}
		}
		b.WriteRune(rs[j])
	}
	if j >= len(rs) {
		return "", 0, false
	}
	return b.String(), j + 1, true
}

// rewriteQuoted returns the replacement of a quoted token ("" to keep it),
// or jmespath.py's error message for it.
func rewriteQuoted(delim rune, lexeme string) (replacement, errMsg string) {
	switch delim {
	case '"':
		// A quoted identifier is a JSON string.
		if msg := jsonStringError(lexeme); msg != "" {
			return "", msg
		}
		return "", ""
	case '\'':
		// A raw string: \' is a quote, every other character is itself.
		return jsonLiteral(strings.ReplaceAll(lexeme, `\'`, `'`)), ""
	}
	value := strings.ReplaceAll(lexeme, "\\`", "`")
	if json.Valid([]byte(value)) {
		return "", ""
	}
	// The deprecated form: the text (left-trimmed) as a JSON string body.
	asString := `"` + strings.TrimLeftFunc(value, unicode.IsSpace) + `"`
	var s string
	if json.Unmarshal([]byte(asString), &s) != nil {
		return "", "Bad token " + value
	}
	return jsonLiteral(s), ""
}

// jsonLiteral writes s as a backquoted JSON string literal.
func jsonLiteral(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return "`" + strings.ReplaceAll(strings.TrimSuffix(b.String(), "\n"), "`", "\\`") + "`"
}

// jsonStringError checks the body of a quoted identifier as Python's json
// module does and returns the start of its error message ("" if valid).
func jsonStringError(body string) string {
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c < 0x20:
			return "Invalid control character at"
		case c == '\\':
			if i+1 >= len(body) {
				return "Unterminated string starting at"
			}
			i++
			switch body[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(body) {
					return "Invalid \\uXXXX escape"
				}
				for k := 1; k <= 4; k++ {
					if !strings.ContainsRune("0123456789abcdefABCDEF", rune(body[i+k])) {
						return "Invalid \\uXXXX escape"
					}
				}
				i += 4
			default:
				return "Invalid \\escape"
			}
		}
	}
	return ""
}

// parseErrorDetail formats a syntax error as jmespath.py would where the
// two libraries agree on the error (an incomplete expression), and as
// "Invalid jmespath expression: <library message>" with the position
// marked otherwise.
func parseErrorDetail(expr string, err error, shifts []shift) string {
	se, ok := err.(parsing.SyntaxError)
	if !ok {
		return "Invalid jmespath expression: " + err.Error()
	}
	msg := strings.TrimPrefix(se.Error(), "SyntaxError: ")
	if msg == "Incomplete expression" || strings.HasSuffix(msg, "received: TOKEOF") {
		return fmt.Sprintf("Invalid jmespath expression: Incomplete expression:\n\"%s\"\n%s^",
			expr, strings.Repeat(" ", utf8.RuneCountInString(expr)+1))
	}
	off := se.Offset
	for i := len(shifts) - 1; i >= 0; i-- {
		if off >= shifts[i].at {
			off -= shifts[i].delta
		}
	}
	off = min(max(off, 0), len(expr))
	col := utf8.RuneCountInString(expr[:off])
	return fmt.Sprintf("Invalid jmespath expression: %s:\n\"%s\"\n%s^", msg, expr, strings.Repeat(" ", col+1))
}

// search applies the query to a tree and returns a tree.
func (q *Query) search(tree any) (result any, err error) {
	idx := &jpIndex{orders: map[uintptr][]string{}, rank: map[string]int{}, floats: map[float64]bool{}, hashes: q.hashes}
	data := idx.toJP(tree)
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, &QueryEvalError{Expr: q.expr, Err: fmt.Errorf("%v", r)}
		}
	}()
	out, err := interpreter.NewInterpreter(data, newCaller(idx), nil).Execute(q.ast, data)
	if err != nil {
		return nil, &QueryEvalError{Expr: q.expr, Err: err}
	}
	return idx.fromJP(out, 0), nil
}

// jpIndex remembers what the conversion to the library's data model (plain
// maps, float64 numbers) loses, so the result can be put back in order.
type jpIndex struct {
	orders map[uintptr][]string // key order of each map built from an Object
	rank   map[string]int       // first appearance of each key in the input
	floats map[float64]bool     // integral values that were floats (wire timestamps)
	hashes [][]string           // the query's multiselect hash keys
	keep   []map[string]any     // maps made during the search whose order is in orders
}

func mapID(m map[string]any) uintptr { return reflect.ValueOf(m).Pointer() }

func (x *jpIndex) toJP(v any) any {
	switch t := v.(type) {
	case Object:
		m := make(map[string]any, len(t))
		order := make([]string, 0, len(t))
		for _, f := range t {
			if _, dup := m[f.Name]; !dup {
				order = append(order, f.Name)
			}
			if _, seen := x.rank[f.Name]; !seen {
				x.rank[f.Name] = len(x.rank)
			}
			m[f.Name] = x.toJP(f.Value)
		}
		x.orders[mapID(m)] = order
		return m
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = x.toJP(e)
		}
		return out
	case int64:
		return float64(t)
	case float64:
		if t == math.Trunc(t) {
			x.floats[t] = true
		}
		return t
	}
	return v
}

func (x *jpIndex) fromJP(v any, depth int) any {
	if depth > maxDepth {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		keys := x.keyOrder(t)
		out := make(Object, 0, len(keys))
		for _, k := range keys {
			out = append(out, Field{k, x.fromJP(t[k], depth+1)})
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = x.fromJP(e, depth+1)
		}
		return out
	case float64:
		// The library computes with float64 only; jmespath.py keeps ints.
		// An integral value is an int unless the input had it as a float.
		if t == math.Trunc(t) && math.Abs(t) < 1<<63 && !x.floats[t] {
			return int64(t)
		}
		return t
	case string, bool, nil:
		return t
	}
	// Anything else a library function might return: convert generically.
	return x.fromJP(Tree(v, Options{}), depth+1)
}

// keyOrder restores the order of a map's keys: the original order for maps
// that came from the input, expression order for multiselect hashes, and
// otherwise input keys by first appearance, then hash keys in expression
// order, then the rest sorted.
func (x *jpIndex) keyOrder(m map[string]any) []string {
	hashes := x.hashes
	if order, ok := x.orders[mapID(m)]; ok && sameKeys(order, m) {
		return order
	}
	for _, h := range hashes {
		if sameKeys(h, m) {
			return h
		}
	}
	exprRank := map[string]int{}
	for _, h := range hashes {
		for _, k := range h {
			if _, ok := exprRank[k]; !ok {
				exprRank[k] = len(exprRank)
			}
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	class := func(k string) (int, int) {
		if r, ok := x.rank[k]; ok {
			return 0, r
		}
		if r, ok := exprRank[k]; ok {
			return 1, r
		}
		return 2, 0
	}
	sort.Slice(keys, func(i, j int) bool {
		ci, ri := class(keys[i])
		cj, rj := class(keys[j])
		if ci != cj {
			return ci < cj
		}
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

func sameKeys(keys []string, m map[string]any) bool {
	if len(keys) != len(m) {
		return false
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}
