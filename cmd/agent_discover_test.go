package cmd

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from a serving goroutine while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAgentDiscovery: with pkms serve holding the vault, a plain command
// (no PKMS_AGENT_SOCK, and no way to unlock) finds serve's agent socket by
// itself and goes through it; serve prints the export line on start; a
// command on another vault in the same agent directory does not use it.
func TestAgentDiscovery(t *testing.T) {
	envs := vaultEnv(t)
	key := strings.TrimSpace(runReal(envs, "create-key", "--query", "KeyMetadata.KeyId", "--output", "text").stdout)
	if key == "" {
		t.Fatal("create-key printed nothing")
	}
	other := vaultEnv(t)
	other["XDG_RUNTIME_DIR"] = envs["XDG_RUNTIME_DIR"]

	var serveErr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		e := &env{getenv: func(k string) string { return envs[k] }, stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &serveErr,
			tty: func() (*os.File, error) { return nil, os.ErrNotExist }}
		done <- execute(ctx, newGlobals(e), []string{"serve", "--listen", "127.0.0.1:0"})
	}()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(serveErr.String(), "export PKMS_AGENT_SOCK=") {
		if time.Now().After(deadline) {
			t.Fatalf("pkms serve printed no export line:\n%s", serveErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	noUnlock := map[string]string{}
	for k, v := range envs {
		if k != "PKMS_IDENTITY_FILE" {
			noUnlock[k] = v
		}
	}
	for _, tc := range []struct {
		name string
		envs map[string]string
		args []string
		code int
		out  string
	}{
		{"operation", noUnlock, []string{"list-keys", "--query", "Keys[0].KeyId", "--output", "text"}, 0, key},
		{"agent status", noUnlock, []string{"agent", "status", "--query", "Locked", "--output", "text"}, 0, "False"},
		{"another vault", other, []string{"list-keys", "--query", "length(Keys)"}, 0, "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := runReal(tc.envs, tc.args...)
			if r.code != tc.code || strings.TrimSpace(r.stdout) != tc.out {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant exit %d and %q", r.code, r.stdout, r.stderr, tc.code, tc.out)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("took %v", time.Since(start))
			}
		})
	}
}

// TestAgentFinder drives the agent-finding concern on its own, without a
// globals: PKMS_AGENT_SOCK wins without looking for the vault; otherwise
// the search runs once per command however often it is asked; agentDir
// follows XDG_RUNTIME_DIR.
func TestAgentFinder(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantSocket string
		wantLooks  int
		wantDir    string
	}{
		{"announced agent", map[string]string{"PKMS_AGENT_SOCK": "/run/a.sock", "XDG_RUNTIME_DIR": "/run/u"}, "/run/a.sock", 0, "/run/u/pkms"},
		{"no vault: searched once", map[string]string{"XDG_RUNTIME_DIR": "/run/u"}, "", 1, "/run/u/pkms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			looks := 0
			a := agentFinder{
				getenv:    func(k string) string { return tt.env[k] },
				vaultFile: func() (string, error) { looks++; return "", os.ErrNotExist },
				logf:      func(string, ...any) {},
			}
			for range 3 {
				if got := a.agentSocket(); got != tt.wantSocket {
					t.Fatalf("agentSocket() = %q, want %q", got, tt.wantSocket)
				}
			}
			if looks != tt.wantLooks {
				t.Errorf("looked for the vault %d times, want %d", looks, tt.wantLooks)
			}
			if got := a.agentDir(); got != tt.wantDir {
				t.Errorf("agentDir() = %q, want %q", got, tt.wantDir)
			}
		})
	}
}
