package param

import (
	"strings"
	"unicode"
)

// pyIsSpace is Python's str.isspace() for one character, which is also what
// `\s` matches in a str regular expression: Unicode White_Space plus the
// ASCII separators U+001C..U+001F.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyStrip, pyLStrip and pyRStrip are str.strip(), str.lstrip() and
// str.rstrip() without arguments.
func pyStrip(s string) string  { return strings.TrimFunc(s, pyIsSpace) }
func pyLStrip(s string) string { return strings.TrimLeftFunc(s, pyIsSpace) }
func pyRStrip(s string) string { return strings.TrimRightFunc(s, pyIsSpace) }
