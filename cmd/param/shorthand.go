package param

import (
	"errors"
	"slices"
	"strings"
)

// Shorthand syntax, as the AWS CLI documents it for users:
//
//	Name=value,Name2=value2           key=value pairs separated by commas
//	Name=a,b,c                        a bare comma-separated list
//	Name=[a,b],Other={k=v,k2=[x]}     explicit lists and nested structures
//	Name='a,b' Name="say \"hi\""      quoted strings; \, escapes a comma
//	Name@=file://doc.txt              "@=" loads file:// and fileb:// values
//
// Whitespace (ASCII) may surround "=", "@", "," and brackets; an unquoted
// value keeps inner spaces and loses trailing ones. Keys use letters,
// digits and -_.#/: only. Positions in error messages count code points,
// so the caret line lines up under the character the user typed.
//
// The design: a scanner owns the input and the position and knows the
// lexical rules (blanks, quoted strings, unquoted words per character
// class, caret rendering); shorthandParser builds values from it. Syntax
// errors carry a position and are rendered once, at the top, into the AWS
// CLI's "Expected: ..., received: ..." text.

// maxShorthandDepth bounds nested [..] and {..}: the AWS CLI gives up near
// this depth with "maximum recursion depth exceeded", and pkms must not let
// hostile input grow its stack without bound.
const maxShorthandDepth = 400

// Shorthand parses AWS CLI shorthand syntax into generic values:
// map[string]any with string / []any / map[string]any values.
func Shorthand(param, value string) (map[string]any, error) {
	obj, err := parseShorthand(param, value)
	if err != nil {
		return nil, err
	}
	return plainMap(obj), nil
}

// parseShorthand parses value keeping key order, reporting failures as
// *Error for param.
func parseShorthand(param, value string) (*object, error) {
	p := &shorthandParser{scanner: scanner{src: []rune(value)}}
	obj, err := p.parameter()
	if err == nil {
		return obj, nil
	}
	var se *syntaxError
	var de *duplicateKeyError
	var fe *fatalError
	switch {
	case errors.As(err, &se):
		return nil, parseError(param, "Expected: '"+se.want+"', received: '"+se.got+
			"' for input:\n"+p.caret(se.at))
	case errors.As(err, &de):
		return nil, parseError(param, `Second instance of key "`+de.key+`" encountered for input:`+"\n"+
			p.caret(de.at)+"\nThis is often because there is a preceding \",\" instead of a space.")
	case errors.As(err, &fe):
		return nil, bareError(param, fe.msg)
	}
	return nil, bareError(param, err.Error())
}

// syntaxError is input that does not fit the grammar at rune index at. An
// unquoted list gives up on its next element only for this kind of error.
type syntaxError struct {
	want, got string
	at        int
}

func (e *syntaxError) Error() string { return "expected " + e.want + ", received " + e.got }

// duplicateKeyError is a top-level key given twice; at is where the caret
// goes.
type duplicateKeyError struct {
	key string
	at  int
}

func (e *duplicateKeyError) Error() string { return "duplicate key " + e.key }

// fatalError ends parsing with a message printed as is, without the
// parameter prefix (a paramfile that cannot be read, nesting too deep).
type fatalError struct{ msg string }

func (e *fatalError) Error() string { return e.msg }

// wordClass is the set of characters an unquoted word may continue with:
// every code point from '!' to U+FFFF except those in stop, plus
// whitespace (inner spaces) when spaces is set. "\," is always allowed and
// stands for a comma.
type wordClass struct {
	stop   string
	spaces bool
}

func (c wordClass) has(r rune) bool {
	if c.spaces && pyIsSpace(r) {
		return true
	}
	return r >= '!' && r <= 0xffff && !strings.ContainsRune(c.stop, r)
}

var (
	// wordStart: the first character of any unquoted word. Quotes start
	// quoted strings, "[" and "{" explicit values, "=" and "," are syntax.
	wordStart = wordClass{stop: `"',=[{`}
	// inBrackets: an element of [..], a value in {..} or the first value
	// after "=": it ends at ",", "]" or "}", and may contain "=".
	inBrackets = wordClass{stop: `"',]}`, spaces: true}
	// listItem: a further element of a bare list (a=b,c): it ends at ","
	// and cannot contain "=", so "a=b,c=d" is two pairs.
	listItem = wordClass{stop: `"',=`, spaces: true}
)

// scanner is the input as code points and the lexical rules over it.
type scanner struct {
	src []rune
	pos int
}

// end is peek's result past the last code point.
const end rune = -1

func (s *scanner) peek() rune {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return end
}

func (s *scanner) done() bool { return s.pos >= len(s.src) }

// skipBlanks skips ASCII whitespace only: other Unicode spaces are value
// characters.
func (s *scanner) skipBlanks() {
	for !s.done() && strings.ContainsRune(" \t\n\r\v\f", s.src[s.pos]) {
		s.pos++
	}
}

// want consumes r or fails naming what was found instead.
func (s *scanner) want(r rune) error {
	switch c := s.peek(); c {
	case r:
		s.pos++
		return nil
	case end:
		return &syntaxError{want: string(r), got: "EOF", at: s.pos}
	default:
		return &syntaxError{want: string(r), got: string(c), at: s.pos}
	}
}

// token consumes r with optional blanks on both sides.
func (s *scanner) token(r rune) error {
	s.skipBlanks()
	if err := s.want(r); err != nil {
		return err
	}
	s.skipBlanks()
	return nil
}

// key consumes a possibly empty run of key characters.
func (s *scanner) key() string {
	start := s.pos
	for !s.done() {
		r := s.src[s.pos]
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.#/:", r)) {
			break
		}
		s.pos++
	}
	return string(s.src[start:s.pos])
}

// word consumes an unquoted word whose first character is in wordStart and
// the rest in follow. It reports false, consuming nothing, when no word
// starts here. Trailing whitespace is not part of the value.
func (s *scanner) word(follow wordClass) (string, bool) {
	var b strings.Builder
	start, class := s.pos, wordStart
	for !s.done() {
		r := s.src[s.pos]
		if r == '\\' && s.pos+1 < len(s.src) && s.src[s.pos+1] == ',' {
			b.WriteByte(',')
			s.pos += 2
		} else if class.has(r) {
			b.WriteRune(r)
			s.pos++
		} else {
			break
		}
		class = follow
	}
	if s.pos == start {
		return "", false
	}
	return pyRStrip(b.String()), true
}

// quoted consumes a string in the quote character at the current
// position. Inside it, \q stands for the quote and \\ for a backslash.
// Without a plain closing quote, the string ends at its last escaped quote,
// whose backslash then belongs to the value.
func (s *scanner) quoted() (string, error) {
	q := s.src[s.pos]
	closing, lastEscaped := -1, -1
	for j := s.pos + 1; j < len(s.src); j++ {
		if s.src[j] == q {
			closing = j
			break
		}
		if s.src[j] == '\\' && j+1 < len(s.src) && s.src[j+1] == q {
			lastEscaped = j
			j++
		}
	}
	if closing < 0 {
		if lastEscaped < 0 {
			name := "<double quoted>"
			if q == '\'' {
				name = "<singled quoted>" // sic: the AWS CLI's spelling
			}
			return "", &syntaxError{want: name, got: "<none>", at: s.pos}
		}
		closing = lastEscaped + 1
	}
	inner := string(s.src[s.pos+1 : closing])
	s.pos = closing + 1
	inner = strings.ReplaceAll(inner, `\`+string(q), string(q))
	return strings.ReplaceAll(inner, `\\`, `\`), nil
}

// caret renders the input with a line holding "^" under rune index at,
// inserted after the input line that contains it.
func (s *scanner) caret(at int) string {
	lineStart := lastIndex(s.src[:at], '\n') + 1
	lineEnd := len(s.src)
	if i := slices.Index(s.src[at:], '\n'); i >= 0 {
		lineEnd = at + i
	}
	return string(s.src[:lineEnd]) + "\n" + strings.Repeat(" ", at-lineStart) + "^" + string(s.src[lineEnd:])
}

// shorthandParser builds values from the scanner's tokens.
type shorthandParser struct {
	scanner
	depth int
	// load: the most recent assignment was "@=", so values read now are
	// file:// / fileb:// references to load.
	load bool
}

// parameter is the whole input: pairs separated by commas, keys unique.
func (p *shorthandParser) parameter() (*object, error) {
	obj := newObject(false)
	key, val, err := p.pair()
	if err != nil {
		return nil, err
	}
	obj.set(key, val)
	for !p.done() {
		after := p.pos
		if err := p.token(','); err != nil {
			return nil, err
		}
		if key, val, err = p.pair(); err != nil {
			return nil, err
		}
		if obj.has(key) {
			return nil, &duplicateKeyError{key: key, at: after + 1}
		}
		obj.set(key, val)
	}
	return obj, nil
}

// pair is key ["@"] "=" value at the top level, where a bare value may be
// a comma-separated list.
func (p *shorthandParser) pair() (string, any, error) {
	key := p.key()
	if err := p.assign(); err != nil {
		return "", nil, err
	}
	if c := p.peek(); c == '[' || c == '{' {
		v, err := p.element()
		return key, v, err
	}
	v, err := p.bareList()
	return key, v, err
}

// assign consumes "=" or "@=" and records which one it was.
func (p *shorthandParser) assign() error {
	p.skipBlanks()
	p.load = p.peek() == '@'
	if p.load {
		p.pos++
	}
	return p.token('=')
}

// bareList is a value, or several separated by commas. An element that
// does not parse (typically "c=d": the next pair's key) ends the list just
// before the comma that precedes it.
func (p *shorthandParser) bareList() (any, error) {
	first, err := p.scalar(inBrackets, true)
	if err != nil {
		return nil, err
	}
	p.skipBlanks()
	if p.peek() != ',' {
		return first, nil
	}
	p.pos++
	p.skipBlanks()
	items := []any{first}
	for {
		v, err := p.scalar(listItem, false)
		if err == nil {
			if p.skipBlanks(); p.done() {
				items = append(items, v)
				break
			}
			if err = p.token(','); err == nil {
				items = append(items, v)
				continue
			}
		}
		var se *syntaxError
		if !errors.As(err, &se) || p.done() {
			return nil, err
		}
		p.pos = lastIndex(p.src[:p.pos+1], ',')
		break
	}
	if len(items) == 1 {
		return first, nil
	}
	return items, nil
}

// element is a value inside [..] or {..} (or an explicit one at the top):
// a nested list, a nested structure or a single scalar.
func (p *shorthandParser) element() (any, error) {
	switch p.peek() {
	case '[':
		list := []any{}
		err := p.bracketed('[', ']', func() error {
			v, err := p.element()
			list = append(list, v)
			return err
		})
		return list, err
	case '{':
		obj := newObject(false)
		err := p.bracketed('{', '}', func() error {
			key := p.key()
			if err := p.assign(); err != nil {
				return err
			}
			v, err := p.element()
			obj.set(key, v)
			return err
		})
		return obj, err
	}
	return p.scalar(inBrackets, true)
}

// bracketed parses open item ("," item)* [","] close, calling item for
// each item.
func (p *shorthandParser) bracketed(open, close rune, item func() error) error {
	if p.depth++; p.depth > maxShorthandDepth {
		return &fatalError{msg: "maximum recursion depth exceeded"}
	}
	defer func() { p.depth-- }()
	if err := p.token(open); err != nil {
		return err
	}
	for p.peek() != close {
		if err := item(); err != nil {
			return err
		}
		if p.skipBlanks(); p.peek() == close {
			break
		}
		if err := p.want(','); err != nil {
			return err
		}
		p.skipBlanks()
	}
	p.pos++
	return nil
}

// scalar is a quoted string or an unquoted word of class follow. With
// optional set, nothing at all is the empty string; otherwise it is a
// syntax error. After "@=" the value may name a file to load.
func (p *shorthandParser) scalar(follow wordClass, optional bool) (string, error) {
	var s string
	if c := p.peek(); c == '\'' || c == '"' {
		var err error
		if s, err = p.quoted(); err != nil {
			return "", err
		}
	} else {
		var ok bool
		if s, ok = p.word(follow); !ok {
			if optional {
				return "", nil
			}
			return "", &syntaxError{want: "<second>", got: "<none>", at: p.pos}
		}
	}
	if !p.load {
		return s, nil
	}
	data, _, loaded, msg := loadParamfile(s)
	if msg != "" {
		return "", &fatalError{msg: msg}
	}
	if loaded {
		return string(data), nil
	}
	return s, nil
}

// lastIndex is the index of the last r in rs, or -1.
func lastIndex(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}
