package param

import (
	"errors"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
)

// The paramfile prefixes (awscli/paramfile.py LOCAL_PREFIX_MAP). The v1
// remote prefixes http:// and https:// are deliberately absent: v2 never
// fetches URLs, such values are plain strings.
const (
	prefixFile  = "file://"
	prefixFileb = "fileb://"
)

// LoadValue applies the paramfile prefixes: "file://PATH" → the file's text
// (must be valid UTF-8; "\r\n" and "\r" read as "\n", as Python's text mode
// does); "fileb://PATH" → raw bytes; anything else → the string's own bytes.
// PATH is relative to the cwd, with "~" and $VARS expanded. isFileb reports
// whether fileb:// was used.
func LoadValue(param, value string) (data []byte, isFileb bool, err error) {
	data, isFileb, loaded, msg := loadParamfile(value)
	if msg != "" {
		return nil, false, parseError(param, msg)
	}
	if !loaded {
		return []byte(value), false, nil
	}
	return data, isFileb, nil
}

// loadText is LoadValue for parameters whose value is text; loaded reports
// whether a paramfile prefix was used. fileb:// content is taken as it is.
func loadText(param, value string) (text string, loaded bool, err error) {
	data, _, loaded, msg := loadParamfile(value)
	if msg != "" {
		return "", false, parseError(param, msg)
	}
	if !loaded {
		return value, false, nil
	}
	return string(data), true, nil
}

// loadParamfile is get_paramfile(value, LOCAL_PREFIX_MAP). loaded is false
// when value has no paramfile prefix; errMsg is the ResourceLoadingError
// text.
func loadParamfile(value string) (data []byte, isFileb, loaded bool, errMsg string) {
	var prefix string
	switch {
	case strings.HasPrefix(value, prefixFile):
		prefix = prefixFile
	case strings.HasPrefix(value, prefixFileb):
		prefix, isFileb = prefixFileb, true
	default:
		return nil, false, false, ""
	}
	path := expandVars(expandUser(value[len(prefix):]))
	raw, err := readBounded(path)
	if errors.Is(err, errTooLarge) {
		return nil, false, true, "Unable to load paramfile " + value + ": larger than " +
			strconv.Itoa(MaxFileSize>>20) + " MiB, the limit for a parameter file"
	}
	if err != nil {
		return nil, false, true, "Unable to load paramfile " + value + ": " + osErrorText(err, path)
	}
	if isFileb {
		return raw, true, true, ""
	}
	if !utf8.Valid(raw) {
		return nil, false, true, "Unable to load paramfile (" + path + "), text contents could " +
			"not be decoded.  If this is a binary file, please use the " +
			"fileb:// prefix instead of the file:// prefix."
	}
	return universalNewlines(raw), false, true, ""
}

// MaxFileSize bounds what a file:// or fileb:// value may hold. The
// largest AWS KMS member (a 32 KiB key policy, even JSON-escaped inside
// --cli-input-json) is far below it; /dev/zero, /dev/urandom or a wrong
// path to a disk image fail with a clear error instead of exhausting
// memory.
const MaxFileSize = 4 << 20

var errTooLarge = errors.New("parameter file too large")

// readBounded reads the file at path, refusing more than MaxFileSize bytes
// (an endless device included) without reading further.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxFileSize {
		clear(raw)
		return nil, errTooLarge
	}
	return raw, nil
}

// universalNewlines translates "\r\n" and lone "\r" to "\n" like Python's
// text-mode open().
func universalNewlines(b []byte) []byte {
	if !strings.Contains(string(b), "\r") {
		return b
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	return []byte(strings.ReplaceAll(s, "\r", "\n"))
}

// osErrorText is str(OSError) as Python prints it:
// "[Errno 2] No such file or directory: 'path'".
func osErrorText(err error, path string) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error() + ": " + pyReprStr(path)
	}
	text := errno.Error()
	if text != "" {
		text = strings.ToUpper(text[:1]) + text[1:] // Go lower-cases strerror()
	}
	return "[Errno " + strconv.Itoa(int(errno)) + "] " + text + ": " + pyReprStr(path)
}

// expandUser is os.path.expanduser (POSIX).
func expandUser(path string) string {
	if !strings.HasPrefix(path, "~") {
		return path
	}
	i := strings.IndexByte(path[1:], '/') + 1
	if i == 0 {
		i = len(path)
	}
	var home string
	if i == 1 {
		if h, ok := os.LookupEnv("HOME"); ok {
			home = h
		} else if u, err := user.Current(); err == nil {
			home = u.HomeDir
		} else {
			return path
		}
	} else {
		u, err := user.Lookup(path[1:i])
		if err != nil {
			return path
		}
		home = u.HomeDir
	}
	if out := strings.TrimRight(home, "/") + path[i:]; out != "" {
		return out
	}
	return "/"
}

// expandVars is os.path.expandvars (POSIX): $name and ${name} are replaced
// when the variable is set and left alone otherwise.
func expandVars(path string) string {
	if !strings.Contains(path, "$") {
		return path
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '$')
		if i < 0 {
			b.WriteString(path)
			return b.String()
		}
		name, end := varName(path[i+1:])
		if end == 0 {
			b.WriteString(path[:i+1])
			path = path[i+1:]
			continue
		}
		end += i + 1
		if val, ok := os.LookupEnv(name); ok && name != "" {
			b.WriteString(path[:i])
			b.WriteString(val)
		} else {
			b.WriteString(path[:end])
		}
		path = path[end:]
	}
}

// varName matches `\w+|\{[^}]*\}` (ASCII) at the start of s and returns the
// variable name and the length matched (0: no match).
func varName(s string) (name string, n int) {
	if strings.HasPrefix(s, "{") {
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return "", 0
		}
		return s[1:j], j + 1
	}
	for n < len(s) && isWordByte(s[n]) {
		n++
	}
	return s[:n], n
}

func isWordByte(c byte) bool {
	return c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
