package cmd

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func dumpable(t *testing.T) int {
	t.Helper()
	d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The detached agent makes itself undumpable before it reads the handoff
// (the vault key): here the handoff is written only once this process (the
// agent, run in-process) is undumpable, so an agent that read first would
// wait for it until the test gives up.
func TestDetachedAgentUndumpableBeforeHandoff(t *testing.T) {
	envs := vaultEnv(t)
	var stderr bytes.Buffer
	g := newGlobals(&env{getenv: func(k string) string { return envs[k] }, stdout: &bytes.Buffer{}, stderr: &stderr})
	v, err := g.unlockVault()
	if err != nil {
		t.Fatal(err)
	}
	h, err := v.Handoff()
	v.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0) })

	hr, hw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	rr, rw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// The agent owns (and closes) its descriptors, as after exec.
	hfd, err := syscall.Dup(int(hr.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	rfd, err := syscall.Dup(int(rw.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	hr.Close()
	rw.Close()
	defer rr.Close()
	f := &agentFlags{socket: filepath.Join(envs["XDG_RUNTIME_DIR"], "undumpable.sock"), handoffFD: hfd, readyFD: rfd}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- g.runDetachedAgent(ctx, f) }()

	for deadline := time.Now().Add(5 * time.Second); dumpable(t) != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			hw.Close() // the agent's read ends, without a handoff
			<-done
			t.Fatal("the agent was still dumpable while it waited for the handoff")
		}
	}
	if _, err := hw.Write(h); err != nil {
		t.Fatal(err)
	}
	hw.Close()
	clear(h)
	line, _ := bufio.NewReader(rr).ReadString('\n')
	if strings.TrimSpace(line) != "ok" {
		t.Fatalf("the agent reported %q\n%s", line, stderr.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the agent returned %v", err)
	}
}
