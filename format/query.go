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

	jmespath "github.com/jmespath-community/go-jmespath"
	"github.com/jmespath-community/go-jmespath/pkg/parsing"
)

// Query is a compiled --query expression.
type Query struct {
	expr   string
	jp     jmespath.JMESPath
	hashes [][]string // keys of each multiselect hash, in expression order
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
// function given an argument of the wrong type.
type QueryEvalError struct {
	Expr string
	Err  error
}

func (e *QueryEvalError) Error() string { return e.Err.Error() }
func (e *QueryEvalError) Unwrap() error { return e.Err }

// CompileQuery compiles a JMESPath expression. Like jmespath.py, which the
// AWS CLI uses, it accepts the deprecated literal form `foo` (a backquoted
// value that is not JSON is taken as the string "foo").
func CompileQuery(expr string) (q *Query, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, &QueryError{Expr: expr, Detail: "Invalid jmespath expression: " + fmt.Sprint(r)}
		}
	}()
	if expr == "" {
		return nil, &QueryError{Expr: expr, Detail: "Invalid JMESPath expression: cannot be empty."}
	}
	rewritten, shifts, lexErr := rewriteLegacyLiterals(expr)
	if lexErr != "" {
		return nil, &QueryError{Expr: expr, Detail: lexErr}
	}
	ast, err := parsing.NewParser().Parse(rewritten)
	if err != nil {
		return nil, &QueryError{Expr: expr, Detail: parseErrorDetail(expr, err, shifts)}
	}
	jp, err := jmespath.Compile(rewritten)
	if err != nil {
		return nil, &QueryError{Expr: expr, Detail: parseErrorDetail(expr, err, shifts)}
	}
	q = &Query{expr: expr, jp: jp}
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

// rewriteLegacyLiterals finds the quoted tokens of expr the way the
// jmespath.py lexer does and replaces each `literal` that is not valid JSON
// with its JSON-string form. It returns the AWS CLI's error text for an
// unclosed delimiter or a literal that is neither.
func rewriteLegacyLiterals(expr string) (string, []shift, string) {
	var out strings.Builder
	var shifts []shift
	rs := []rune(expr)
	for i := 0; i < len(rs); i++ {
		delim := rs[i]
		if delim != '"' && delim != '\'' && delim != '`' {
			out.WriteRune(delim)
			continue
		}
		start := i
		var lexeme []rune
		j := i + 1
		for ; j < len(rs) && rs[j] != delim; j++ {
			if rs[j] == '\\' {
				lexeme = append(lexeme, '\\')
				j++
				if j == len(rs) {
					break
				}
			}
			lexeme = append(lexeme, rs[j])
		}
		if j >= len(rs) {
			return "", nil, fmt.Sprintf("Bad jmespath expression: Unclosed %c delimiter:\n%s\n%s^",
				delim, expr, strings.Repeat(" ", start))
		}
		original := string(rs[start : j+1])
		i = j
		if delim != '`' {
			out.WriteString(original)
			continue
		}
		value := strings.ReplaceAll(string(lexeme), "\\`", "`")
		if json.Valid([]byte(value)) {
			out.WriteString(original)
			continue
		}
		asString := `"` + strings.TrimLeftFunc(value, unicode.IsSpace) + `"`
		if !json.Valid([]byte(asString)) {
			return "", nil, fmt.Sprintf("Bad jmespath expression: Bad token %s:\n%s\n%s^",
				value, expr, strings.Repeat(" ", start))
		}
		replacement := "`" + strings.ReplaceAll(asString, "`", "\\`") + "`"
		out.WriteString(replacement)
		shifts = append(shifts, shift{at: out.Len(), delta: len(replacement) - len(original)})
	}
	return out.String(), shifts, ""
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
	idx := &jpIndex{orders: map[uintptr][]string{}, rank: map[string]int{}, floats: map[float64]bool{}}
	data := idx.toJP(tree)
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, &QueryEvalError{Expr: q.expr, Err: fmt.Errorf("%v", r)}
		}
	}()
	out, err := q.jp.Search(data)
	if err != nil {
		return nil, &QueryEvalError{Expr: q.expr, Err: err}
	}
	return idx.fromJP(out, q.hashes, 0), nil
}

// jpIndex remembers what the conversion to the library's data model (plain
// maps, float64 numbers) loses, so the result can be put back in order.
type jpIndex struct {
	orders map[uintptr][]string // key order of each map built from an Object
	rank   map[string]int       // first appearance of each key in the input
	floats map[float64]bool     // integral values that were floats (wire timestamps)
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

func (x *jpIndex) fromJP(v any, hashes [][]string, depth int) any {
	if depth > maxDepth {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		keys := x.keyOrder(t, hashes)
		out := make(Object, 0, len(keys))
		for _, k := range keys {
			out = append(out, Field{k, x.fromJP(t[k], hashes, depth+1)})
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = x.fromJP(e, hashes, depth+1)
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
	return x.fromJP(Tree(v, Options{}), hashes, depth+1)
}

// keyOrder restores the order of a map's keys: the original order for maps
// that came from the input, expression order for multiselect hashes, and
// otherwise input keys by first appearance, then hash keys in expression
// order, then the rest sorted.
func (x *jpIndex) keyOrder(m map[string]any, hashes [][]string) []string {
	if order, ok := x.orders[mapID(m)]; ok && len(order) == len(m) {
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
