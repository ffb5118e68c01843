package server

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// pkms --debug serve logs one line per request: method, operation, access
// key id, outcome and duration, and never the signature, the secret or the
// body; a rejected signature too.
func TestServeLogsEveryRequest(t *testing.T) {
	_, open := testVault(t)
	b := open()
	key, err := b.Service.CreateAccessKey(context.Background(), "log test")
	if err != nil {
		t.Fatal(err)
	}
	s := New(b)
	s.Logf = t.Logf
	s.Auth = s.SigV4Auth("")
	var mu sync.Mutex
	var lines []string
	s.LogRequest = func(l RequestLog) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, l.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- ServeTCP(ctx, s, ServeOptions{Listen: "127.0.0.1:0", Ready: func(a net.Addr) { addrc <- a }})
	}()
	var url string
	select {
	case a := <-addrc:
		url = "http://" + a.String() + "/"
	case err := <-done:
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeTCP: %v", err)
		}
	}()

	const wrongSecret = "wrongSecret0123456789abcdefghijklmnopqrs"
	body := []byte(`{"Limit":1}`)
	tests := []struct {
		name     string
		secret   string
		keyID    string
		want     []string // in the log line
		wantCode int
	}{
		{"a good signature", key.SecretAccessKey, key.AccessKeyId,
			[]string{`request POST "TrentService.ListKeys" access-key "` + key.AccessKeyId + `" -> 200 OK in `}, 200},
		{"a wrong secret", wrongSecret, key.AccessKeyId,
			[]string{`request POST "TrentService.ListKeys" access-key "` + key.AccessKeyId + `" -> 400 InvalidSignatureException in `}, 400},
		{"an unknown access key", key.SecretAccessKey, "PKMSUNKNOWNKEY000000",
			[]string{`access-key "PKMSUNKNOWNKEY000000" -> 400 UnrecognizedClientException`}, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			lines = nil
			mu.Unlock()
			req := sigv4KMSRequest(t, url, "ListKeys", body)
			sigv4Signing{keyID: tc.keyID, secret: tc.secret, region: "us-east-1", at: time.Now()}.sign(t, req, body)
			authz := req.Header.Get("Authorization")
			sig := authz[strings.Index(authz, "Signature=")+len("Signature="):]
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantCode)
			}
			mu.Lock()
			got := append([]string(nil), lines...)
			mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("logged %q, want one line", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("log line %q lacks %q", got[0], w)
				}
			}
			for _, secret := range []string{sig, tc.secret, "Signature=", "Authorization", string(body)} {
				if strings.Contains(got[0], secret) {
					t.Errorf("log line %q holds %q", got[0], secret)
				}
			}
		})
	}
}

// Client-supplied values cannot forge a second log line.
func TestRequestLogQuotes(t *testing.T) {
	l := RequestLog{Method: "POST", Target: "TrentService.X\nrequest POST forged", AccessKeyID: "AK\nID", Status: 400, Code: "UnknownOperationException", Duration: time.Millisecond}
	if got := l.String(); strings.Contains(got, "\n") || !strings.Contains(got, `"AK\nID"`) {
		t.Fatalf("String() = %q", got)
	}
}
