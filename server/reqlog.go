package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// RequestLog is one request as pkms --debug logs it: enough to follow the
// traffic and see why a client is refused, and never a secret (no body, no
// signature, no Authorization header, no plaintext or key material).
type RequestLog struct {
	Method      string
	Target      string // the X-Amz-Target header, the operation asked for
	AccessKeyID string // from the SigV4 credential scope, "" when unsigned
	Status      int
	Code        string // the error code sent (X-Amzn-ErrorType), "" on success
	Duration    time.Duration
}

// String is the log line. Client-supplied values are quoted, so that a
// header cannot forge log lines.
func (l RequestLog) String() string {
	code := l.Code
	if code == "" {
		code = "OK"
	}
	key := "-"
	if l.AccessKeyID != "" {
		key = fmt.Sprintf("%q", l.AccessKeyID)
	}
	return fmt.Sprintf("request %s %q access-key %s -> %d %s in %s",
		l.Method, sigv4Echo(l.Target), key, l.Status, code, l.Duration.Round(time.Microsecond))
}

// logRequests wraps h so that every request is passed to s.LogRequest once
// answered; without a LogRequest hook it returns h itself.
func (s *Server) logRequests(h http.Handler) http.Handler {
	if s.LogRequest == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		s.LogRequest(RequestLog{
			Method:      sigv4Echo(r.Method),
			Target:      r.Header.Get("X-Amz-Target"),
			AccessKeyID: sigv4AccessKeyID(r),
			Status:      sw.status,
			Code:        w.Header().Get("X-Amzn-ErrorType"),
			Duration:    time.Since(start),
		})
	})
}

// statusWriter remembers the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(status int) {
	if !w.wrote {
		w.status, w.wrote = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

// sigv4AccessKeyID is the access key id a request claims in its SigV4
// credential scope, whether or not its signature holds ("" when it has
// none). An access key id is not a secret: AWS logs it too.
func sigv4AccessKeyID(r *http.Request) string {
	authz := r.Header.Get("Authorization")
	if !strings.HasPrefix(strings.TrimSpace(authz), "AWS4-") {
		return ""
	}
	a, err := sigv4ParseAuthorization(authz)
	if err != nil || !a.hasCredential {
		return ""
	}
	id, _, _ := strings.Cut(a.credential, "/")
	return sigv4Echo(id)
}
