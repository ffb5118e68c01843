package param

import (
	"strconv"
	"strings"
	"unicode"
)

// Int parses an integer option like Python's int(value): surrounding
// whitespace, an optional sign, underscores between digits and Unicode
// decimal digits are accepted; anything else is the error
// "invalid literal for int() with base 10: 'abc'". Int does not load
// paramfiles: call LoadValue first for a file:// value. A value outside the
// int64 range (which Python would accept) is reported as an error too.
func Int(value string) (int64, error) {
	digits, ok := pyIntDigits(value)
	if !ok {
		return 0, bareError("", "invalid literal for int() with base 10: "+truncateRunes(pyReprStr(value), 200))
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, bareError("", "integer out of range for a 64-bit value: "+truncateRunes(pyReprStr(value), 200))
	}
	return n, nil
}

// pyIntDigits validates s the way PyLong_FromUnicodeObject does for base 10
// and returns the sign and ASCII digits.
func pyIntDigits(s string) (string, bool) {
	// _PyUnicode_TransformDecimalAndSpaceToASCII: non-ASCII whitespace
	// becomes ' ', non-ASCII decimal digits become ASCII digits.
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case pyIsSpace(r):
			b.WriteByte(' ')
		case unicode.IsDigit(r):
			b.WriteByte('0' + digitValue(r))
		default:
			return "", false
		}
	}
	t := strings.Trim(b.String(), " \t\n\v\f\r") // Py_ISSPACE
	sign := ""
	if t != "" && (t[0] == '+' || t[0] == '-') {
		if t[0] == '-' {
			sign = "-"
		}
		t = t[1:]
	}
	if t == "" || t[0] == '_' || t[len(t)-1] == '_' || strings.Contains(t, "__") {
		return "", false
	}
	t = strings.ReplaceAll(t, "_", "")
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return "", false
		}
	}
	return sign + t, true
}

// digitValue is the decimal value of a Unicode Nd character: Nd characters
// come in contiguous runs of ten starting at zero.
func digitValue(r rune) byte {
	n := 0
	for unicode.IsDigit(r - rune(n) - 1) {
		n++
	}
	return byte(n % 10)
}

// truncateRunes is printf's %.Ns precision, used by CPython's "%.200R".
func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
