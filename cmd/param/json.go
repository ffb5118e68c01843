package param

import (
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// JSON option values are parsed with encoding/json (numbers kept as
// json.Number, objects in their order with a repeated key taking the last
// value at its first position, as Python's dict does). What goes beyond the
// standard library is the error: the AWS CLI prints Python's json.loads
// message ("Expecting ',' delimiter: line 1 column 9 (char 8)"), which names
// what the parser expected where it stopped, counting code points. The
// decoder tells where the last good token ended and this file's parse state
// tells what was expected next; locate finds the offending character from
// there.
//
// Deliberately unlike Python: NaN, Infinity and -Infinity are refused (they
// are not JSON and no KMS member takes a float), and integers of any length
// are kept (Python refuses more than 4300 digits).

// maxJSONDepth is about where Python's recursion limit stops json.loads.
const maxJSONDepth = 990

type jsonError struct {
	msg  string
	pos  int  // byte offset into the document; -1: no position
	bare bool // not a ValueError: the AWS CLI prints the message alone
}

// text is the message with Python's position suffix, in code points.
func (e *jsonError) text(doc string) string {
	if e.pos < 0 {
		return e.msg
	}
	before := doc[:min(e.pos, len(doc))]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return e.msg + ": line " + strconv.Itoa(line) + " column " + strconv.Itoa(col) +
		" (char " + strconv.Itoa(utf8.RuneCountInString(before)) + ")"
}

// decodeJSON parses value as argprocess does for a JSON option value. The
// error is the ParamError "Invalid JSON: <detail>\nJSON received: <value>".
func decodeJSON(param, value string) (any, error) {
	v, jerr := parseJSON(value)
	if jerr == nil {
		return v, nil
	}
	if jerr.bare {
		return nil, bareError(param, jerr.msg)
	}
	return nil, parseError(param, "Invalid JSON: "+jerr.text(value)+"\nJSON received: "+value)
}

// parseState is what the parser expects next.
type parseState int

const (
	expectValue      parseState = iota // a value (document start, after ':' or after ',' in an array)
	expectFirstKey                     // a key or '}' (after '{')
	expectFirstValue                   // a value or ']' (after '[')
	expectKey                          // a key (after ',' in an object)
	expectColon                        // ':' (after a key)
	expectSeparator                    // ',' or the closing bracket, or the end of the document
)

type jsonParser struct {
	src   string
	dec   *json.Decoder
	state parseState
	open  []byte // the brackets of the containers being parsed
	good  int64  // offset after the last token the decoder accepted
}

// parseJSON is json.loads(s) with object_pairs_hook=OrderedDict: objects
// become *object, numbers json.Number.
func parseJSON(s string) (any, *jsonError) {
	if strings.HasPrefix(s, "\ufeff") {
		return nil, &jsonError{msg: "Unexpected UTF-8 BOM (decode using utf-8-sig)", pos: 0}
	}
	p := &jsonParser{src: s, dec: json.NewDecoder(strings.NewReader(s))}
	p.dec.UseNumber()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF { // p.good stays at the document's end
		return nil, p.locate()
	}
	return v, nil
}

// token is the decoder's next token; any failure is reported by the
// caller through locate.
func (p *jsonParser) token() (json.Token, error) {
	tok, err := p.dec.Token()
	if err == nil {
		p.good = p.dec.InputOffset()
	}
	return tok, err
}

func (p *jsonParser) value() (any, *jsonError) {
	tok, err := p.token()
	if err != nil {
		return nil, p.locate()
	}
	return p.valueFrom(tok)
}

func (p *jsonParser) valueFrom(tok json.Token) (any, *jsonError) {
	d, ok := tok.(json.Delim)
	if !ok {
		p.state = expectSeparator
		return tok, nil
	}
	if len(p.open) >= maxJSONDepth {
		kind := "object"
		if d == '[' {
			kind = "array"
		}
		return nil, &jsonError{msg: "maximum recursion depth exceeded while decoding a JSON " + kind +
			" from a unicode string", pos: -1, bare: true}
	}
	p.open = append(p.open, byte(d))
	var v any
	var err *jsonError
	if d == '{' {
		v, err = p.object()
	} else {
		v, err = p.array()
	}
	p.open = p.open[:len(p.open)-1]
	p.state = expectSeparator
	return v, err
}

func (p *jsonParser) object() (any, *jsonError) {
	obj := newObject(true)
	p.state = expectFirstKey
	for {
		tok, err := p.token()
		if err != nil {
			return nil, p.locate()
		}
		key, ok := tok.(string)
		if !ok { // the closing '}': the decoder gives nothing else here
			return obj, nil
		}
		p.state = expectColon
		v, jerr := p.value()
		if jerr != nil {
			return nil, jerr
		}
		obj.set(key, v)
		p.state = expectSeparator
	}
}

func (p *jsonParser) array() (any, *jsonError) {
	arr := []any{}
	p.state = expectFirstValue
	for {
		tok, err := p.token()
		if err != nil {
			return nil, p.locate()
		}
		if d, ok := tok.(json.Delim); ok && d == ']' {
			return arr, nil
		}
		v, jerr := p.valueFrom(tok)
		if jerr != nil {
			return nil, jerr
		}
		arr = append(arr, v)
	}
}

// jsonNumber is the longest prefix Python reads as a number: "1." is the
// number 1 followed by a stray '.'. Compiled on first use: only a refused
// JSON document needs it.
var jsonNumber = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?`)
})

// locate names what Python's parser reports for a document the decoder
// refused: it walks from the end of the last good token, in the state the
// parser was in, to the first character that does not fit.
func (p *jsonParser) locate() *jsonError {
	s := p.src
	ws := func(i int) int {
		for i < len(s) && strings.IndexByte(" \t\n\r", s[i]) >= 0 {
			i++
		}
		return i
	}
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	fail := func(msg string, i int) *jsonError { return &jsonError{msg: msg, pos: i} }
	i, state := ws(int(p.good)), p.state
	for i <= len(s) {
		switch state {
		case expectFirstKey, expectKey:
			if at(i) != '"' {
				return fail("Expecting property name enclosed in double quotes", i)
			}
			end, err := scanString(s, i)
			if err != nil {
				return err
			}
			i, state = ws(end), expectColon
		case expectColon:
			if at(i) != ':' {
				return fail("Expecting ':' delimiter", i)
			}
			i, state = ws(i+1), expectValue
		case expectValue, expectFirstValue:
			switch {
			case at(i) == '"':
				end, err := scanString(s, i)
				if err != nil {
					return err
				}
				i = end
			case strings.HasPrefix(s[i:], "null"), strings.HasPrefix(s[i:], "true"):
				i += 4
			case strings.HasPrefix(s[i:], "false"):
				i += 5
			default:
				n := len(jsonNumber().FindString(s[i:]))
				if n == 0 {
					return fail("Expecting value", i)
				}
				i += n
			}
			i, state = ws(i), expectSeparator
		case expectSeparator:
			if len(p.open) == 0 {
				return fail("Extra data", i)
			}
			if at(i) != ',' {
				return fail("Expecting ',' delimiter", i)
			}
			i, state = ws(i+1), expectValue
			if p.open[len(p.open)-1] == '{' {
				state = expectKey
			}
		}
	}
	return fail("Expecting value", len(s)) // not reached: every step moves i
}

// scanString checks the string starting with the quote at s[i] as Python
// does, returning the offset after its closing quote.
func scanString(s string, i int) (int, *jsonError) {
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return j + 1, nil
		case c < 0x20:
			return 0, &jsonError{msg: "Invalid control character at", pos: j}
		case c == '\\':
			j++
			switch {
			case j == len(s):
				return 0, &jsonError{msg: "Unterminated string starting at", pos: i}
			case s[j] == 'u':
				// Four hex digits, and the string must go on after them.
				if j+5 >= len(s) || !isHex4(s[j+1:j+5]) {
					return 0, &jsonError{msg: `Invalid \uXXXX escape`, pos: j}
				}
				j += 4
			case strings.IndexByte(`"\/bfnrt`, s[j]) < 0:
				return 0, &jsonError{msg: `Invalid \escape`, pos: j - 1}
			}
		}
	}
	return 0, &jsonError{msg: "Unterminated string starting at", pos: i}
}

func isHex4(s string) bool {
	_, err := strconv.ParseUint(s, 16, 16)
	return err == nil && !strings.ContainsAny(s, "+-_")
}
