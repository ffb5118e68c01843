package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// AgentOptions configure ServeAgent.
type AgentOptions struct {
	// IdleTimeout stops the agent after this long without a request
	// (sliding, like gpg-agent's cache TTL); 0 disables it.
	IdleTimeout time.Duration
	// MaxLifetime stops the agent this long after it started, busy or
	// not; 0 disables it.
	MaxLifetime time.Duration
	// FlushEvery is how often pending key usage is written (default 1s).
	FlushEvery time.Duration
}

// ListenAgent creates the agent's socket at path: its directory must be
// private (created 0700 when missing, refused when others can enter it),
// the socket is made 0600, and a stale socket left by a dead agent is
// replaced, while a live agent's is never touched.
func ListenAgent(path string) (*net.UnixListener, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("the agent directory %s is open to other users (mode %o); it must be 0700", dir, fi.Mode().Perm())
	}
	if _, err := os.Lstat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("an agent is already listening on %s", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// peerListener admits connections and records each peer's uid; the
// handler refuses every uid but its own.
type peerListener struct{ *net.UnixListener }

type peerConn struct {
	net.Conn
	uid int
	err error
}

func (l peerListener) Accept() (net.Conn, error) {
	c, err := l.AcceptUnix()
	if err != nil {
		return nil, err
	}
	uid, err := peerUID(c)
	return &peerConn{Conn: c, uid: uid, err: err}, nil
}

type peerKey struct{}

// ServeAgent serves s on l until s.Stop, the idle timeout or the maximum
// lifetime, then shuts down, flushes key usage, closes the vault and
// removes the socket. It returns why it stopped. The caller makes the
// process undumpable (HardenProcess) before it unlocks the vault.
func ServeAgent(ctx context.Context, s *Server, l *net.UnixListener, opts AgentOptions) error {
	own := os.Getuid()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pc, _ := r.Context().Value(peerKey{}).(*peerConn)
		if pc == nil || pc.err != nil || pc.uid != own {
			uid := -1
			if pc != nil {
				uid = pc.uid
			}
			s.logf("pkms agent: refused a connection from uid %d", uid)
			writeError(w, http.StatusForbidden, "AccessDeniedException",
				fmt.Sprintf("The pkms agent serves only uid %d; the connection came from uid %d.", own, uid), "")
			return
		}
		s.ServeHTTP(w, r)
	})
	hs := &http.Server{
		Handler:           s.logRequests(h),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, peerKey{}, c)
		},
	}
	path := l.Addr().String()
	l.SetUnlinkOnClose(true)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(peerListener{l}) }()
	reason := runUntilStopped(ctx, s, opts.FlushEvery, opts.IdleTimeout, opts.MaxLifetime, errc)
	shutdown(hs, s)
	_ = os.Remove(path)
	return reason
}

// Reasons a server stops.
var (
	ErrIdle     = errors.New("idle timeout")
	ErrLifetime = errors.New("maximum lifetime reached")
	ErrStopped  = errors.New("stopped")
)

// runUntilStopped flushes usage periodically and waits for a reason to
// stop: Stop, ctx (a signal), the listener failing, or a timeout.
func runUntilStopped(ctx context.Context, s *Server, flushEvery, idle, lifetime time.Duration, errc <-chan error) error {
	if flushEvery <= 0 {
		flushEvery = time.Second
	}
	start := time.Now()
	step := min(flushEvery, time.Second)
	if idle > 0 {
		step = min(step, idle/4)
	}
	tick := time.NewTicker(max(step, 10*time.Millisecond))
	defer tick.Stop()
	lastFlush := time.Now()
	for {
		select {
		case <-s.Stopped():
			return ErrStopped
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errc:
			return err
		case now := <-tick.C:
			if now.Sub(lastFlush) >= flushEvery {
				if err := s.FlushUsage(ctx); err != nil {
					s.logf("pkms: recording key usage: %v", err)
				}
				lastFlush = now
			}
			if lifetime > 0 && now.Sub(start) >= lifetime {
				return ErrLifetime
			}
			if idle > 0 && now.Sub(s.LastUse()) >= idle {
				return ErrIdle
			}
		}
	}
}

// shutdown lets requests in flight finish (up to 10 s), then locks the
// server: pending usage is flushed and the vault closed.
func shutdown(hs *http.Server, s *Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hs.Shutdown(ctx)
	s.Stop()
}
