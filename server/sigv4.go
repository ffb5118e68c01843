package server

// AWS Signature Version 4 verification for `pkms serve`.
//
// AWS SDKs and the aws CLI sign every request with the access key pkms
// issued; this file decides whether a request carries a valid signature and
// answers the way AWS JSON services (KMS among them) answer when it does not,
// so SDKs raise the same typed exceptions they raise against AWS. The checks
// run in the order AWS runs them (header syntax, date, signed headers,
// credential scope, key, signature), because the first failure is the one
// reported and clients key their troubleshooting on it.
//
// Reference: "Create a signed AWS API request" and "Elements of an AWS API
// request signature" in the IAM User Guide, and the AWS Signature Version 4
// test suite; error codes and messages are the ones AWS JSON services return
// (HTTP 400 with {"__type": code, "message": message}).

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pocketkms/pkms/kms"
)

// SecretLookup returns the secret access key for an access key id; ok=false when unknown.
type SecretLookup func(accessKeyID string) (secret []byte, ok bool, err error)

// SigV4 verifies AWS Signature Version 4 (AWS4-HMAC-SHA256, Authorization header form).
//
// Only the Authorization header form is accepted: SDKs use it for every KMS
// call, and presigned URLs (query-string authentication) exist for handing a
// request to someone else, which a local KMS has no use for.
//
// A SigV4 caches derived signing keys, so it must not be copied after first use.
type SigV4 struct {
	Service string           // "kms" ("" means "kms"); the credential scope must name it
	Region  string           // the one region the credential scope must name; "" accepts any valid region name, each request's own
	Lookup  SecretLookup     // resolves access key ids to secrets (required)
	Now     func() time.Time // nil: time.Now
	MaxSkew time.Duration    // 0: 15 minutes, as AWS

	keys sigv4KeyCache
}

// AuthError is a rejected request: Code is the AWS error type an SDK maps to a typed exception.
type AuthError struct {
	Code, Message string
	Status        int
}

func (e *AuthError) Error() string { return e.Code + ": " + e.Message }

const (
	sigv4Algorithm    = "AWS4-HMAC-SHA256"
	sigv4DateLayout   = "20060102T150405Z" // ISO 8601 basic format, as in X-Amz-Date
	sigv4Terminator   = "aws4_request"
	sigv4DefaultSkew  = 15 * time.Minute
	sigv4MaxEchoBytes = 128 // longest piece of a client's header quoted back in an error
)

// The error types AWS JSON services answer authentication failures with.
// All are HTTP 400 for JSON protocols (the Query-protocol siblings without
// the "Exception" suffix use 403 for some; KMS is JSON 1.1).
const (
	sigv4MissingToken = "MissingAuthenticationTokenException"
	sigv4Incomplete   = "IncompleteSignatureException"
	sigv4Invalid      = "InvalidSignatureException"
	sigv4Unrecognized = "UnrecognizedClientException"
)

// Messages as AWS words them, since clients and people search for them;
// except the last three: the payload-hash one is S3's wording, and AWS has
// no equivalent of the other two (pkms rejects what AWS would accept).
const (
	sigv4MsgMissingToken   = "Request is missing Authentication Token"
	sigv4MsgUnrecognized   = "The security token included in the request is invalid."
	sigv4MsgMismatch       = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	sigv4MsgHostUnsigned   = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	sigv4MsgNeedDate       = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	sigv4MsgPayloadHash    = "The provided 'x-amz-content-sha256' header does not match what was computed."
	sigv4MsgQueryAuth      = "pkms accepts only the Authorization header form of Signature Version 4, not query-string (presigned URL) authentication."
	sigv4MsgTargetUnsigned = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
)

func sigv4Error(code, msg string) *AuthError {
	return &AuthError{Code: code, Message: msg, Status: http.StatusBadRequest}
}

// Verify checks r, whose body has already been read into body, and returns the access key id that signed it.
//
// A rejected request yields an *AuthError; any other error (a failing Lookup,
// a verifier without Region or Lookup) is the server's fault and should be
// answered with HTTP 500.
func (v *SigV4) Verify(r *http.Request, body []byte) (accessKeyID string, err error) {
	if v.Lookup == nil {
		return "", errors.New("sigv4: verifier needs a Lookup")
	}
	service := v.Service
	if service == "" {
		service = "kms"
	}

	authz := r.Header.Get("Authorization")
	if authz == "" {
		if r.URL.Query().Has("X-Amz-Algorithm") {
			return "", sigv4Error(sigv4Incomplete, sigv4MsgQueryAuth)
		}
		return "", sigv4Error(sigv4MissingToken, sigv4MsgMissingToken)
	}
	// AWS treats an Authorization header of another scheme (Basic, Bearer,
	// the retired AWS3) as no SigV4 token at all.
	if !strings.HasPrefix(strings.TrimSpace(authz), "AWS4-") {
		return "", sigv4Error(sigv4MissingToken, sigv4MsgMissingToken)
	}
	a, aerr := sigv4ParseAuthorization(authz)
	if aerr != nil {
		return "", aerr
	}

	// X-Amz-Date wins; the Date header is the spec's fallback.
	rawDate, basic := r.Header.Get("X-Amz-Date"), true
	if rawDate == "" {
		rawDate, basic = r.Header.Get("Date"), false
	}
	missing := a.missing()
	if rawDate == "" {
		missing = append(missing, sigv4MsgNeedDate)
	}
	if len(missing) > 0 {
		return "", sigv4Error(sigv4Incomplete, strings.Join(missing, " ")+" Authorization="+a.algorithm)
	}
	signedAt, ok := sigv4ParseDate(rawDate, basic)
	if !ok {
		return "", sigv4Error(sigv4Incomplete, fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", sigv4Echo(rawDate)))
	}
	amzDate := signedAt.Format(sigv4DateLayout)
	if err := v.checkSkew(signedAt); err != nil {
		return "", err
	}

	names, signedLine := sigv4SignedHeaderNames(a.signedHeaders)
	if !sigv4Contains(names, "host") {
		return "", sigv4Error(sigv4Invalid, sigv4MsgHostUnsigned)
	}
	// pkms dispatches on X-Amz-Target, so an unsigned target would let
	// anyone holding one signed request replay its body as any operation
	// (an Encrypt turned into a Decrypt or a ScheduleKeyDeletion). Every SDK
	// and the aws CLI sign it.
	if _, ok := r.Header["X-Amz-Target"]; ok && !sigv4Contains(names, "x-amz-target") {
		return "", sigv4Error(sigv4Invalid, sigv4MsgTargetUnsigned)
	}

	cred, ok := sigv4ParseCredential(a.credential)
	if !ok {
		return "", sigv4Error(sigv4Incomplete, fmt.Sprintf("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", sigv4Echo(a.credential)))
	}
	if msg := cred.scopeErrors(v.Region, service, amzDate); msg != "" {
		return "", sigv4Error(sigv4Invalid, msg)
	}
	// pkms issues long-term keys only; a session token means credentials
	// from somewhere else (STS, SSO), never valid here.
	if _, ok := r.Header["X-Amz-Security-Token"]; ok {
		return "", sigv4Error(sigv4Unrecognized, sigv4MsgUnrecognized)
	}

	secret, known, err := v.Lookup(cred.accessKeyID)
	if err != nil {
		return "", fmt.Errorf("sigv4: looking up access key %q: %w", cred.accessKeyID, err)
	}
	if !known {
		return "", sigv4Error(sigv4Unrecognized, sigv4MsgUnrecognized)
	}

	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	// A client that declares its payload hash (S3-style) must declare this
	// body's: "UNSIGNED-PAYLOAD" and friends have no place in KMS.
	if declared, ok := r.Header["X-Amz-Content-Sha256"]; ok && (len(declared) != 1 || declared[0] != payloadHash) {
		return "", sigv4Error(sigv4Invalid, sigv4MsgPayloadHash)
	}

	canonical := sigv4CanonicalRequest(r, names, signedLine, payloadHash)
	key := v.keys.signingKey(sigv4ScopeKey{cred.accessKeyID, cred.date, cred.region, cred.service}, secret)
	mac := hmac.New(sha256.New, key[:])
	io.WriteString(mac, sigv4StringToSign(amzDate, cred.scope, canonical))
	var got [sha256.Size]byte
	if len(a.signature) != hex.EncodedLen(len(got)) {
		return "", sigv4Error(sigv4Invalid, sigv4MsgMismatch)
	}
	if _, err := hex.Decode(got[:], []byte(a.signature)); err != nil {
		return "", sigv4Error(sigv4Invalid, sigv4MsgMismatch)
	}
	if !hmac.Equal(mac.Sum(nil), got[:]) { // constant time
		return "", sigv4Error(sigv4Invalid, sigv4MsgMismatch)
	}
	return cred.accessKeyID, nil
}

// checkSkew bounds replay: a signature is good for MaxSkew either side of
// the server's clock, in AWS's words when it is not.
func (v *SigV4) checkSkew(signedAt time.Time) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = sigv4DefaultSkew
	}
	t := now().UTC()
	f := func(t time.Time) string { return t.Format(sigv4DateLayout) }
	span := fmt.Sprintf("%d sec.", int64(skew/time.Second))
	if skew%time.Minute == 0 {
		span = fmt.Sprintf("%d min.", int64(skew/time.Minute))
	}
	switch {
	case signedAt.Before(t.Add(-skew)):
		return sigv4Error(sigv4Invalid, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
			f(signedAt), f(t.Add(-skew)), f(t), span))
	case signedAt.After(t.Add(skew)):
		return sigv4Error(sigv4Invalid, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s)",
			f(signedAt), f(t.Add(skew)), f(t), span))
	}
	return nil
}

// sigv4ParseDate reads X-Amz-Date (basic=true), strictly in ISO 8601 basic
// format, or an HTTP Date header in any of the formats HTTP allows.
func sigv4ParseDate(s string, basic bool) (time.Time, bool) {
	if !basic {
		t, err := http.ParseTime(s)
		return t.UTC(), err == nil
	}
	t, err := time.Parse(sigv4DateLayout, s)
	// Parse tolerates single-digit hours and the like; the signature covers
	// the exact string, so insist it round-trips.
	return t, err == nil && t.Format(sigv4DateLayout) == s
}

// sigv4AuthHeader is the parsed Authorization header. The has* fields tell
// an absent parameter (an error) from an empty one (checked later).
type sigv4AuthHeader struct {
	algorithm                              string
	credential, signedHeaders, signature   string
	hasCredential, hasSigned, hasSignature bool
}

// missing lists AWS's complaints about absent parameters, in AWS's order.
func (a *sigv4AuthHeader) missing() []string {
	var m []string
	if !a.hasCredential {
		m = append(m, "Authorization header requires 'Credential' parameter.")
	}
	if !a.hasSignature {
		m = append(m, "Authorization header requires 'Signature' parameter.")
	}
	if !a.hasSigned {
		m = append(m, "Authorization header requires 'SignedHeaders' parameter.")
	}
	return m
}

// sigv4ParseAuthorization parses
//
//	AWS4-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<a;b>, Signature=<hex>
//
// Parameters are separated by commas and/or whitespace (AWS reports a stray
// space inside Credential as a parameter without '='); unknown parameters
// are ignored and a repeated one keeps its last value. Absent parameters are
// not an error here: Verify reports them together with a missing date.
func sigv4ParseAuthorization(h string) (sigv4AuthHeader, *AuthError) {
	var a sigv4AuthHeader
	h = strings.TrimSpace(h)
	a.algorithm, h = h, ""
	if i := strings.IndexAny(a.algorithm, " \t"); i >= 0 {
		a.algorithm, h = a.algorithm[:i], a.algorithm[i+1:]
	}
	if a.algorithm != sigv4Algorithm {
		return a, sigv4Error(sigv4Incomplete, fmt.Sprintf("Unsupported AWS 'algorithm': '%s'.", sigv4Echo(a.algorithm)))
	}
	for h != "" {
		i := 0
		for i < len(h) && sigv4IsSep(h[i]) {
			i++
		}
		j := i
		for j < len(h) && !sigv4IsSep(h[j]) {
			j++
		}
		param := h[i:j]
		h = h[j:]
		if param == "" {
			continue
		}
		name, value, ok := strings.Cut(param, "=")
		if !ok {
			return a, sigv4Error(sigv4Incomplete, fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header.", sigv4Echo(param)))
		}
		switch name {
		case "Credential":
			a.credential, a.hasCredential = value, true
		case "SignedHeaders":
			a.signedHeaders, a.hasSigned = value, true
		case "Signature":
			a.signature, a.hasSignature = value, true
		}
	}
	return a, nil
}

func sigv4IsSep(c byte) bool { return c == ',' || c == ' ' || c == '\t' }

// sigv4Echo bounds how much of a client's input an error message repeats.
func sigv4Echo(s string) string {
	if len(s) > sigv4MaxEchoBytes {
		return s[:sigv4MaxEchoBytes] + "..."
	}
	return s
}

// sigv4Credential is Credential=<id>/<date>/<region>/<service>/<terminator>;
// scope is everything after the id, as it appears in the string to sign.
type sigv4Credential struct {
	accessKeyID, date, region, service, terminator, scope string
}

func sigv4ParseCredential(c string) (sigv4Credential, bool) {
	var k sigv4Credential
	var rest string
	var ok1, ok2, ok3, ok4 bool
	k.accessKeyID, rest, ok1 = strings.Cut(c, "/")
	k.scope = rest
	k.date, rest, ok2 = strings.Cut(rest, "/")
	k.region, rest, ok3 = strings.Cut(rest, "/")
	k.service, k.terminator, ok4 = strings.Cut(rest, "/")
	ok := ok1 && ok2 && ok3 && ok4 && !strings.Contains(k.terminator, "/")
	return k, ok
}

// scopeErrors returns AWS's message for every part of the credential scope
// that is wrong (AWS reports them all at once), or "" when the scope is right.
// region "" admits any valid region name.
func (k *sigv4Credential) scopeErrors(region, service, amzDate string) string {
	var b strings.Builder
	if region != "" && k.region != region || region == "" && !kms.ValidRegion(k.region) {
		fmt.Fprintf(&b, "Credential should be scoped to a valid region, not '%s'. ", sigv4Echo(k.region))
	}
	if k.service != service {
		fmt.Fprintf(&b, "Credential should be scoped to correct service: '%s'. ", service)
	}
	if k.terminator != sigv4Terminator {
		fmt.Fprintf(&b, "Credential should be scoped with a valid terminator: '%s', not '%s'. ", sigv4Terminator, sigv4Echo(k.terminator))
	}
	if k.date != amzDate[:8] {
		fmt.Fprintf(&b, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			sigv4Echo(k.date), amzDate[:8], amzDate)
	}
	return b.String()
}

func sigv4Contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// sigv4Region returns the region of a request's SigV4 credential scope, if
// it has a well-formed one naming a valid region. It checks no signature:
// it is for a request that Verify has accepted (or that needs none).
func sigv4Region(r *http.Request) (string, bool) {
	authz := r.Header.Get("Authorization")
	if !strings.HasPrefix(strings.TrimSpace(authz), "AWS4-") {
		return "", false
	}
	a, err := sigv4ParseAuthorization(authz)
	if err != nil {
		return "", false
	}
	cred, ok := sigv4ParseCredential(a.credential)
	if !ok || !kms.ValidRegion(cred.region) {
		return "", false
	}
	return cred.region, true
}
