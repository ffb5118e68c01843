package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"
)

// The command-line byte-flip test: the vault-level test (vault/flip_test.go)
// at the level a user sees, through the pkms binary and its exit codes.
var (
	cliFlipAll   = flag.Bool("flipall", false, "TestByteFlipCLI: flip every byte of the test vault, not a sample")
	cliFlipCases = flag.Int("flipcases", 40, "TestByteFlipCLI: how many bytes to flip when not -flipall")
)

const (
	cliFlipTimeout = 20 * time.Second
	// ulimit -v (KiB) for each pkms run: a Go binary reserves about 1.2 GB
	// of address space at start; the rest is what a runaway may take.
	cliFlipAS = 2 << 20
)

// pkmsRun runs pkms with args in env, bounded in time and address space,
// and returns its exit code (-1: killed after the timeout), stdout, stderr.
func pkmsRun(env []string, args ...string) (int, string, string) {
	ctx, cancel := context.WithTimeout(context.Background(), cliFlipTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", fmt.Sprintf(`ulimit -v %d && exec pkms "$@"`, cliFlipAS), "sh"}, args...)...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return -1, stdout.String(), stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		return -2, "", err.Error()
	}
	return 0, stdout.String(), stderr.String()
}

func TestByteFlipCLI(t *testing.T) {
	if raceEnabled {
		// Each case starts several pkms processes: race-instrumented, the
		// sample takes minutes. The race detector adds nothing here.
		t.Skip("runs without -race (the README's test command runs it so)")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	id1, _ := age.GenerateX25519Identity()
	id2, _ := age.GenerateX25519Identity()
	if err := os.WriteFile(filepath.Join(dir, "id.key"), []byte(id1.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vaultPath := filepath.Join(dir, "vault", "vault.pkms")
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PKMS_VAULT=" + vaultPath,
		"PKMS_IDENTITY_FILE=" + filepath.Join(dir, "id.key"), "AWS_REGION=us-east-1"}
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := pkmsRun(env, args...)
		if code != 0 {
			t.Fatalf("pkms %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return strings.TrimSpace(out)
	}
	must("vault", "init", "--recipient", id1.Recipient().String(), "--recipient", id2.Recipient().String(), "--no-passphrase")
	var keyIDs []string
	for i := range 3 {
		kid := must("create-key", "--description", fmt.Sprintf("key %d", i), "--query", "KeyMetadata.KeyId", "--output", "text")
		keyIDs = append(keyIDs, kid)
		must("create-alias", "--alias-name", fmt.Sprintf("alias/key-%d", i), "--target-key-id", kid)
		must("tag-resource", "--key-id", kid, "--tags", fmt.Sprintf("TagKey=n,TagValue=%d", i))
	}
	// The reads of each case, and what they answer on the sound vault.
	reads := [][]string{{"list-keys"}, {"list-aliases"}, {"describe-key", "--key-id", "alias/key-1"},
		{"list-resource-tags", "--key-id", keyIDs[2]}}
	var want []string
	for _, r := range reads {
		want = append(want, must(r...))
	}
	clean, err := os.ReadFile(vaultPath)
	if err != nil {
		t.Fatal(err)
	}

	// Sample the pages bbolt uses (below the high-water mark); the rest
	// of the file is never read.
	size := len(clean)
	if !*cliFlipAll {
		size = usedSize(t, vaultPath)
	}
	var offs []int
	n := min(*cliFlipCases, size)
	if *cliFlipAll {
		n = size
	}
	for i := range n {
		offs = append(offs, i*size/n)
	}
	type result struct{ fails, silent []string }
	results := make([]result, len(offs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range next {
				results[i].fails, results[i].silent = cliFlipCase(t, env, clean, offs[i], reads, want)
			}
		})
	}
	for i := range offs {
		next <- i
	}
	close(next)
	wg.Wait()
	var fails, silent []string
	for _, r := range results {
		fails = append(fails, r.fails...)
		silent = append(silent, r.silent...)
	}
	t.Logf("%d bytes of the first %d of %d flipped: %d failures (crash, hang, stack trace or an exit code other than 0, 253 and 254), "+
		"%d silent wrong answers (exit 0 with other data, or 254)",
		len(offs), size, len(clean), len(fails), len(silent))
	if len(fails) > 0 {
		t.Errorf("%d failure(s):\n%s", len(fails), strings.Join(fails[:min(len(fails), 20)], "\n"))
	}
	if len(silent) > 0 {
		msg := fmt.Sprintf("%d silent wrong answer(s):\n%s", len(silent), strings.Join(silent[:min(len(silent), 20)], "\n"))
		t.Error(msg)
	}
}

// cliFlipCase flips byte off of a copy of the vault and runs vault verify
// and the reads on it. Every run must end in time with exit 0 or 253 and no
// Go stack trace; a read that exits 0 with another answer is silent.
func cliFlipCase(t *testing.T, env []string, clean []byte, off int, reads [][]string, want []string) (fails, silent []string) {
	dir, err := os.MkdirTemp(t.TempDir(), "flip")
	if err != nil {
		t.Error(err)
		return
	}
	defer os.RemoveAll(dir)
	raw := bytes.Clone(clean)
	raw[off] ^= 0xff
	path := filepath.Join(dir, "vault.pkms")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Error(err)
		return
	}
	caseEnv := append(env[:len(env):len(env)], "PKMS_VAULT="+path)
	for i, args := range append([][]string{{"vault", "verify"}}, reads...) {
		code, out, errOut := pkmsRun(caseEnv, args...)
		cmd := fmt.Sprintf("byte %d: pkms %s", off, strings.Join(args, " "))
		switch {
		case code == -1:
			fails = append(fails, cmd+": hung (killed after "+cliFlipTimeout.String()+")")
		case strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic:") || strings.Contains(errOut, "fatal error"):
			fails = append(fails, fmt.Sprintf("%s: exit %d with a Go stack trace: %.200s", cmd, code, errOut))
		case code == 254:
			// A KMS exception (NotFound, no KMS configuration): the
			// damage went unseen and the service answered from what
			// it read, as wrong as a different answer with exit 0.
			silent = append(silent, fmt.Sprintf("%s: exit 254: %.160s", cmd, strings.TrimSpace(errOut)))
		case code != 0 && code != 253:
			fails = append(fails, fmt.Sprintf("%s: exit %d: %.200s", cmd, code, strings.TrimSpace(errOut)))
		case code == 0 && i > 0 && strings.TrimSpace(out) != want[i-1]:
			silent = append(silent, cmd+": exit 0 with another answer")
		}
	}
	return fails, silent
}

// usedSize is the part of a vault file below bbolt's high-water mark.
func usedSize(t *testing.T, path string) int {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int
	_ = db.View(func(tx *bolt.Tx) error { size = int(tx.Size()); return nil })
	return size
}
