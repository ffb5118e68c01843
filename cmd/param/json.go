package param

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
)

// A JSON decoder that behaves like CPython 3.11's json.loads with
// object_pairs_hook=OrderedDict (the C scanner), because the AWS CLI prints
// Python's error text ("Expecting ',' delimiter: line 1 column 9 (char 8)")
// and accepts what Python accepts (NaN, Infinity, duplicate keys: last value
// wins at the first position). Numbers are kept as json.Number; positions
// count code points, as Python does.

// maxJSONDepth approximates the nesting at which Python's recursion limit
// stops the C scanner.
const maxJSONDepth = 990

// maxIntDigits is Python's default int_max_str_digits.
const maxIntDigits = 4300

type jsonError struct {
	msg  string
	pos  int  // code point index; -1: message has no position
	bare bool // not a ValueError: the AWS CLI prints the message alone
}

func (e *jsonError) text(doc []rune) string {
	if e.pos < 0 {
		return e.msg
	}
	line, lastNL := 1, -1
	for i := 0; i < e.pos && i < len(doc); i++ {
		if doc[i] == '\n' {
			line++
			lastNL = i
		}
	}
	return e.msg + ": line " + strconv.Itoa(line) + " column " + strconv.Itoa(e.pos-lastNL) +
		" (char " + strconv.Itoa(e.pos) + ")"
}

// decodeJSON parses value as argprocess does for a JSON option value. The
// error is the ParamError "Invalid JSON: <detail>\nJSON received: <value>".
func decodeJSON(param, value string) (any, error) {
	doc := []rune(value)
	v, jerr := pyJSONLoads(doc)
	if jerr == nil {
		return v, nil
	}
	if jerr.bare {
		return nil, bareError(param, jerr.msg)
	}
	return nil, parseError(param, "Invalid JSON: "+jerr.text(doc)+"\nJSON received: "+value)
}

// pyJSONLoads is json.loads(s).
func pyJSONLoads(s []rune) (any, *jsonError) {
	if len(s) > 0 && s[0] == '\ufeff' {
		return nil, &jsonError{msg: "Unexpected UTF-8 BOM (decode using utf-8-sig)", pos: 0}
	}
	d := &jsonDecoder{s: s}
	v, end, err := d.value(d.skipWS(0), 0)
	if err != nil {
		return nil, err
	}
	if end = d.skipWS(end); end != len(s) {
		return nil, &jsonError{msg: "Extra data", pos: end}
	}
	return v, nil
}

type jsonDecoder struct{ s []rune }

func (d *jsonDecoder) skipWS(i int) int {
	for i < len(d.s) && (d.s[i] == ' ' || d.s[i] == '\t' || d.s[i] == '\n' || d.s[i] == '\r') {
		i++
	}
	return i
}

func (d *jsonDecoder) at(i int) rune {
	if i < len(d.s) {
		return d.s[i]
	}
	return -1
}

func (d *jsonDecoder) hasWord(i int, w string) bool {
	return i+len(w) <= len(d.s) && string(d.s[i:i+len(w)]) == w
}

// expectingValue is the StopIteration scan_once raises; raw_decode turns
// it into this error wherever it happened.
func expectingValue(i int) *jsonError { return &jsonError{msg: "Expecting value", pos: i} }

// value is scan_once: one JSON term starting at i.
func (d *jsonDecoder) value(i, depth int) (any, int, *jsonError) {
	if i >= len(d.s) {
		return nil, i, expectingValue(i)
	}
	switch d.s[i] {
	case '"':
		return d.str(i + 1)
	case '{', '[':
		if depth >= maxJSONDepth {
			kind := "object"
			if d.s[i] == '[' {
				kind = "array"
			}
			return nil, i, &jsonError{msg: "maximum recursion depth exceeded while decoding a JSON " +
				kind + " from a unicode string", pos: -1, bare: true}
		}
		if d.s[i] == '{' {
			return d.object(i+1, depth+1)
		}
		return d.array(i+1, depth+1)
	}
	for _, c := range []struct {
		word string
		v    any
	}{{"null", nil}, {"true", true}, {"false", false},
		{"NaN", json.Number("NaN")}, {"Infinity", json.Number("Infinity")}, {"-Infinity", json.Number("-Infinity")}} {
		if d.hasWord(i, c.word) {
			return c.v, i + len(c.word), nil
		}
	}
	return d.number(i)
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// number is _match_number_unicode.
func (d *jsonDecoder) number(start int) (any, int, *jsonError) {
	i := start
	if d.at(i) == '-' {
		i++
	}
	intStart := i
	switch c := d.at(i); {
	case c >= '1' && c <= '9':
		for i++; isDigit(d.at(i)); i++ {
		}
	case c == '0':
		i++
	default:
		return nil, start, expectingValue(start)
	}
	isFloat := false
	if d.at(i) == '.' && isDigit(d.at(i+1)) {
		isFloat = true
		for i += 2; isDigit(d.at(i)); i++ {
		}
	}
	if (d.at(i) == 'e' || d.at(i) == 'E') && i+1 < len(d.s) {
		eStart := i
		i++
		if (d.at(i) == '-' || d.at(i) == '+') && i+1 < len(d.s) {
			i++
		}
		for isDigit(d.at(i)) {
			i++
		}
		if isDigit(d.s[i-1]) {
			isFloat = true
		} else {
			i = eStart
		}
	}
	if !isFloat && i-intStart > maxIntDigits {
		return nil, i, &jsonError{msg: "Exceeds the limit (" + strconv.Itoa(maxIntDigits) +
			" digits) for integer string conversion: value has " + strconv.Itoa(i-intStart) +
			" digits; use sys.set_int_max_str_digits() to increase the limit", pos: -1}
	}
	return json.Number(string(d.s[start:i])), i, nil
}

// str is scanstring_unicode (strict): end is the index after the opening
// quote.
func (d *jsonDecoder) str(end int) (any, int, *jsonError) {
	begin := end - 1
	var b strings.Builder
	for {
		next := end
		for next < len(d.s) && d.s[next] != '"' && d.s[next] != '\\' {
			if d.s[next] <= 0x1f {
				return nil, next, &jsonError{msg: "Invalid control character at", pos: next}
			}
			next++
		}
		if next >= len(d.s) {
			return nil, next, &jsonError{msg: "Unterminated string starting at", pos: begin}
		}
		b.WriteString(string(d.s[end:next]))
		if d.s[next] == '"' {
			return b.String(), next + 1, nil
		}
		next++ // past the backslash
		if next == len(d.s) {
			return nil, next, &jsonError{msg: "Unterminated string starting at", pos: begin}
		}
		if c := d.s[next]; c != 'u' {
			end = next + 1
			r, ok := simpleEscape(c)
			if !ok {
				return nil, end, &jsonError{msg: `Invalid \escape`, pos: end - 2}
			}
			b.WriteRune(r)
			continue
		}
		next++
		end = next + 4
		if end >= len(d.s) {
			return nil, end, &jsonError{msg: `Invalid \uXXXX escape`, pos: next - 1}
		}
		c, ok := hex4(d.s[next:end])
		if !ok {
			return nil, end, &jsonError{msg: `Invalid \uXXXX escape`, pos: end - 5}
		}
		if utf16.IsSurrogate(c) && c < 0xdc00 && end+6 < len(d.s) && d.s[end] == '\\' && d.s[end+1] == 'u' {
			c2, ok := hex4(d.s[end+2 : end+6])
			if !ok {
				return nil, end, &jsonError{msg: `Invalid \uXXXX escape`, pos: end + 1}
			}
			if c2 >= 0xdc00 && c2 <= 0xdfff {
				c = utf16.DecodeRune(c, c2)
				end += 6
			}
		}
		b.WriteRune(c) // a lone surrogate becomes U+FFFD: Go strings cannot hold it
	}
}

func simpleEscape(c rune) (rune, bool) {
	switch c {
	case '"', '\\', '/':
		return c, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

func hex4(rs []rune) (rune, bool) {
	var v rune
	for _, r := range rs {
		var n rune
		switch {
		case '0' <= r && r <= '9':
			n = r - '0'
		case 'a' <= r && r <= 'f':
			n = r - 'a' + 10
		case 'A' <= r && r <= 'F':
			n = r - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | n
	}
	return v, true
}

// object is _parse_object_unicode: i is the index after '{'.
func (d *jsonDecoder) object(i, depth int) (any, int, *jsonError) {
	obj := newObject(true)
	i = d.skipWS(i)
	if d.at(i) == '}' {
		return obj, i + 1, nil
	}
	for {
		if d.at(i) != '"' {
			return nil, i, &jsonError{msg: "Expecting property name enclosed in double quotes", pos: i}
		}
		key, next, err := d.str(i + 1)
		if err != nil {
			return nil, next, err
		}
		i = d.skipWS(next)
		if d.at(i) != ':' {
			return nil, i, &jsonError{msg: "Expecting ':' delimiter", pos: i}
		}
		v, next, err := d.value(d.skipWS(i+1), depth)
		if err != nil {
			return nil, next, err
		}
		obj.set(key.(string), v)
		i = d.skipWS(next)
		if d.at(i) == '}' {
			return obj, i + 1, nil
		}
		if d.at(i) != ',' {
			return nil, i, &jsonError{msg: "Expecting ',' delimiter", pos: i}
		}
		i = d.skipWS(i + 1)
	}
}

// array is _parse_array_unicode: i is the index after '['.
func (d *jsonDecoder) array(i, depth int) (any, int, *jsonError) {
	arr := []any{}
	i = d.skipWS(i)
	if d.at(i) == ']' {
		return arr, i + 1, nil
	}
	for {
		v, next, err := d.value(i, depth)
		if err != nil {
			return nil, next, err
		}
		arr = append(arr, v)
		i = d.skipWS(next)
		if d.at(i) == ']' {
			return arr, i + 1, nil
		}
		if d.at(i) != ',' {
			return nil, i, &jsonError{msg: "Expecting ',' delimiter", pos: i}
		}
		i = d.skipWS(i + 1)
	}
}
