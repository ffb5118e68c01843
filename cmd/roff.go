package cmd

import (
	"fmt"
	"strings"
	"unicode"
)

// A small writer of roff for man(7) pages, enough for `pkms man`. It is
// pkms's own rather than cobra/doc's because that one renders Markdown to
// roff through a Markdown library whose package initialisation every pkms
// process paid for (about 1.3 ms of start-up), to print pages once at build
// time.
//
// The escaping makes every character of the help text print as itself on
// any formatter (groff, mandoc) and in any output (UTF-8 terminals, PDF):
// a backslash is the escape character, a leading dot or apostrophe would
// start a request, a plain hyphen may be set as a typographic hyphen (and
// then not paste as an option's dash), and apostrophe, grave accent, caret
// and tilde may be set as typographic quotes and accents.

// roffGlyph is the named glyph a character is written as, if any.
func roffGlyph(r rune) string {
	switch r {
	case '\\':
		return `\(rs`
	case '-':
		return `\-`
	case '\'':
		return `\(aq`
	case '`':
		return `\(ga`
	case '^':
		return `\(ha`
	case '~':
		return `\(ti`
	}
	return ""
}

// roffEscape returns s made safe for roff text lines: special characters as
// named glyphs, a dot that begins a line behind a zero-width \&, characters
// beyond ASCII as \[uXXXX] (groff reads its input as Latin-1 unless told
// otherwise). Other control characters than tab and newline are dropped:
// they have no glyph.
func roffEscape(s string) string {
	var b strings.Builder
	lineStart := true
	for _, r := range s {
		if lineStart && r == '.' {
			b.WriteString(`\&`)
		}
		lineStart = r == '\n'
		if e := roffGlyph(r); e != "" {
			b.WriteString(e)
			continue
		}
		switch {
		case r == '\n' || r == '\t' || (r >= ' ' && r < unicode.MaxASCII):
			b.WriteRune(r)
		case r > unicode.MaxASCII:
			fmt.Fprintf(&b, `\[u%04X]`, r)
		}
	}
	return b.String()
}

// roffArg returns s as one quoted argument of a request (.TH, .SH): on one
// line, its double quotes as a glyph.
func roffArg(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return `"` + strings.ReplaceAll(roffEscape(s), `"`, `\(dq`) + `"`
}

// roffBold returns s in bold, then back to the previous font.
func roffBold(s string) string { return `\fB` + roffEscape(s) + `\fP` }

// roffItalic returns s in italics, then back to the previous font.
func roffItalic(s string) string { return `\fI` + roffEscape(s) + `\fP` }

// writeRoffText writes help text as roff. Blank lines separate paragraphs,
// with sep (a paragraph request such as .PP) between them. A paragraph of
// prose (every line flush left, words single-spaced) is filled, so that
// the pager reflows it to the reader's width; any other paragraph (a list,
// aligned columns, a syntax template) is printed as it was laid out.
func writeRoffText(b *strings.Builder, text, sep string) {
	for i, para := range helpParagraphs(text) {
		if i > 0 {
			b.WriteString(sep + "\n")
		}
		if isProse(para) {
			b.WriteString(roffEscape(strings.Join(para, "\n")) + "\n")
			continue
		}
		b.WriteString(".nf\n" + roffEscape(strings.Join(para, "\n")) + "\n.fi\n")
	}
}

// helpParagraphs splits text into paragraphs of lines without trailing
// blanks, dropping the blank lines between them.
func helpParagraphs(text string) [][]string {
	var paras [][]string
	var cur []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			if cur != nil {
				paras = append(paras, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if cur != nil {
		paras = append(paras, cur)
	}
	return paras
}

// isProse reports whether a paragraph's lines may be refilled: none is
// indented or holds a run of spaces or a tab that lines something up.
func isProse(lines []string) bool {
	for _, l := range lines {
		if l[0] == ' ' || strings.Contains(l, "  ") || strings.Contains(l, "\t") {
			return false
		}
	}
	return true
}
