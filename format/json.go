package format

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// jsonIndent is json.dump's indent=4.
const jsonIndent = "    "

// appendJSON appends v as Python's json.dump(v, indent=4,
// ensure_ascii=False) writes it, without the trailing newline.
func appendJSON(dst []byte, v any, level int) []byte {
	switch x := v.(type) {
	case Object:
		if len(x) == 0 {
			return append(dst, "{}"...)
		}
		dst = append(dst, '{')
		for i, f := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendNewlineIndent(dst, level+1)
			dst = appendJSONString(dst, f.Name)
			dst = append(dst, ": "...)
			dst = appendJSON(dst, f.Value, level+1)
		}
		dst = appendNewlineIndent(dst, level)
		return append(dst, '}')
	case []any:
		if len(x) == 0 {
			return append(dst, "[]"...)
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendNewlineIndent(dst, level+1)
			dst = appendJSON(dst, e, level+1)
		}
		dst = appendNewlineIndent(dst, level)
		return append(dst, ']')
	case string:
		return appendJSONString(dst, x)
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			// Python's json.dump would write NaN or Infinity, which no JSON
			// parser accepts; a script piping the output into jq or an SDK
			// must always get JSON, so a non-finite number is null.
			return append(dst, "null"...)
		}
		return append(dst, pyFloat(x, "Infinity", "NaN")...)
	}
	return append(dst, "null"...)
}

func appendNewlineIndent(dst []byte, level int) []byte {
	dst = append(dst, '\n')
	for i := 0; i < level; i++ {
		dst = append(dst, jsonIndent...)
	}
	return dst
}

// appendJSONString appends s as a JSON string the way Python's json module
// does with ensure_ascii=False: only '"', '\\' and the C0 controls are
// escaped (\b \f \n \r \t by name, the rest as \u00xx); everything else,
// including '/', '<', '>', '&', DEL and U+2028/U+2029, is written raw.
// Invalid UTF-8 bytes, which a Python str cannot hold, become U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, `\"`...)
		case '\\':
			dst = append(dst, `\\`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		case '\b':
			dst = append(dst, `\b`...)
		case '\f':
			dst = append(dst, `\f`...)
		default:
			dst = append(dst, `\u00`...)
			dst = append(dst, hex(int(c), 2, false)...)
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// renderJSON is the json output: the document plus a newline.
func renderJSON(v any) []byte {
	return append(appendJSON(nil, v, 0), '\n')
}
