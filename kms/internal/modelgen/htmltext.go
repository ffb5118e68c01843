package main

import (
	"html"
	"strconv"
	"strings"
	"unicode"
)

// htmlText renders the HTML of a botocore documentation string as plain
// text for a terminal: paragraphs separated by a blank line and wrapped at
// width (0: not wrapped), list items as "  - item" (or "  1. item"),
// nested lists indented two more spaces, <note> and <important> as a
// paragraph that begins "Note:" or "Important:", a definition list's terms
// on their own line with the definition indented below. Inline markup
// (code, b, i, a, fullname) keeps only its text. botocore uses no other
// tags; an unknown tag is treated as inline so that its text survives.
func htmlText(src string, width int) string {
	r := &textRenderer{}
	for _, t := range tokenize(src) {
		r.token(t)
	}
	r.flush()
	var b strings.Builder
	for i, bl := range r.blocks {
		if i > 0 {
			b.WriteString("\n")
			if !(bl.item && r.blocks[i-1].item) {
				b.WriteString("\n")
			}
		}
		b.WriteString(wrap(bl, width))
	}
	return b.String()
}

// block is one paragraph of output: its words, the indentation of every
// line, and the marker ("- ", "1. ") that opens its first line.
type block struct {
	text   string
	indent int
	marker string
	item   bool // part of a list: no blank line between consecutive items
}

type listState struct {
	ordered bool
	n       int
}

type textRenderer struct {
	blocks  []block
	text    strings.Builder
	lists   []listState
	defs    int    // open <dd> elements
	marker  string // list marker waiting for the item's first block
	label   string // "Note: " waiting for the next block
	inItem  int    // open <li> elements
	itemPad int    // extra indent of an item's later blocks (the marker's width)
}

type htmlToken struct {
	kind string // "text", "start", "end"
	name string // tag name, lower case
	data string // text
}

// tokenize splits src into text and tags. Attributes are dropped: the
// only one botocore uses is a link's href, which plain text leaves out.
func tokenize(src string) []htmlToken {
	var ts []htmlToken
	for len(src) > 0 {
		lt := strings.IndexByte(src, '<')
		if lt < 0 {
			ts = append(ts, htmlToken{kind: "text", data: html.UnescapeString(src)})
			break
		}
		if lt > 0 {
			ts = append(ts, htmlToken{kind: "text", data: html.UnescapeString(src[:lt])})
		}
		gt := strings.IndexByte(src[lt:], '>')
		if gt < 0 || !isTagStart(src[lt+1:]) { // a lone '<' is text
			ts = append(ts, htmlToken{kind: "text", data: "<"})
			src = src[lt+1:]
			continue
		}
		tag := src[lt+1 : lt+gt]
		src = src[lt+gt+1:]
		kind := "start"
		if strings.HasPrefix(tag, "/") {
			kind, tag = "end", tag[1:]
		}
		selfClosing := strings.HasSuffix(tag, "/")
		tag = strings.TrimSuffix(tag, "/")
		name, _, _ := strings.Cut(strings.TrimSpace(tag), " ")
		name = strings.ToLower(name)
		ts = append(ts, htmlToken{kind: kind, name: name})
		if selfClosing {
			ts = append(ts, htmlToken{kind: "end", name: name})
		}
	}
	return ts
}

// isTagStart reports whether s, what follows a '<', begins a tag name.
func isTagStart(s string) bool {
	s = strings.TrimPrefix(s, "/")
	return s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z')
}

func (r *textRenderer) token(t htmlToken) {
	switch t.kind {
	case "text":
		r.text.WriteString(t.data)
		return
	case "start":
		switch t.name {
		case "p", "dt", "br":
			r.flush()
		case "ul", "ol":
			r.flush()
			r.lists = append(r.lists, listState{ordered: t.name == "ol"})
		case "li":
			r.flush()
			if len(r.lists) > 0 {
				l := &r.lists[len(r.lists)-1]
				l.n++
				r.marker = "- "
				if l.ordered {
					r.marker = strconv.Itoa(l.n) + ". "
				}
			}
			r.inItem++
			r.itemPad = len(r.marker)
		case "dd":
			r.flush()
			r.defs++
		case "note":
			r.flush()
			r.label = "Note: "
		case "important":
			r.flush()
			r.label = "Important: "
		}
	case "end":
		switch t.name {
		case "p", "dt", "br", "note", "important", "dl":
			r.flush()
		case "ul", "ol":
			r.flush()
			if len(r.lists) > 0 {
				r.lists = r.lists[:len(r.lists)-1]
			}
		case "li":
			r.flush()
			r.marker = ""
			if r.inItem > 0 {
				r.inItem--
			}
		case "dd":
			r.flush()
			if r.defs > 0 {
				r.defs--
			}
		}
	}
}

// flush ends the current block: its text, whitespace collapsed, becomes a
// block if it holds any words.
func (r *textRenderer) flush() {
	words := strings.Fields(r.text.String())
	r.text.Reset()
	if len(words) == 0 {
		return
	}
	text := strings.Join(words, " ")
	text = strings.ReplaceAll(text, " .", ".") // "<code>x</code> ." spacing
	if r.label != "" {
		text, r.label = r.label+text, ""
	}
	indent := 4 * r.defs
	item := len(r.lists) > 0
	if item {
		indent += 2 * len(r.lists)
	}
	b := block{text: text, indent: indent, item: item}
	switch {
	case r.marker != "":
		b.marker, r.marker = r.marker, ""
	case r.inItem > 0:
		b.indent += r.itemPad // a later paragraph of the same item
	}
	r.blocks = append(r.blocks, b)
}

// wrap breaks a block into lines of at most width columns (a longer word
// stays whole); lines after the first are indented under the text.
func wrap(b block, width int) string {
	first := strings.Repeat(" ", b.indent) + b.marker
	rest := strings.Repeat(" ", b.indent+len(b.marker))
	if width <= 0 {
		return first + b.text
	}
	var out strings.Builder
	line := first
	empty := true
	for _, w := range strings.Fields(b.text) {
		if !empty && len(line)+1+len(w) > width {
			out.WriteString(line + "\n")
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += w
		empty = false
	}
	out.WriteString(line)
	return out.String()
}

// firstSentence returns the first sentence of text: up to the first full
// stop that is followed by a space and a capital letter, a digit or an
// opening parenthesis, and does not end an abbreviation such as "e.g.".
func firstSentence(text string) string {
	for i := 0; i < len(text); i++ {
		if text[i] != '.' || i+2 >= len(text) || text[i+1] != ' ' {
			continue
		}
		next := rune(text[i+2])
		if !unicode.IsUpper(next) && !unicode.IsDigit(next) && next != '(' {
			continue
		}
		word := text[strings.LastIndexByte(text[:i], ' ')+1 : i+1]
		if abbreviations[strings.ToLower(word)] {
			continue
		}
		return text[:i+1]
	}
	return text
}

var abbreviations = map[string]bool{"e.g.": true, "i.e.": true, "etc.": true, "vs.": true, "approx.": true}
