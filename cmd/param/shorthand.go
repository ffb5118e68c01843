package param

import "strings"

// A port of awscli/shorthand.py's ShorthandParser (AWS CLI 1.45 / v2):
//
//	parameter  = keyval *("," keyval)
//	keyval     = key ["@"] "=" [values]          ; "@=" loads file:// / fileb:// values
//	key        = 1*[A-Za-z0-9-_.#/:]
//	values     = csv-list / explicit-list / hash-literal
//	csv-list   = first-value *("," second-value) ; one element: a scalar
//	explicit-list = "[" [explicit-value *("," explicit-value)] "]"
//	hash-literal  = "{" [key "=" explicit-value *("," key "=" explicit-value)] "}"
//
// Indexes count code points, like Python's str, so caret lines line up with
// what the AWS CLI prints.

// maxShorthandDepth approximates where Python's recursion limit stops the
// recursive-descent parser on nested [..] and {..}.
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

// parseShorthand is ShorthandParser().parse(value) keeping key order.
func parseShorthand(param, value string) (*object, error) {
	p := &shParser{in: []rune(value)}
	obj, err := p.parameter()
	if err != nil {
		if err.bare {
			return nil, bareError(param, err.msg)
		}
		return nil, parseError(param, err.msg)
	}
	return obj, nil
}

// shError is a shorthand failure. syntax marks ShorthandParseSyntaxError,
// the only kind a csv list backtracks on; bare errors (paramfile, recursion)
// escape the AWS CLI's ParamError wrapping.
type shError struct {
	msg    string
	syntax bool
	bare   bool
}

type shParser struct {
	in      []rune
	i       int
	resolve bool // _should_resolve_paramfiles: the current key used "@="
	depth   int
}

const eof = -1

func (p *shParser) cur() rune {
	if p.i < len(p.in) {
		return p.in[p.i]
	}
	return eof
}

func (p *shParser) atEOF() bool { return p.i >= len(p.in) }

// consumeWS skips string.whitespace (ASCII only, unlike `\s`).
func (p *shParser) consumeWS() {
	for !p.atEOF() && strings.ContainsRune(" \t\n\r\v\f", p.in[p.i]) {
		p.i++
	}
}

// location is ShorthandParseError._error_location: the input with a caret
// line under index, inserted after the line that contains index.
func (p *shParser) location(index int) string {
	consumed, remaining, spaces := p.in, []rune(nil), index
	for j := index - 1; j >= 0; j-- {
		if p.in[j] == '\n' {
			spaces = index - j - 1
			break
		}
	}
	for j := index; j < len(p.in); j++ {
		if p.in[j] == '\n' {
			consumed, remaining = p.in[:j], p.in[j:]
			break
		}
	}
	return string(consumed) + "\n" + strings.Repeat(" ", spaces) + "^" + string(remaining)
}

func (p *shParser) syntaxError(expected, actual string, index int) *shError {
	return &shError{syntax: true, msg: "Expected: '" + expected + "', received: '" + actual +
		"' for input:\n" + p.location(index)}
}

func (p *shParser) expect(c rune, consumeWS bool) *shError {
	if consumeWS {
		p.consumeWS()
	}
	if p.atEOF() {
		return p.syntaxError(string(c), "EOF", p.i)
	}
	if p.in[p.i] != c {
		return p.syntaxError(string(c), string(p.in[p.i]), p.i)
	}
	p.i++
	if consumeWS {
		p.consumeWS()
	}
	return nil
}

func (p *shParser) parameter() (*object, *shError) {
	params := newObject(false)
	key, val, err := p.keyval()
	if err != nil {
		return nil, err
	}
	params.set(key, val)
	last := p.i
	for p.i < len(p.in) {
		if err := p.expect(',', true); err != nil {
			return nil, err
		}
		if key, val, err = p.keyval(); err != nil {
			return nil, err
		}
		if params.has(key) {
			return nil, &shError{msg: `Second instance of key "` + key + `" encountered for input:` + "\n" +
				p.location(last+1) + "\nThis is often because there is a preceding \",\" instead of a space."}
		}
		params.set(key, val)
		last = p.i
	}
	return params, nil
}

// assignment parses `"@"? "="` after a key, recording whether the value is
// to be loaded from a paramfile.
func (p *shParser) assignment() *shError {
	p.resolve = p.expect('@', true) == nil
	return p.expect('=', true)
}

func (p *shParser) keyval() (string, any, *shError) {
	key := p.key()
	if err := p.assignment(); err != nil {
		return "", nil, err
	}
	val, err := p.values()
	return key, val, err
}

func isKeyChar(r rune) bool {
	return ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') ||
		strings.ContainsRune("-_.#/:", r)
}

func (p *shParser) key() string {
	start := p.i
	for !p.atEOF() && isKeyChar(p.in[p.i]) {
		p.i++
	}
	return string(p.in[start:p.i])
}

func (p *shParser) values() (any, *shError) {
	switch p.cur() {
	case eof:
		return "", nil
	case '[':
		return p.explicitList()
	case '{':
		return p.hashLiteral()
	}
	return p.csvValue()
}

// csvValue parses `b` or `b,c,...`; a following `key=` ends the list.
func (p *shParser) csvValue() (any, *shError) {
	first, err := p.firstValue()
	if err != nil {
		return nil, err
	}
	p.consumeWS()
	if p.cur() != ',' {
		return first, nil
	}
	p.i++
	p.consumeWS()
	list := []any{first}
	for {
		v, err := p.secondValue()
		if err == nil {
			p.consumeWS()
			if p.atEOF() {
				list = append(list, v)
				break
			}
			if err = p.expect(',', true); err == nil {
				list = append(list, v)
				continue
			}
		}
		if !err.syntax || p.atEOF() {
			return nil, err
		}
		// a=b,c=d: "c" was the next key, not a list element.
		p.backtrackTo(',')
		break
	}
	if len(list) == 1 {
		return first, nil
	}
	return list, nil
}

func (p *shParser) backtrackTo(c rune) {
	for p.i >= 0 && (p.i >= len(p.in) || p.in[p.i] != c) {
		p.i--
	}
	p.i = max(p.i, 0)
}

func (p *shParser) nest() *shError {
	if p.depth++; p.depth > maxShorthandDepth {
		return &shError{msg: "maximum recursion depth exceeded", bare: true}
	}
	return nil
}

func (p *shParser) explicitList() (any, *shError) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if err := p.expect('[', true); err != nil {
		return nil, err
	}
	values := []any{}
	for p.cur() != ']' {
		v, err := p.explicitValue()
		if err != nil {
			return nil, err
		}
		values = append(values, v)
		if err := p.separator(']'); err != nil {
			return nil, err
		}
	}
	p.i++
	return values, nil
}

func (p *shParser) hashLiteral() (any, *shError) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if err := p.expect('{', true); err != nil {
		return nil, err
	}
	obj := newObject(false)
	for p.cur() != '}' {
		key := p.key()
		if err := p.assignment(); err != nil {
			return nil, err
		}
		v, err := p.explicitValue()
		if err != nil {
			return nil, err
		}
		if err := p.separator('}'); err != nil {
			return nil, err
		}
		obj.set(key, v)
	}
	p.i++
	return obj, nil
}

// separator consumes the "," between elements of a [..] or {..} unless the
// closing character comes next.
func (p *shParser) separator(closing rune) *shError {
	p.consumeWS()
	if p.cur() == closing {
		return nil
	}
	if err := p.expect(',', false); err != nil {
		return err
	}
	p.consumeWS()
	return nil
}

func (p *shParser) explicitValue() (any, *shError) {
	switch p.cur() {
	case '[':
		return p.explicitList()
	case '{':
		return p.hashLiteral()
	}
	return p.firstValue()
}

func (p *shParser) firstValue() (any, *shError) {
	if q := p.cur(); q == '\'' || q == '"' {
		return p.quoted(q)
	}
	end := p.matchWord(isFirstFollow)
	if end < 0 {
		return "", nil
	}
	return p.word(end)
}

func (p *shParser) secondValue() (any, *shError) {
	if q := p.cur(); q == '\'' || q == '"' {
		return p.quoted(q)
	}
	end := p.matchWord(isSecondFollow)
	if end < 0 {
		return nil, p.syntaxError("<second>", "<none>", p.i)
	}
	return p.word(end)
}

// word consumes an unquoted value ending at end: `\,` is a comma and
// trailing whitespace is dropped.
func (p *shParser) word(end int) (any, *shError) {
	s := strings.ReplaceAll(string(p.in[p.i:end]), `\,`, ",")
	p.i = end
	return p.resolveParamfile(pyRStrip(s))
}

// quoted matches `'(?:\\'|[^'])*'` (or the "..." form) with Python's
// backtracking: when no plain closing quote follows, the match ends at the
// last escaped quote.
func (p *shParser) quoted(q rune) (any, *shError) {
	j, lastEscaped := p.i+1, -1
	for j < len(p.in) && p.in[j] != q {
		if p.in[j] == '\\' && j+1 < len(p.in) && p.in[j+1] == q {
			lastEscaped = j
			j += 2
			continue
		}
		j++
	}
	switch {
	case j < len(p.in):
		j++
	case lastEscaped >= 0:
		j = lastEscaped + 2
	default:
		name := "<double quoted>"
		if q == '\'' {
			name = "<singled quoted>" // sic, as awscli names it
		}
		return nil, p.syntaxError(name, "<none>", p.i)
	}
	inner := string(p.in[p.i+1 : j-1])
	p.i = j
	inner = strings.ReplaceAll(inner, `\`+string(q), string(q))
	return p.resolveParamfile(strings.ReplaceAll(inner, `\\`, `\`))
}

func (p *shParser) resolveParamfile(s string) (any, *shError) {
	if !p.resolve {
		return s, nil
	}
	data, _, loaded, msg := loadParamfile(s)
	if msg != "" {
		return nil, &shError{msg: msg, bare: true}
	}
	if loaded {
		return string(data), nil
	}
	return s, nil
}

// matchWord matches `(\\,|[start-class])(\\,|[follow])*` at the current
// index and returns the end index, or -1 when nothing matches.
func (p *shParser) matchWord(follow func(rune) bool) int {
	j := p.i
	step := func(class func(rune) bool) bool {
		switch {
		case j >= len(p.in):
			return false
		case p.in[j] == '\\' && j+1 < len(p.in) && p.in[j+1] == ',':
			j += 2
		case class(p.in[j]):
			j++
		default:
			return false
		}
		return true
	}
	if !step(isStartWord) {
		return -1
	}
	for step(follow) {
	}
	return j
}

// The character classes of _START_WORD, _FIRST_FOLLOW_CHARS and
// _SECOND_FOLLOW_CHARS. Characters above U+FFFF match none of them.
func isStartWord(r rune) bool {
	return r == '!' || between(r, '#', '&') || between(r, '(', '+') || between(r, '-', '<') || between(r, '>', 'Z') ||
		between(r, '\\', 'z') || between(r, '|', 0xffff)
}

func isFirstFollow(r rune) bool {
	return pyIsSpace(r) || r == '!' || between(r, '#', '&') || between(r, '(', '+') || between(r, '-', '\\') ||
		between(r, '^', '|') || between(r, '~', 0xffff)
}

func isSecondFollow(r rune) bool {
	return pyIsSpace(r) || r == '!' || between(r, '#', '&') || between(r, '(', '+') || between(r, '-', '<') ||
		between(r, '>', 0xffff)
}

func between(r, lo, hi rune) bool { return lo <= r && r <= hi }
