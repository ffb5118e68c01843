package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pocketkms/pkms/crypto"
	"github.com/pocketkms/pkms/vault"
)

// TestAgentForgetsVaultKey scans a running agent's memory for the vault key
// and the keys derived from it: while unlocked there is exactly one copy
// of the vault key (its locked buffer), after `pkms agent lock` none of any
// of them, however many lock/unlock cycles and requests came before.
//
// The agent is undumpable (PR_SET_DUMPABLE=0), so only root (or
// CAP_SYS_PTRACE) can read its /proc/PID/mem: the test skips otherwise.
// CI runs as root.
func TestAgentForgetsVaultKey(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("reading the undumpable agent's /proc/PID/mem needs root (CI runs as root)")
	}
	if raceEnabled {
		// Some 200 processes of a race-instrumented pkms take minutes, and
		// the race runtime's memory is not what users run.
		t.Skip("runs without -race (the README's test command runs it so)")
	}
	dir := t.TempDir()
	runDir := filepath.Join(dir, "run")
	if err := os.Mkdir(runDir, 0o700); err != nil {
		t.Fatal(err)
	}
	pass := []byte("correct horse battery staple")
	passFile := filepath.Join(dir, "pass.txt")
	if err := os.WriteFile(passFile, append(pass, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	vaultPath := filepath.Join(dir, "vault", "vault.pkms")
	base := []string{"PKMS_VAULT=" + vaultPath, "HOME=" + dir, "XDG_RUNTIME_DIR=" + runDir, "PATH=" + os.Getenv("PATH"), "TZ=UTC"}
	withPass := append(base[:len(base):len(base)], "PKMS_PASSPHRASE_FILE="+passFile)
	pkms := func(env []string, args ...string) string {
		t.Helper()
		c := exec.Command("pkms", args...)
		c.Env = env
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		if err := c.Run(); err != nil {
			t.Fatalf("pkms %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		return out.String()
	}
	pkms(withPass, "vault", "init", "--scrypt-work-factor", "10", "--account-id", "111122223333")
	needles := vaultKeys(t, vaultPath, pass)

	for _, tc := range []struct {
		name  string
		start func(t *testing.T) (pid int, sock string, stop func())
	}{
		{"detached agent (handoff)", func(t *testing.T) (int, string, func()) {
			out := pkms(withPass, "agent", "--idle-timeout", "10m")
			pid, sock := agentAnnounce(t, out)
			return pid, sock, func() {
				pkms(append(base[:len(base):len(base)], "PKMS_AGENT_SOCK="+sock), "agent", "stop")
			}
		}},
		{"foreground agent (unlocks itself)", func(t *testing.T) (int, string, func()) {
			sock := filepath.Join(runDir, "fg.sock")
			return startBackground(t, withPass, sock, "agent", "--foreground", "--idle-timeout", "10m", "--socket", sock)
		}},
		{"serve (its agent socket)", func(t *testing.T) (int, string, func()) {
			sock := filepath.Join(runDir, "serve.sock")
			return startBackground(t, withPass, sock, "serve", "--listen", "127.0.0.1:0", "--socket", sock)
		}},
		{"exec (its private agent)", func(t *testing.T) (int, string, func()) {
			sockFile := filepath.Join(dir, "exec-sock")
			pid, _, stop := startBackground(t, withPass, sockFile, "exec", "--", "sh", "-c", `echo "$PKMS_AGENT_SOCK" > `+sockFile+`.tmp && mv `+sockFile+`.tmp `+sockFile+` && exec sleep 600`)
			sock, err := os.ReadFile(sockFile)
			if err != nil {
				t.Fatal(err)
			}
			return pid, strings.TrimSpace(string(sock)), stop
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pid, sock, stop := tc.start(t)
			defer stop()
			agent := append(base[:len(base):len(base)], "PKMS_AGENT_SOCK="+sock)
			requests := func(n int) {
				t.Helper()
				key := strings.TrimSpace(pkms(agent, "create-key", "--query", "KeyMetadata.KeyId", "--output", "text"))
				pkms(agent, "create-alias", "--alias-name", "alias/scan-"+strconv.Itoa(time.Now().Nanosecond()), "--target-key-id", key)
				for range n {
					ct := strings.TrimSpace(pkms(agent, "encrypt", "--key-id", key, "--plaintext", "aGVsbG8=", "--query", "CiphertextBlob", "--output", "text"))
					pkms(agent, "decrypt", "--ciphertext-blob", ct)
				}
				pkms(agent, "list-aliases")
				pkms(agent, "generate-data-key", "--key-id", key, "--key-spec", "AES_256")
			}
			requests(5)
			if got := scanMemory(t, pid, needles); got["vault key"] != 1 {
				t.Fatalf("unlocked agent: %d copies of the vault key, want exactly 1 (its locked buffer): %v", got["vault key"], got)
			}
			for cycle := range 3 {
				pkms(agent, "agent", "lock")
				if got := scanMemory(t, pid, needles); len(got) != 0 {
					t.Errorf("after lock (cycle %d): copies left in the agent's memory: %v", cycle, got)
				}
				pkms(append(agent, "PKMS_PASSPHRASE_FILE="+passFile), "agent", "unlock")
				requests(3)
			}
		})
	}
}

// startBackground starts pkms with args, waits until the file ready exists
// and returns its pid and a function that stops it (SIGTERM).
func startBackground(t *testing.T, env []string, ready string, args ...string) (int, string, func()) {
	t.Helper()
	c := exec.Command("pkms", args...)
	c.Env = env
	var errb bytes.Buffer
	c.Stderr = &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() {
		_ = c.Process.Signal(syscall.SIGTERM)
		_ = c.Wait()
	}
	for i := 0; ; i++ {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if i == 300 {
			stop()
			t.Fatalf("pkms %s: not ready within 30s\n%s", strings.Join(args, " "), errb.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c.Process.Pid, ready, stop
}

// vaultKeys returns the vault key, the keys derived from it and the
// handoff's base64 encoding, by name.
func vaultKeys(t *testing.T, path string, pass []byte) map[string][]byte {
	t.Helper()
	v, err := vault.Unlock(path, vault.Credentials{Passphrase: func() ([]byte, error) { return bytes.Clone(pass), nil }}, vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := v.Handoff()
	v.Close()
	if err != nil {
		t.Fatal(err)
	}
	vk := h[len(h)-crypto.KeySize:]
	// The handoff as JSON would carry it (base64), which `pkms agent
	// unlock` must not leave in the agent's request buffers.
	keys := map[string][]byte{"vault key": vk, "handoff in base64": []byte(base64.StdEncoding.EncodeToString(h))}
	labels := []string{"record id", "marker", "check", "summary element", "summary mac", "slot mac"}
	for _, b := range []string{"config", "keys", "aliases", "deletions", "expiries", "usage", "accesskeys"} {
		labels = append(labels, "record "+b)
	}
	for _, l := range labels {
		if keys[l], err = crypto.DeriveKey(vk, l); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

var announce = regexp.MustCompile(`PKMS_AGENT_SOCK='([^']+)';[\s\S]*PKMS_AGENT_PID=([0-9]+);`)

func agentAnnounce(t *testing.T, out string) (int, string) {
	t.Helper()
	m := announce.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no agent announcement in %q", out)
	}
	pid, _ := strconv.Atoi(m[2])
	return pid, m[1]
}

// maxScanMapping is the largest mapping scanMemory reads. The Go heap grows
// in 64 MiB arenas and the test agent's whole memory is far below this.
const maxScanMapping = 16 << 30

// scanMemory counts each needle in the readable mappings of process pid
// (/proc/PID/maps and /proc/PID/mem) and returns the non-zero counts.
func scanMemory(t *testing.T, pid int, needles map[string][]byte) map[string]int {
	t.Helper()
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	counts := map[string]int{}
	const chunk = 4 << 20
	buf := make([]byte, chunk+64)
	sc := bufio.NewScanner(bytes.NewReader(maps))
	scanned := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[1][0] != 'r' || (len(f) >= 6 && (f[5] == "[vvar]" || f[5] == "[vsyscall]" || f[5] == "[vvar_vclock]")) {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad maps line %q", sc.Text())
		}
		if end-start > maxScanMapping {
			// Only the race detector's shadow memory is this large: terabytes
			// reserved for its own metadata, never the program's data.
			continue
		}
		// Read in chunks overlapping by 63 bytes, so that a key across a
		// chunk boundary is seen once.
		for off := start; off < end; off += chunk {
			n := min(uint64(len(buf)), end-off)
			got, err := mem.ReadAt(buf[:n], int64(off))
			if err != nil && got == 0 {
				break // unreadable (e.g. a device mapping)
			}
			scanned += got
			b := buf[:got]
			for name, k := range needles {
				for i := 0; ; {
					j := bytes.Index(b[i:], k)
					if j < 0 {
						break
					}
					if off+uint64(i+j) < min(off+chunk, end) {
						counts[name]++
					}
					i += j + 1
				}
			}
		}
	}
	if scanned == 0 {
		t.Fatalf("read nothing of process %d's memory", pid)
	}
	return counts
}
