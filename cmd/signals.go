package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// Most commands stop at once on Ctrl-C: Main prints a newline and returns
// 130, as the AWS CLI does, and main exits with it. Their vault writes are
// transactions, so stopping there loses nothing that was committed and
// leaves nothing half-written. Long-running commands (agent, exec, serve)
// must instead shut down in order: finish requests in flight, record key
// usage, close the vault and remove their socket. They call withSignals (or
// set graceful), and Ctrl-C then only cancels their context.

var graceful atomic.Bool

// interrupts delivers SIGINT to runInterruptible; tests replace it.
var interrupts = func() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	return ch, func() { signal.Stop(ch) }
}

// runInterruptible runs the command line in run and returns its exit code,
// or exitInterrupt as soon as SIGINT arrives while the running command is
// not graceful (the command is abandoned: the process is about to exit).
// Every SIGINT cancels run's context.
func runInterruptible(stdout io.Writer, run func(context.Context) int) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sig, stop := interrupts()
	defer stop()
	done := make(chan int, 1)
	go func() { done <- run(ctx) }()
	for {
		select {
		case code := <-done:
			return code
		case <-sig:
			cancel()
			if graceful.Load() {
				continue // agent, exec and serve shut down in order themselves
			}
			fmt.Fprintln(stdout)
			return exitInterrupt
		}
	}
}

// withSignals returns a context cancelled by SIGTERM or SIGHUP (and, via
// Main, SIGINT), and marks the command as graceful.
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
