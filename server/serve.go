package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ServeOptions configure ServeHTTP.
type ServeOptions struct {
	// Listen is host:port. Only loopback addresses are accepted unless
	// AllowRemote is set, which also requires TLS.
	Listen      string
	AllowRemote bool
	TLSCert     string // PEM certificate file
	TLSKey      string // PEM private key file
	// FlushEvery is how often pending key usage is written (default 1s).
	FlushEvery time.Duration
	// Ready, when set, receives the bound address once the server listens.
	Ready func(addr net.Addr)
}

// ErrNotLoopback is returned for a non-loopback listen address without
// AllowRemote and TLS.
var ErrNotLoopback = errors.New("pkms serve listens on loopback only")

// CheckListen validates a listen address against the loopback rule.
func CheckListen(addr string, allowRemote, tlsConfigured bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.IsLoopback() {
		return nil
	}
	if !allowRemote {
		return fmt.Errorf("%w: %s is not a loopback address (use 127.0.0.1, or --allow-remote with --tls-cert and --tls-key)", ErrNotLoopback, addr)
	}
	if !tlsConfigured {
		return fmt.Errorf("%w: --allow-remote requires --tls-cert and --tls-key", ErrNotLoopback)
	}
	return nil
}

// ServeTCP serves s (with s.Auth set to a SigV4 check by the caller) on a
// TCP listener until ctx is done (SIGTERM) or s.Stop, then shuts down
// gracefully: requests in flight finish, key usage is flushed and the
// vault closed.
func ServeTCP(ctx context.Context, s *Server, opts ServeOptions) error {
	tlsOn := opts.TLSCert != "" || opts.TLSKey != ""
	if err := CheckListen(opts.Listen, opts.AllowRemote, tlsOn); err != nil {
		return err
	}
	if s.Auth == nil {
		return errors.New("pkms serve needs request authentication")
	}
	l, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           s.logRequests(s),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if tlsOn {
		cert, err := tls.LoadX509KeyPair(opts.TLSCert, opts.TLSKey)
		if err != nil {
			l.Close()
			return fmt.Errorf("TLS: %w", err)
		}
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		l = tls.NewListener(l, hs.TLSConfig)
	}
	if opts.Ready != nil {
		opts.Ready(l.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	reason := runUntilStopped(ctx, s, opts.FlushEvery, 0, 0, errc)
	shutdown(hs, s)
	if errors.Is(reason, context.Canceled) || errors.Is(reason, ErrStopped) {
		return nil
	}
	return reason
}
