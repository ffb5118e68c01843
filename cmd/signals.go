package cmd

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// Most commands stop at once on Ctrl-C (main prints a newline and exits
// 130, as the AWS CLI does): their vault writes are transactions, so
// nothing is lost. Long-running commands (agent, exec, serve) must instead
// shut down in order: finish requests in flight, record key usage, close
// the vault and remove their socket. They call withSignals, which also
// tells main to cancel the context rather than exit.

var graceful atomic.Bool

// Graceful reports whether the running command stops by itself when its
// context is cancelled, so that main must not exit on SIGINT.
func Graceful() bool { return graceful.Load() }

// withSignals returns a context cancelled by SIGTERM or SIGHUP (and, via
// main, SIGINT), and marks the command as graceful.
func withSignals(ctx context.Context) context.Context {
	graceful.Store(true)
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
		signal.Stop(ch)
	}()
	return ctx
}
