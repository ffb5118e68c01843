package param

import (
	"github.com/pocketkms/pkms/format"

	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Parsers build values in an internal form that keeps what Python keeps and
// Go maps lose: key order, and whether a mapping came from JSON
// (collections.OrderedDict) or shorthand (dict). Error messages need both.
// The public API converts to plain Go values with plain().
//
// Internal values: string, json.Number, bool, nil, []any, *object.

// object is an insertion-ordered mapping (a Python dict or OrderedDict).
type object struct {
	keys    []string
	vals    map[string]any
	ordered bool // decoded from JSON with object_pairs_hook=OrderedDict
}

func newObject(ordered bool) *object {
	return &object{vals: map[string]any{}, ordered: ordered}
}

// set stores v under k; like a Python dict, a repeated key keeps its first
// position and takes the last value.
func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) has(k string) bool {
	_, ok := o.vals[k]
	return ok
}

// plain converts an internal value to the public form: map[string]any,
// []any, string, json.Number, bool or nil.
func plain(v any) any {
	switch t := v.(type) {
	case *object:
		return plainMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

func plainMap(o *object) map[string]any {
	m := make(map[string]any, len(o.keys))
	for _, k := range o.keys {
		m[k] = plain(o.vals[k])
	}
	return m
}

// isFloat reports whether Python's json would decode n as a float.
func isFloat(n json.Number) bool {
	return strings.ContainsAny(string(n), ".eE")
}

// pyTypeName is str(type(v)) for the Python equivalent of v.
func pyTypeName(v any) string {
	name := "str"
	switch t := v.(type) {
	case json.Number:
		name = "int"
		if isFloat(t) {
			name = "float"
		}
	case bool:
		name = "bool"
	case nil:
		name = "NoneType"
	case []any:
		name = "list"
	case *object:
		name = "dict"
		if t.ordered {
			name = "collections.OrderedDict"
		}
	}
	return "<class '" + name + "'>"
}

// pyRepr is repr(v) for the Python equivalent of v (Python 3.11).
func pyRepr(v any) string {
	switch t := v.(type) {
	case string:
		return pyReprStr(t)
	case json.Number:
		return pyReprNumber(t)
	case bool:
		if t {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *object:
		parts := make([]string, len(t.keys))
		for i, k := range t.keys {
			if t.ordered {
				parts[i] = "(" + pyReprStr(k) + ", " + pyRepr(t.vals[k]) + ")"
			} else {
				parts[i] = pyReprStr(k) + ": " + pyRepr(t.vals[k])
			}
		}
		switch {
		case !t.ordered:
			return "{" + strings.Join(parts, ", ") + "}"
		case len(parts) == 0:
			return "OrderedDict()"
		default:
			return "OrderedDict([" + strings.Join(parts, ", ") + "])"
		}
	}
	return "<?>"
}

// pyReprStr is Python's repr() of a str.
func pyReprStr(s string) string { return format.PyStringRepr(s) }

// pyReprNumber is repr() of the int or float Python's json makes of n.
func pyReprNumber(n json.Number) string {
	s := string(n)
	if !isFloat(n) {
		if strings.Trim(s, "-0") == "" {
			return "0" // int("-0")
		}
		return s
	}
	f, _ := strconv.ParseFloat(s, 64) // overflow gives ±Inf, like float()
	return pyReprFloat(f)
}

// pyReprFloat is Python's repr(float): shortest round-trip digits, fixed
// notation for decimal exponents -4..15, otherwise d.ddde±XX.
func pyReprFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64) // e.g. -1.5e+07
	mant, expText, _ := strings.Cut(sci, "e")
	exp, _ := strconv.Atoi(expText)
	if exp >= -4 && exp < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	sign := "+"
	if exp < 0 {
		sign, exp = "-", -exp
	}
	e := strconv.Itoa(exp)
	if len(e) < 2 {
		e = "0" + e
	}
	return mant + "e" + sign + e
}
