package format

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the Python value formatting the AWS CLI's renderers rely
// on: str() for text and table cells, repr() for the rare container that
// ends up in a cell, and float repr() shared by JSON, text, table and YAML.

// isScalar mirrors awscli's "not isinstance(x, (list, dict))".
func isScalar(v any) bool {
	switch v.(type) {
	case Object, []any:
		return false
	}
	return true
}

// pyTypeName is type(v).__name__ for a tree value, used in the messages of
// the Python exceptions the CLI's formatters raise on odd data.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case Object:
		return "dict"
	}
	return "object"
}

// pyStr is Python's str(v) for a tree value.
func pyStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// pyRepr is Python's repr(v) for a tree value.
func pyRepr(v any) string {
	var b strings.Builder
	writePyRepr(&b, v)
	return b.String()
}

func writePyRepr(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(pyFloat(x, "inf", "nan"))
	case string:
		writePyStringRepr(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyRepr(b, e)
		}
		b.WriteByte(']')
	case Object:
		b.WriteByte('{')
		for i, f := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyStringRepr(b, f.Name)
			b.WriteString(": ")
			writePyRepr(b, f.Value)
		}
		b.WriteByte('}')
	default:
		b.WriteString("None")
	}
}

// writePyStringRepr quotes s like Python's str.__repr__.
func writePyStringRepr(b *strings.Builder, s string) { b.WriteString(PyStringRepr(s)) }

// PyStringRepr is Python's repr() of a str, which the AWS CLI's messages and
// text output show. Bytes that are not UTF-8 are shown the way Python shows
// argv bytes it could not decode (surrogateescape). Exported because the
// parameter parser's error messages need the same quoting.
func PyStringRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(`\udc` + hex(int(s[i]), 2, false))
			i++
			continue
		}
		i += size
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			b.WriteString(`\x` + hex(int(r), 2, false))
		case r < 0x7f || unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			b.WriteString(`\x` + hex(int(r), 2, false))
		case r <= 0xffff:
			b.WriteString(`\u` + hex(int(r), 4, false))
		default:
			b.WriteString(`\U` + hex(int(r), 8, false))
		}
	}
	b.WriteByte(quote)
	return b.String()
}

func hex(n, width int, upper bool) string {
	s := strconv.FormatInt(int64(n), 16)
	if upper {
		s = strings.ToUpper(s)
	}
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// pyFloat is Python's float repr: the shortest string that round-trips,
// in positional notation when the decimal exponent is in [-4, 16) (with
// ".0" added to integral values) and as d.ddde±XX otherwise. inf and nan
// are the spellings for infinity and not-a-number, which differ per
// format (Python str: inf/nan, json: Infinity/NaN, YAML: .inf/.nan).
func pyFloat(f float64, inf, nan string) string {
	switch {
	case math.IsNaN(f):
		return nan
	case math.IsInf(f, 1):
		return inf
	case math.IsInf(f, -1):
		return "-" + inf
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	x, _ := strconv.Atoi(exp)
	if f != 0 && (x < -4 || x >= 16) {
		return mant + "e" + exp
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}
