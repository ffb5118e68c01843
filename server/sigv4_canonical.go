package server

// The canonical request and string to sign of Signature Version 4. The
// server rebuilds, from the request as it arrived, the exact bytes the
// client hashed; any difference in canonicalization is a rejected request,
// so each rule below follows the spec and what the SDKs actually send.

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// sigv4StringToSign is algorithm, request time, credential scope and the
// hex SHA-256 of the canonical request, one per line.
func sigv4StringToSign(amzDate, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return sigv4Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// sigv4CanonicalRequest is
//
//	method \n canonical URI \n canonical query \n canonical headers \n signed headers \n payload hash
//
// where the canonical headers end in their own newline, hence a blank line.
func sigv4CanonicalRequest(r *http.Request, names []string, signedLine, payloadHash string) string {
	var b strings.Builder
	b.Grow(512)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(sigv4CanonicalURI(r.URL.EscapedPath()))
	b.WriteByte('\n')
	b.WriteString(sigv4CanonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte(':')
		sigv4WriteHeaderValue(&b, r, name)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(signedLine)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// sigv4SignedHeaderNames lowercases and sorts SignedHeaders, as the spec
// defines the list (SDKs send it that way already), and returns the list
// and its ';'-joined line for the canonical request.
func sigv4SignedHeaderNames(signedHeaders string) ([]string, string) {
	names := strings.Split(signedHeaders, ";")
	for i, n := range names {
		names[i] = strings.ToLower(n)
	}
	slices.Sort(names)
	return names, strings.Join(names, ";")
}

// sigv4WriteHeaderValue writes a signed header's canonical value: every
// value of the header, trimmed, inner runs of spaces collapsed to one, and
// joined by commas. Go's server moves three headers out of r.Header: Host
// (to r.Host), Transfer-Encoding (to r.TransferEncoding) and, for requests
// built in-process, Content-Length (to r.ContentLength); they are read back
// from there.
func sigv4WriteHeaderValue(b *strings.Builder, r *http.Request, name string) {
	var values []string
	switch name {
	case "host":
		sigv4WriteTrimmed(b, r.Host)
		return
	case "content-length":
		if _, ok := r.Header["Content-Length"]; !ok && r.ContentLength >= 0 {
			b.WriteString(strconv.FormatInt(r.ContentLength, 10))
			return
		}
	case "transfer-encoding":
		if _, ok := r.Header["Transfer-Encoding"]; !ok {
			values = r.TransferEncoding
		}
	}
	if values == nil {
		values = r.Header.Values(name)
	}
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		sigv4WriteTrimmed(b, v)
	}
}

// sigv4WriteTrimmed writes v without leading or trailing whitespace and
// with each run of spaces as a single space.
func sigv4WriteTrimmed(b *strings.Builder, v string) {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		b.WriteString(v)
		return
	}
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b.WriteByte(v[i])
	}
}

// sigv4CanonicalURI is the request path as the spec has it for every
// service but S3: normalized (empty and "." segments dropped, ".." resolved,
// a trailing slash kept), then URI-encoded once more. The path on the wire
// is already encoded once, so a path segment is encoded twice in all:
// "/documents and settings/" travels as "/documents%20and%20settings/" and
// is signed as "/documents%2520and%2520settings/". The Go SDK and botocore
// both sign this way (encoding their own escaped path again).
func sigv4CanonicalURI(escapedPath string) string {
	return sigv4Escape(sigv4NormalizePath(escapedPath), false)
}

func sigv4NormalizePath(p string) string {
	if p == "" || p == "/" {
		return "/"
	}
	segments := strings.Split(p, "/")
	kept := segments[:0]
	for _, s := range segments {
		switch s {
		case "", ".":
		case "..":
			if len(kept) > 0 {
				kept = kept[:len(kept)-1]
			}
		default:
			kept = append(kept, s)
		}
	}
	out := "/" + strings.Join(kept, "/")
	if len(kept) > 0 && strings.HasSuffix(p, "/") {
		out += "/"
	}
	return out
}

// sigv4CanonicalQuery decodes each name and value, re-encodes them per
// RFC 3986 (space is %20, never '+'), and sorts the pairs by encoded name
// then encoded value: the spec sorts after encoding, and the two orders
// differ (a%2Fb sorts before a-b; a/b sorts after it).
func sigv4CanonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type pair struct{ name, value string }
	var pairs []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		pairs = append(pairs, pair{sigv4Escape(sigv4Unescape(name), true), sigv4Escape(sigv4Unescape(value), true)})
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// sigv4Unescape decodes a query component as url.ParseQuery does ('+' is a
// space); a malformed escape is kept as sent, to be encoded and so to fail
// the signature rather than to be silently dropped.
func sigv4Unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// sigv4Escape percent-encodes every byte outside RFC 3986's unreserved set
// (A-Z a-z 0-9 - . _ ~) with uppercase hex, leaving '/' alone unless
// escapeSlash.
func sigv4Escape(s string, escapeSlash bool) string {
	keep := func(c byte) bool {
		return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' && !escapeSlash
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !keep(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexDigits = "0123456789ABCDEF"
	out := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; keep(c) {
			out = append(out, c)
		} else {
			out = append(out, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return string(out)
}
