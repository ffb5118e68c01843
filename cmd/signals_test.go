package cmd

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// TestRunInterruptible checks the Ctrl-C rule Main applies: a plain command
// is abandoned with exit 130 and a newline on stdout; a graceful one (agent,
// exec, serve) only sees its context cancelled and returns its own code.
func TestRunInterruptible(t *testing.T) {
	tests := []struct {
		name       string
		interrupt  bool
		graceful   bool
		wantCode   int
		wantStdout string
	}{
		{"no signal", false, false, 7, ""},
		{"ctrl-c on a plain command", true, false, exitInterrupt, "\n"},
		{"ctrl-c on a graceful command", true, true, 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := make(chan os.Signal, 1)
			old := interrupts
			interrupts = func() (<-chan os.Signal, func()) { return sig, func() {} }
			t.Cleanup(func() { interrupts = old; graceful.Store(false) })
			graceful.Store(tt.graceful)

			var stdout bytes.Buffer
			started := make(chan struct{})
			code := runInterruptible(&stdout, func(ctx context.Context) int {
				close(started)
				if !tt.interrupt {
					return tt.wantCode
				}
				sig <- os.Interrupt
				select {
				case <-ctx.Done():
					if tt.graceful {
						return tt.wantCode
					}
					<-t.Context().Done() // a plain command is abandoned, not waited for
				case <-time.After(10 * time.Second):
					t.Error("SIGINT did not cancel the context")
				}
				return -1
			})
			<-started
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if stdout.String() != tt.wantStdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.wantStdout)
			}
		})
	}
}
