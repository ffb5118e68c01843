package format

import (
	"regexp"
	"strconv"
	"sync"
)

// YAML output is what AWS CLI v2 prints with ruamel.yaml's safe dumper,
// whose emitter is libyaml (ruamel.yaml.clib) with the YAML 1.2 implicit
// resolvers: keys sorted, block style, 2-space indent, sequences inside a
// mapping not indented, empty collections as [] and {}, scalars folded at
// 80 columns. The emitter below ports the parts of libyaml's emitter.c that
// such documents reach (block collections, empty flow collections, plain,
// single- and double-quoted scalars); routine names follow emitter.c.
//
// Not reproduced: ruamel emits an anchor (&id001) and aliases when the same
// Python object occurs twice in a result, which a query such as
// "[KeyMetadata, KeyMetadata]" can produce; this emitter repeats the value.

const (
	yamlBestIndent = 2
	yamlBestWidth  = 80
)

// renderYAML is the yaml output. A scalar result is printed as JSON, as AWS
// CLI v2 does; stream wraps the result in a one-element list (yaml-stream).
func renderYAML(v any, stream bool) []byte {
	if stream {
		v = []any{v}
	}
	if isScalar(v) {
		return renderJSON(v)
	}
	e := &yamlEmitter{indent: -1, whitespace: true, indention: true}
	e.node(v, false, false)
	e.writeIndent() // document end
	return e.out
}

type yamlEmitter struct {
	out        []byte
	column     int
	indent     int
	indents    []int
	whitespace bool // the last character written was whitespace
	indention  bool // only indentation has been written on this line

	mappingContext   bool
	simpleKeyContext bool
}

func (e *yamlEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	if e.indent < 0 {
		if flow {
			e.indent = yamlBestIndent
		} else {
			e.indent = 0
		}
	} else if !indentless {
		e.indent += yamlBestIndent
	}
}

func (e *yamlEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

func (e *yamlEmitter) put(r rune) {
	e.out = append(e.out, string(r)...)
	e.column++
}

func (e *yamlEmitter) putString(s string) {
	for _, r := range s {
		e.put(r)
	}
}

func (e *yamlEmitter) putBreak() {
	e.out = append(e.out, '\n')
	e.column = 0
}

func (e *yamlEmitter) writeBreak(r rune) {
	if r == '\n' {
		e.putBreak()
		return
	}
	e.out = append(e.out, string(r)...)
	e.column = 0
}

func (e *yamlEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.putBreak()
	}
	for e.column < indent {
		e.put(' ')
	}
	e.whitespace = true
	e.indention = true
}

func (e *yamlEmitter) writeIndicator(indicator string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.put(' ')
	}
	e.putString(indicator)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

// node is yaml_emitter_emit_node for a tree value.
func (e *yamlEmitter) node(v any, mapping, simpleKey bool) {
	e.mappingContext, e.simpleKeyContext = mapping, simpleKey
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			e.emptyFlow("[", "]")
			return
		}
		e.increaseIndent(false, e.mappingContext && !e.indention)
		for _, item := range x {
			e.writeIndent()
			e.writeIndicator("-", true, false, true)
			e.node(item, false, false)
		}
		e.popIndent()
	case Object:
		if len(x) == 0 {
			e.emptyFlow("{", "}")
			return
		}
		e.increaseIndent(false, false)
		for _, f := range sortedFields(x) {
			e.writeIndent()
			key := analyzeScalar([]rune(f.Name))
			if !key.multiline && len(f.Name) <= 128 {
				e.node(f.Name, true, true)
				e.writeIndicator(":", false, false, false)
			} else {
				e.writeIndicator("?", true, false, true)
				e.node(f.Name, true, false)
				e.writeIndent()
				e.writeIndicator(":", true, false, true)
			}
			e.node(f.Value, true, false)
		}
		e.popIndent()
	case string:
		e.scalar(x, !yamlImplicitlyTyped(x))
	default:
		e.scalar(yamlScalarText(v), true)
	}
}

// emptyFlow writes an empty collection in flow style, as libyaml does for
// every empty sequence or mapping.
func (e *yamlEmitter) emptyFlow(open, close string) {
	e.writeIndicator(open, true, true, false)
	e.writeIndicator(close, false, false, false)
}

// yamlScalarText is ruamel's SafeRepresenter text for non-string scalars.
func yamlScalarText(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return pyFloat(x, ".inf", ".nan")
	}
	return "null"
}

type scalarStyle int

const (
	stylePlain scalarStyle = iota
	styleSingle
	styleDouble
)

// scalar is yaml_emitter_emit_scalar: choose the style, then write.
// plainImplicit is false when a plain scalar would read back as another
// type (the serializer's implicit[0]).
func (e *yamlEmitter) scalar(text string, plainImplicit bool) {
	rs := []rune(text)
	a := analyzeScalar(rs)
	style := stylePlain
	if e.simpleKeyContext && a.multiline {
		style = styleDouble
	}
	if style == stylePlain {
		// Scalars only occur in block context here (flow level 0).
		if !a.blockPlainAllowed {
			style = styleSingle
		}
		if len(rs) == 0 && e.simpleKeyContext {
			style = styleSingle
		}
		if !plainImplicit {
			style = styleSingle
		}
	}
	if style == styleSingle && !a.singleQuotedAllowed {
		style = styleDouble
	}

	e.increaseIndent(true, false)
	allowBreaks := !e.simpleKeyContext
	switch style {
	case stylePlain:
		e.writePlain(rs, allowBreaks)
	case styleSingle:
		e.writeSingleQuoted(rs, allowBreaks)
	default:
		e.writeDoubleQuoted(rs, allowBreaks)
	}
	e.popIndent()
}

func (e *yamlEmitter) writePlain(rs []rune, allowBreaks bool) {
	if !e.whitespace && len(rs) > 0 {
		e.put(' ')
	}
	spaces, breaks := false, false
	for i, r := range rs {
		switch {
		case r == ' ':
			if allowBreaks && !spaces && e.column > yamlBestWidth && !spaceAt(rs, i+1) {
				e.writeIndent()
			} else {
				e.put(r)
			}
			spaces = true
		case isYAMLBreak(r):
			if !breaks && r == '\n' {
				e.putBreak()
			}
			e.writeBreak(r)
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			e.put(r)
			e.indention = false
			spaces, breaks = false, false
		}
	}
	e.whitespace = false
	e.indention = false
}

func (e *yamlEmitter) writeSingleQuoted(rs []rune, allowBreaks bool) {
	e.writeIndicator("'", true, false, false)
	spaces, breaks := false, false
	for i, r := range rs {
		switch {
		case r == ' ':
			if allowBreaks && !spaces && e.column > yamlBestWidth && i != 0 && i != len(rs)-1 && !spaceAt(rs, i+1) {
				e.writeIndent()
			} else {
				e.put(r)
			}
			spaces = true
		case isYAMLBreak(r):
			if !breaks && r == '\n' {
				e.putBreak()
			}
			e.writeBreak(r)
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			if r == '\'' {
				e.put('\'')
			}
			e.put(r)
			e.indention = false
			spaces, breaks = false, false
		}
	}
	if breaks {
		e.writeIndent()
	}
	e.writeIndicator("'", false, false, false)
	e.whitespace = false
	e.indention = false
}

// yamlEscapes are libyaml's named double-quoted escapes.
var yamlEscapes = map[rune]string{
	0x00: `\0`, 0x07: `\a`, 0x08: `\b`, 0x09: `\t`, 0x0A: `\n`, 0x0B: `\v`,
	0x0C: `\f`, 0x0D: `\r`, 0x1B: `\e`, '"': `\"`, '\\': `\\`, 0x85: `\N`,
	0xA0: `\_`, 0x2028: `\L`, 0x2029: `\P`,
}

func (e *yamlEmitter) writeDoubleQuoted(rs []rune, allowBreaks bool) {
	e.writeIndicator(`"`, true, false, false)
	spaces := false
	for i, r := range rs {
		switch {
		case !yamlPrintable(r) || r == 0xFEFF || isYAMLBreak(r) || r == '"' || r == '\\':
			esc, ok := yamlEscapes[r]
			if !ok {
				switch {
				case r <= 0xFF:
					esc = `\x` + hex(int(r), 2, true)
				case r <= 0xFFFF:
					esc = `\u` + hex(int(r), 4, true)
				default:
					esc = `\U` + hex(int(r), 8, true)
				}
			}
			e.putString(esc)
			spaces = false
		case r == ' ':
			if allowBreaks && !spaces && e.column > yamlBestWidth && i != 0 && i != len(rs)-1 {
				e.writeIndent()
				if spaceAt(rs, i+1) {
					e.put('\\')
				}
			} else {
				e.put(r)
			}
			spaces = true
		default:
			e.put(r)
			spaces = false
		}
	}
	e.writeIndicator(`"`, false, false, false)
	e.whitespace = false
	e.indention = false
}

func spaceAt(rs []rune, i int) bool { return i < len(rs) && rs[i] == ' ' }

func isYAMLBreak(r rune) bool {
	return r == '\r' || r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029
}

// isYAMLBlankZ is libyaml's IS_BLANKZ: blank, break, or end of string.
func isYAMLBlankZ(rs []rune, i int) bool {
	if i >= len(rs) {
		return true
	}
	r := rs[i]
	return r == ' ' || r == '\t' || r == 0 || isYAMLBreak(r)
}

// yamlPrintable is libyaml's IS_PRINTABLE (BMP only: anything above
// U+FFFF is escaped, as libyaml does).
func yamlPrintable(r rune) bool {
	return r == 0x0A || (r >= 0x20 && r <= 0x7E) || (r >= 0xA0 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF)
}

type scalarAnalysis struct {
	multiline           bool
	blockPlainAllowed   bool
	singleQuotedAllowed bool
}

// analyzeScalar is yaml_emitter_analyze_scalar (allow_unicode on), reduced
// to what block context needs: the flow-indicator and flow-plain results
// are dropped because flow collections here are always empty.
func analyzeScalar(rs []rune) scalarAnalysis {
	if len(rs) == 0 {
		return scalarAnalysis{blockPlainAllowed: true, singleQuotedAllowed: true}
	}
	var blockIndicators, lineBreaks, special bool
	var leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	var previousSpace, previousBreak bool

	if len(rs) >= 3 && ((rs[0] == '-' && rs[1] == '-' && rs[2] == '-') || (rs[0] == '.' && rs[1] == '.' && rs[2] == '.')) {
		blockIndicators = true
	}
	precededByWhitespace := true
	followedByWhitespace := isYAMLBlankZ(rs, 1)
	last := len(rs) - 1
	for i, r := range rs {
		if i == 0 {
			switch r {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				blockIndicators = true
			case '?', ':', '-':
				blockIndicators = blockIndicators || followedByWhitespace
			}
		} else {
			switch r {
			case ':':
				blockIndicators = blockIndicators || followedByWhitespace
			case '#':
				blockIndicators = blockIndicators || precededByWhitespace
			}
		}
		if !yamlPrintable(r) {
			special = true
		}
		switch {
		case r == ' ':
			leadingSpace = leadingSpace || i == 0
			trailingSpace = trailingSpace || i == last
			breakSpace = breakSpace || previousBreak
			previousSpace, previousBreak = true, false
		case isYAMLBreak(r):
			lineBreaks = true
			leadingBreak = leadingBreak || i == 0
			trailingBreak = trailingBreak || i == last
			spaceBreak = spaceBreak || previousSpace
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWhitespace = isYAMLBlankZ(rs, i)
		followedByWhitespace = isYAMLBlankZ(rs, i+2)
	}

	a := scalarAnalysis{multiline: lineBreaks, blockPlainAllowed: true, singleQuotedAllowed: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak || lineBreaks || blockIndicators {
		a.blockPlainAllowed = false
	}
	if breakSpace || spaceBreak || special {
		a.blockPlainAllowed, a.singleQuotedAllowed = false, false
	}
	return a
}

// yamlImplicit are ruamel.yaml's YAML 1.2 implicit resolvers (resolver.py):
// a plain scalar matching one of them would not read back as a string.
// Compiled on first use: most commands never print YAML, and start-up time
// is what a script calling pkms hundreds of times pays.
var yamlImplicit = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`^(?:true|True|TRUE|false|False|FALSE)$`),
		regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`),
		regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$`),
		regexp.MustCompile(`^(?:<<)$`),
		regexp.MustCompile(`^(?:~|null|Null|NULL|)$`),
		regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`),
		regexp.MustCompile(`^(?:=)$`),
		regexp.MustCompile(`^(?:!|&|\*)$`),
	}
})

func yamlImplicitlyTyped(s string) bool {
	// Python's "$" also matches before a final newline.
	if n := len(s); n > 0 && s[n-1] == '\n' {
		if yamlImplicitlyTyped(s[:n-1]) {
			return true
		}
	}
	for _, re := range yamlImplicit() {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
