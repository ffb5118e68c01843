package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the test types on master, the
// prompt reads the slave as its terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("opening the pty slave: %v", err)
	}
	t.Cleanup(func() { m.Close() }) // ends any read still waiting on the slave
	return m, s
}

// screen is what the terminal showed.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func watch(m *os.File) *screen {
	s := &screen{}
	go func() {
		b := make([]byte, 256)
		for {
			n, err := m.Read(b)
			s.mu.Lock()
			s.buf.Write(b[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

func (s *screen) waitFor(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		ok := strings.Contains(s.buf.String(), text)
		s.mu.Unlock()
		if ok {
			return
		}
	}
	t.Fatalf("the terminal never showed %q", text)
}

// typeKeys types on master; "^C" is Ctrl-C, which the terminal turns into
// SIGINT for the foreground process (here: sent to this process, the pty
// not being its controlling terminal).
func typeKeys(t *testing.T, m *os.File, keys []string) {
	t.Helper()
	for _, k := range keys {
		if k == "^C" {
			if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := io.WriteString(m, k); err != nil {
			t.Fatal(err)
		}
	}
}

// Ctrl-C at a passphrase prompt ends the command with exit 130, also when
// Enter comes right with it: what was typed is never tried as the
// passphrase.
func TestPromptInterrupt(t *testing.T) {
	// SIGINT must never kill the test process, whatever the prompt does.
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, os.Interrupt)
	defer signal.Stop(guard)

	tests := []struct {
		name      string
		keys      []string
		want      string // the passphrase read, when not interrupted
		interrupt bool
	}{
		{"Enter", []string{"secret\n"}, "secret", false},
		{"Ctrl-C while typing", []string{"sec", "^C"}, "", true},
		{"Ctrl-C with Enter right after", []string{"sec", "^C", "\n"}, "", true},
		{"Enter with Ctrl-C right after", []string{"secret\n", "^C"}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, s := openPTY(t)
			scr := watch(m)
			g := newGlobals(&env{getenv: func(string) string { return "" }, stderr: io.Discard,
				tty: func() (*os.File, error) { return s, nil }})
			type result struct {
				b   []byte
				err error
			}
			done := make(chan result, 1)
			go func() {
				b, err := g.prompt("Secret: ")
				done <- result{b, err}
			}()
			scr.waitFor(t, "Secret: ")
			typeKeys(t, m, tc.keys)
			var r result
			select {
			case r = <-done:
			case <-time.After(3 * time.Second):
				io.WriteString(m, "\n") // let the read end
				r = <-done
				t.Errorf("the prompt still waited 3 s after the keys were typed")
			}
			code := report(io.Discard, r.err)
			if tc.interrupt {
				if code != exitInterrupt {
					t.Errorf("prompt = %q, %v (exit %d); want exit %d", r.b, r.err, code, exitInterrupt)
				}
				return
			}
			if r.err != nil || string(r.b) != tc.want {
				t.Errorf("prompt = %q, %v; want %q", r.b, r.err, tc.want)
			}
		})
	}
}

// The trip as reported: Ctrl-C and Enter together at the unlock prompt gave
// "incorrect passphrase" (exit 253) instead of exit 130.
func TestUnlockPromptInterrupt(t *testing.T) {
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, os.Interrupt)
	defer signal.Stop(guard)

	dir := t.TempDir()
	pass := filepath.Join(dir, "pass.txt")
	if err := os.WriteFile(pass, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	envs := map[string]string{"PKMS_VAULT": filepath.Join(dir, "vault.pkms"), "PKMS_PASSPHRASE_FILE": pass}
	if r := runReal(envs, "vault", "init", "--scrypt-work-factor", "10"); r.code != 0 {
		t.Fatalf("vault init: %s", r.stderr)
	}
	delete(envs, "PKMS_PASSPHRASE_FILE")
	m, s := openPTY(t)
	scr := watch(m)
	var out, errb bytes.Buffer
	e := &env{getenv: func(k string) string { return envs[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		tty: func() (*os.File, error) { return s, nil }}
	done := make(chan int, 1)
	go func() { done <- execute(context.Background(), newGlobals(e), []string{"list-keys"}) }()
	scr.waitFor(t, "Passphrase for ")
	typeKeys(t, m, []string{"correct", "^C", "\n"})
	select {
	case code := <-done:
		if code != exitInterrupt {
			t.Errorf("exit %d, stderr %q; want exit %d", code, errb.String(), exitInterrupt)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("list-keys still runs 10 s after Ctrl-C")
	}
}
