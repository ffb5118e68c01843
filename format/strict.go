package format

import (
	"fmt"
	"strings"
	"sync"

	"github.com/jmespath-community/go-jmespath/pkg/functions"
	"github.com/jmespath-community/go-jmespath/pkg/interpreter"
	"github.com/jmespath-community/go-jmespath/pkg/parsing"
)

// The AWS CLI runs --query with jmespath.py, which implements the original
// JMESPath specification. The Go library used here implements a later
// dialect (JMESPath Community) that is a superset of it with a few changed
// results. This file holds the adaptation, in three parts:
//
//   - extensionNode refuses the dialect's syntax that the lexical scan in
//     query.go lets through (a multiplication written with '*'; every other
//     extension needs a character jmespath.py's lexer refuses);
//   - adapt rewrites the syntax tree where jmespath.py evaluates differently:
//     a multiselect list or hash on null is null, slicing anything but a
//     list (a string) is null, '*' on an object takes its values in member
//     order, and < <= > >= compare numbers or strings, fail on a number
//     against a string and are null otherwise;
//   - jpCaller offers only the specification's 26 functions, with
//     jmespath.py's arity messages, keys(), values(), merge() and
//     to_string() in member order (to_string as Python's compact
//     json.dumps), and "Unknown function: f()" for every other name.
//
// The compliance suite of the specification (testdata/jmespath) runs in the
// tests and every case passes.

// specFunctions are the built-in functions of the specification.
var specFunctions = map[string]bool{
	"abs": true, "avg": true, "ceil": true, "contains": true, "ends_with": true, "floor": true,
	"join": true, "keys": true, "length": true, "map": true, "max": true, "max_by": true,
	"merge": true, "min": true, "min_by": true, "not_null": true, "reverse": true, "sort": true,
	"sort_by": true, "starts_with": true, "sum": true, "to_array": true, "to_number": true,
	"to_string": true, "type": true, "values": true,
}

// Internal functions the adapted tree calls. Their names start with a
// character no identifier can hold, so no expression can name them.
const (
	fnObjectValues = "\x00object_values" // the values of an object in member order, else null
	fnListOnly     = "\x00list_only"     // the argument if it is a list, else null
	fnCompare      = "\x00compare"       // an ordering comparison (first argument: the operator)
)

// extensionNode reports whether the tree uses syntax of the later dialect.
func extensionNode(n parsing.ASTNode) bool {
	switch n.NodeType {
	case parsing.ASTArithmeticExpression, parsing.ASTArithmeticUnaryExpression, parsing.ASTRootNode,
		parsing.ASTLetExpression, parsing.ASTVariable, parsing.ASTBindings, parsing.ASTBinding:
		return true
	}
	for _, c := range n.Children {
		if extensionNode(c) {
			return true
		}
	}
	return false
}

// extensionDetail is jmespath.py's parse error for a '*' that follows an
// operand (it only knows '*' as a wildcard).
func extensionDetail(expr string, infixStars []int) string {
	col := 0
	if len(infixStars) > 0 {
		col = infixStars[0]
	}
	return fmt.Sprintf("invalid token: Parse error at column %d, token \"*\" (STAR), for expression:\n\"%s\"\n%s^",
		col, expr, strings.Repeat(" ", col+1))
}

// adapt returns a copy of the tree rewritten for jmespath.py's semantics
// (see the file comment).
func adapt(n parsing.ASTNode) parsing.ASTNode {
	children := make([]parsing.ASTNode, len(n.Children))
	for i, c := range n.Children {
		children[i] = adapt(c)
	}
	n.Children = children
	current := parsing.ASTNode{NodeType: parsing.ASTCurrentNode}
	call := func(name string, args ...parsing.ASTNode) parsing.ASTNode {
		return parsing.ASTNode{NodeType: parsing.ASTFunctionExpression, Value: name, Children: args}
	}
	// unlessNull evaluates m only when the current value is not null.
	unlessNull := func(m parsing.ASTNode) parsing.ASTNode {
		return parsing.ASTNode{NodeType: parsing.ASTSubexpression, Children: []parsing.ASTNode{current, m}}
	}
	switch n.NodeType {
	case parsing.ASTMultiSelectList, parsing.ASTMultiSelectHash:
		return unlessNull(n)
	case parsing.ASTSlice:
		return parsing.ASTNode{NodeType: parsing.ASTSubexpression, Children: []parsing.ASTNode{call(fnListOnly, current), n}}
	case parsing.ASTValueProjection:
		return parsing.ASTNode{NodeType: parsing.ASTProjection, Children: []parsing.ASTNode{call(fnObjectValues, children[0]), children[1]}}
	case parsing.ASTComparator:
		switch op := n.Value.(parsing.TokType); op {
		case parsing.TOKLT, parsing.TOKLTE, parsing.TOKGT, parsing.TOKGTE:
			opNode := parsing.ASTNode{NodeType: parsing.ASTLiteral, Value: compareOps[op]}
			return call(fnCompare, opNode, children[0], children[1])
		}
	}
	return n
}

var compareOps = map[parsing.TokType]string{parsing.TOKLT: "<", parsing.TOKLTE: "<=", parsing.TOKGT: ">", parsing.TOKGTE: ">="}

// jpCaller is the function table of one search.
type jpCaller struct {
	idx   *jpIndex
	specs map[string]functions.FunctionEntry
}

// libraryFunctions are the library's implementations of the
// specification's functions, by name, and libraryCaller calls them with the
// library's type checks. They are built on the first query rather than at
// package initialisation, which every pkms process paid for (about 0.05 ms
// and 120 allocations), with or without --query.
var libraryFunctions = sync.OnceValues(func() (map[string]functions.FunctionEntry, interpreter.FunctionCaller) {
	m := map[string]functions.FunctionEntry{}
	var entries []functions.FunctionEntry
	for _, f := range functions.GetDefaultFunctions() {
		if specFunctions[f.Name] {
			m[f.Name] = f
			entries = append(entries, f)
		}
	}
	return m, interpreter.NewFunctionCaller(entries...)
})

func newCaller(idx *jpIndex) *jpCaller {
	specs, _ := libraryFunctions()
	return &jpCaller{idx: idx, specs: specs}
}

// unknownFunctionError is jmespath.py's UnknownFunctionError.
type unknownFunctionError struct{ name string }

func (e *unknownFunctionError) Error() string { return "Unknown function: " + e.name + "()" }

// CallFunction implements the library's FunctionCaller.
func (c *jpCaller) CallFunction(name string, args []any) (any, error) {
	switch name {
	case fnObjectValues:
		if m, ok := args[0].(map[string]any); ok {
			return c.idx.orderedValues(m), nil
		}
		return nil, nil
	case fnListOnly:
		if l, ok := args[0].([]any); ok {
			return l, nil
		}
		return nil, nil
	case fnCompare:
		return compare(args[0].(string), args[1], args[2])
	}
	entry, ok := c.specs[name]
	if !ok {
		return nil, &unknownFunctionError{name}
	}
	if err := checkArity(entry, len(args)); err != nil {
		return nil, err
	}
	if err := c.checkTypes(name, args); err != nil {
		return nil, err
	}
	switch name {
	case "keys", "values":
		if m, ok := args[0].(map[string]any); ok {
			if name == "values" {
				return c.idx.orderedValues(m), nil
			}
			keys := c.idx.keyOrder(m)
			out := make([]any, len(keys))
			for i, k := range keys {
				out[i] = k
			}
			return out, nil
		}
	case "merge":
		return c.idx.merge(args)
	case "to_string":
		if _, ok := args[0].(string); !ok {
			return string(appendCompactJSON(nil, c.idx.fromJP(args[0], 0))), nil
		}
	}
	return c.checkedCall(entry, args)
}

// checkedCall runs a library function with the library's type checks.
func (c *jpCaller) checkedCall(entry functions.FunctionEntry, args []any) (any, error) {
	_, library := libraryFunctions()
	return library.CallFunction(entry.Name, args)
}

// checkArity gives jmespath.py's messages for a wrong argument count.
func checkArity(f functions.FunctionEntry, n int) error {
	want, variadic := 0, false
	for _, a := range f.Arguments {
		if a.Variadic {
			variadic = true
		}
		if !a.Optional {
			want++
		}
	}
	noun := "arguments"
	if want == 1 {
		noun = "argument"
	}
	switch {
	case variadic && n < want:
		return fmt.Errorf("Expected at least %d %s for function %s(), received %d", want, noun, f.Name, n)
	case !variadic && n != want:
		return fmt.Errorf("Expected %d %s for function %s(), received %d", want, noun, f.Name, n)
	}
	return nil
}

// compare is jmespath.py's ordering comparison: numbers with numbers and
// strings with strings; a number against a string is Python's TypeError;
// anything else is null.
func compare(op string, left, right any) (any, error) {
	ln, lnum := left.(float64)
	rn, rnum := right.(float64)
	ls, lstr := left.(string)
	rs, rstr := right.(string)
	var cmp int
	switch {
	case lnum && rnum:
		switch {
		case ln < rn:
			cmp = -1
		case ln > rn:
			cmp = 1
		case ln != rn: // NaN
			return false, nil
		}
	case lstr && rstr:
		cmp = strings.Compare(ls, rs)
	case (lnum || lstr) && (rnum || rstr):
		return nil, fmt.Errorf("'%s' not supported between instances of '%s' and '%s'", op, pyTypeName(pyTreeScalar(left)), pyTypeName(pyTreeScalar(right)))
	default:
		return nil, nil
	}
	switch op {
	case "<":
		return cmp < 0, nil
	case "<=":
		return cmp <= 0, nil
	case ">":
		return cmp > 0, nil
	}
	return cmp >= 0, nil
}

// pyTreeScalar maps the library's numbers back to the tree's so that
// pyTypeName names them as Python would (int or float).
func pyTreeScalar(v any) any {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return int64(f)
	}
	return v
}

// orderedValues lists an object's values in its member order.
func (x *jpIndex) orderedValues(m map[string]any) []any {
	keys := x.keyOrder(m)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// merge is merge() with Python's dict order: members in order of first
// appearance, later objects overriding values. An argument after the first
// that is not an object fails as Python's dict.update fails on it.
func (x *jpIndex) merge(args []any) (map[string]any, error) {
	merged := map[string]any{}
	var order []string
	for _, a := range args {
		m, ok := a.(map[string]any)
		if !ok {
			switch a.(type) {
			case []any, string:
				return nil, fmt.Errorf("dictionary update sequence element #0 is not a key and value pair")
			}
			return nil, fmt.Errorf("'%s' object is not iterable", x.pyTypeOf(a))
		}
		for _, k := range x.keyOrder(m) {
			if _, seen := merged[k]; !seen {
				order = append(order, k)
			}
			merged[k] = m[k]
		}
	}
	x.orders[mapID(merged)] = order
	x.keep = append(x.keep, merged) // its address must not be reused while orders holds it
	return merged, nil
}

// appendCompactJSON is Python's json.dumps(v, separators=(',', ':')), which
// jmespath.py's to_string uses: member order kept, every character outside
// printable ASCII escaped as \uXXXX.
func appendCompactJSON(dst []byte, v any) []byte {
	switch x := v.(type) {
	case Object:
		dst = append(dst, '{')
		for i, f := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendASCIIJSONString(dst, f.Name)
			dst = append(dst, ':')
			dst = appendCompactJSON(dst, f.Value)
		}
		return append(dst, '}')
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendCompactJSON(dst, e)
		}
		return append(dst, ']')
	case string:
		return appendASCIIJSONString(dst, x)
	}
	return appendJSON(dst, v, 0) // scalars print alike
}

// appendASCIIJSONString is a JSON string with json.dumps' ensure_ascii.
func appendASCIIJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"':
			dst = append(dst, `\"`...)
		case r == '\\':
			dst = append(dst, `\\`...)
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case r == '\t':
			dst = append(dst, `\t`...)
		case r == '\b':
			dst = append(dst, `\b`...)
		case r == '\f':
			dst = append(dst, `\f`...)
		case r >= 0x20 && r < 0x7f:
			dst = append(dst, byte(r))
		case r > 0xffff:
			r -= 0x10000
			dst = fmt.Appendf(dst, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			dst = fmt.Appendf(dst, `\u%04x`, r)
		}
	}
	return append(dst, '"')
}

// specSignatures are the argument types of the specification's functions
// as jmespath.py declares them (in its order, which its messages show); an
// empty list accepts any value.
var specSignatures = map[string][][]string{
	"abs": {{"number"}}, "avg": {{"array-number"}}, "ceil": {{"number"}}, "floor": {{"number"}},
	"contains": {{"array", "string"}, {}}, "ends_with": {{"string"}, {"string"}},
	"starts_with": {{"string"}, {"string"}}, "join": {{"string"}, {"array-string"}},
	"keys": {{"object"}}, "values": {{"object"}}, "length": {{"string", "array", "object"}},
	"map": {{"expref"}, {"array"}}, "max": {{"array-number", "array-string"}},
	"min": {{"array-number", "array-string"}}, "sort": {{"array-string", "array-number"}},
	"max_by": {{"array"}, {"expref"}}, "min_by": {{"array"}, {"expref"}}, "sort_by": {{"array"}, {"expref"}},
	"merge": {{"object"}}, "not_null": {{}}, "reverse": {{"array", "string"}}, "sum": {{"array-number"}},
	"to_array": {{}}, "to_number": {{}}, "to_string": {{}}, "type": {{}},
}

// jpType is the JMESPath type name of a value of the library's data model.
func jpType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case functions.ExpRef:
		return "expref"
	}
	return "unknown"
}

// pyTypeOf is Python's type(v).__name__ for a value of the data model.
func (x *jpIndex) pyTypeOf(v any) string {
	if _, ok := v.(functions.ExpRef); ok {
		return "_Expression"
	}
	return pyTypeName(x.fromJP(v, 0))
}

// checkTypes is jmespath.py's argument type check, with its messages: the
// value as Python's str() prints it, the accepted types, and the type
// received (a Python type name for a wrong element of a typed array, as
// jmespath.py reports it).
func (c *jpCaller) checkTypes(name string, args []any) error {
	sig := specSignatures[name]
	// Like jmespath.py, only the declared arguments are checked: of a
	// variadic function's arguments, the first.
	for i, arg := range args[:min(len(args), len(sig))] {
		types := sig[i]
		if len(types) == 0 {
			continue
		}
		actual := jpType(arg)
		var subtypes []string
		allowed := false
		for _, t := range types {
			base, sub, isArray := strings.Cut(t, "-")
			if isArray {
				base = "array"
			}
			if base == actual {
				allowed = true
				if isArray {
					subtypes = append(subtypes, sub)
				}
			}
		}
		if !allowed {
			return c.typeError(name, arg, actual, types)
		}
		list, _ := arg.([]any)
		if len(subtypes) == 0 || len(list) == 0 && len(subtypes) > 1 {
			continue
		}
		want := subtypes[0]
		if len(subtypes) > 1 {
			// The first element decides which typed array this is.
			want = ""
			for _, st := range subtypes {
				if jpType(list[0]) == st {
					want = st
				}
			}
			if want == "" {
				return c.typeError(name, list[0], c.idx.pyTypeOf(list[0]), types)
			}
		}
		for _, e := range list {
			if jpType(e) != want {
				return c.typeError(name, e, c.idx.pyTypeOf(e), types)
			}
		}
	}
	return nil
}

func (c *jpCaller) typeError(name string, value any, received string, types []string) error {
	quoted := make([]string, len(types))
	for i, t := range types {
		quoted[i] = "'" + t + "'"
	}
	return fmt.Errorf("In function %s(), invalid type for value: %s, expected one of: [%s], received: \"%s\"",
		name, pyStr(c.idx.fromJP(value, 0)), strings.Join(quoted, ", "), received)
}
