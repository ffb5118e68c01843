package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"
)

// The byte-flip test damages a small vault one byte at a time and runs, in
// a child process bounded in time and address space, what every command
// runs: ReadHeader, Unlock, Verify, a read of every record and a write.
var (
	flipAll   = flag.Bool("flipall", false, "byte-flip test: flip every byte of the test vault, not a sample")
	flipCases = flag.Int("flipcases", 700, "byte-flip test: how many bytes to flip when not -flipall")
	flipBytes = flag.String("flipbytes", "", "byte-flip test: flip these bytes only (e.g. 4121,8192-8447)")
	flipMask  = flag.Uint("flipmask", 0xff, "byte-flip test: the mask XORed into each flipped byte")
)

const (
	envFlipPass  = "PKMS_VAULT_TEST_PASS"
	flipTimeout  = 20 * time.Second // per case: a hang is a case still running after this
	flipASMargin = 768 << 20        // address space a child may add to what it has at start
	flipPass     = "flip-pass"
)

// flipBuckets are the logical buckets of the test vault.
var flipBuckets = []string{"keys", "aliases", "tags"}

// flipOutcome is what a child reports for one damaged file. Each step is
// "ok", "same"/"different" (the read: whether it matched the undamaged
// vault), "detected: ..." (an ErrCorrupt-class error, or problems reported
// by Verify), "skipped" (an earlier step failed) or "error: ..." (any other
// error: wrong class).
type flipOutcome struct {
	Open   string `json:"open"`   // ReadHeader and Unlock
	Verify string `json:"verify"` // Verify's report
	Read   string `json:"read"`   // Get and ForEach of every record
	Write  string `json:"write"`  // one Put in an Update
}

// buildFlipVault makes the small vault: a passphrase slot and an identity
// slot, a few keys, aliases and tags, written in several transactions so
// that the file has free pages and more than one leaf.
func buildFlipVault(t *testing.T) (path string, id *age.X25519Identity) {
	t.Helper()
	id = newX25519(t)
	path = initVault(t, flipPass, id.Recipient().String())
	v := mustUnlock(t, path, flipPass)
	for i := range 4 {
		if err := v.Update(func(tx *Tx) error {
			kid := fmt.Sprintf("1234abcd-12ab-34cd-56ef-%012d", i)
			if err := tx.Put("keys", kid, bytes.Repeat([]byte{byte('a' + i)}, 300+100*i)); err != nil {
				return err
			}
			if err := tx.Put("aliases", fmt.Sprintf("alias/key-%d", i), []byte(kid)); err != nil {
				return err
			}
			return tx.Put("tags", kid, []byte(fmt.Sprintf(`[{"TagKey":"n","TagValue":"%d"}]`, i)))
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Update(func(tx *Tx) error { return tx.Delete("aliases", "alias/key-3") }); err != nil {
		t.Fatal(err)
	}
	v.Close()
	return path, id
}

// readAll reads every record of the test vault twice, by id with Get and
// by walking each bucket with ForEach, and returns a digest of what it saw.
func readAll(v *Vault) (string, error) {
	h := sha256.New()
	err := v.View(func(tx *Tx) error {
		for _, b := range flipBuckets {
			var entries []string
			if err := tx.ForEach(b, "", func(m string, val []byte) error {
				entries = append(entries, m+"="+hex.EncodeToString(val))
				return nil
			}); err != nil {
				return err
			}
			fmt.Fprintf(h, "%s %d %q\n", b, len(entries), entries)
		}
		for i := range 4 {
			kid := fmt.Sprintf("1234abcd-12ab-34cd-56ef-%012d", i)
			for _, r := range [][2]string{{"keys", kid}, {"aliases", fmt.Sprintf("alias/key-%d", i)}, {"tags", kid}} {
				val, err := tx.Get(r[0], r[1])
				if err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
				fmt.Fprintf(h, "get %s %s %x %v\n", r[0], r[1], val, err != nil)
			}
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// classify names an error: "detected" for the classes a damaged vault may
// answer (ErrCorrupt and the format errors), "error" for anything else.
func classify(err error) string {
	if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNewerFormat) || errors.Is(err, ErrOldFormat) {
		return "detected: " + err.Error()
	}
	return "error: " + err.Error()
}

// flipChild runs one case in the child process and prints its outcome.
func flipChild() {
	if err := limitAddressSpace(flipASMargin); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	path := os.Getenv(envPath)
	id, err := age.ParseX25519Identity(os.Getenv(envIdentity))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	want := os.Getenv(envPrefix)
	out := flipOutcome{Open: "ok", Verify: "skipped", Read: "skipped", Write: "skipped"}
	defer func() {
		_ = json.NewEncoder(os.Stdout).Encode(out)
	}()
	step := func(name string) { fmt.Fprintln(os.Stderr, "step:", name) }
	step("open")
	if _, err := ReadHeader(path); err != nil {
		out.Open = classify(err)
		return
	}
	opts := Options{NoSync: true, Timeout: 5 * time.Second}
	creds := Credentials{Identities: []age.Identity{id}, Passphrase: passFn(os.Getenv(envFlipPass))}
	v, err := Unlock(path, creds, opts)
	if err != nil {
		out.Open = classify(err)
		return
	}
	defer v.Close()
	step("verify")
	switch rep, err := v.Verify(nil); {
	case err != nil:
		out.Verify = classify(err)
	case !rep.OK():
		out.Verify = fmt.Sprintf("detected: %d problem(s), first: %s", len(rep.Problems), rep.Problems[0].Reason)
	default:
		out.Verify = "ok"
	}
	step("read")
	switch got, err := readAll(v); {
	case err != nil:
		out.Read = classify(err)
	case got == want:
		out.Read = "same"
	default:
		out.Read = "different"
	}
	step("write")
	if err := v.Update(func(tx *Tx) error { return tx.Put("keys", "new-key", []byte("new")) }); err != nil {
		out.Write = classify(err)
	} else {
		out.Write = "ok"
	}
}

// limitAddressSpace caps the process's address space at what it uses now
// plus margin, so that a runaway allocation ends the child with an
// out-of-memory error instead of taking the machine.
func limitAddressSpace(margin uint64) error {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil // not Linux: the parent's timeout still bounds the case
	}
	var vm uint64
	for line := range strings.Lines(string(status)) {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmSize:" && f[2] == "kB" {
			vm, _ = strconv.ParseUint(f[1], 10, 64)
		}
	}
	if vm == 0 {
		return errors.New("no VmSize in /proc/self/status")
	}
	lim := vm<<10 + margin
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
}

// flipResult is one case as the parent saw it.
type flipResult struct {
	off  int
	out  flipOutcome
	fail string // "crash: ..." or "hang" if the child did not report
}

func runFlipCase(t *testing.T, dir string, clean []byte, off int, id *age.X25519Identity, want string) flipResult {
	raw := bytes.Clone(clean)
	raw[off] ^= byte(*flipMask)
	path := filepath.Join(dir, fmt.Sprintf("flip-%d.pkms", off))
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	ctx, cancel := context.WithTimeout(context.Background(), flipTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=flip", envPath+"="+path, envIdentity+"="+id.String(),
		envPrefix+"="+want, envFlipPass+"="+flipPass, "GOMAXPROCS=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := flipResult{off: off}
	switch {
	case ctx.Err() != nil:
		res.fail = fmt.Sprintf("hang (killed after %s) in %s", flipTimeout, lastStep(stderr.String()))
	case err != nil:
		res.fail = fmt.Sprintf("crash (%v) in %s: %.300s", err, lastStep(stderr.String()), stderrTail(stderr.String()))
	default:
		if jerr := json.Unmarshal(stdout.Bytes(), &res.out); jerr != nil {
			res.fail = fmt.Sprintf("crash: no outcome (%v): %.300s", jerr, stderr.String())
		}
	}
	return res
}

// lastStep is the last step a child announced on its standard error.
func lastStep(stderr string) string {
	step := "start"
	for line := range strings.Lines(stderr) {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "step: "); ok {
			step = s
		}
	}
	return step
}

// stderrTail is a child's standard error without its step lines.
func stderrTail(stderr string) string {
	var b strings.Builder
	for line := range strings.Lines(stderr) {
		if !strings.HasPrefix(line, "step: ") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// usedBytes marks the bytes of a sound vault file that its structure uses
// (meta pages, page and element headers, keys, values, the freelist), as
// the page check walks them. A flip anywhere else (free pages, the unused
// end of a page or of the file) changes nothing bbolt reads.
func usedBytes(t *testing.T, path string) []bool {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	used := make([]bool, len(raw))
	db, err := openBolt(path, true, time.Second, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		c := &pageCheck{f: bytes.NewReader(raw), used: func(off, n uint64) {
			for i := off; i < off+n; i++ {
				used[i] = true
			}
		}}
		c.run(uint64(len(raw)), uint64(db.Info().PageSize), uint64(tx.ID()), uint64(tx.Size()), uint64(tx.Cursor().Bucket().Root()))
		if len(c.problems) > 0 {
			t.Fatalf("the clean vault fails the page check: %v", c.problems)
		}
		return nil
	})
	return used
}

// flipOffsets are the bytes to flip: all of them, or n chosen evenly, three
// quarters among the used bytes and the rest among the others, so that
// every part of every page is sampled and reruns flip the same bytes.
func flipOffsets(used []bool, n int, all bool) []int {
	var in, out []int
	for i, u := range used {
		if all || u {
			in = append(in, i)
		} else {
			out = append(out, i)
		}
	}
	if all || n >= len(used) {
		return in
	}
	pick := func(from []int, k int) []int {
		if k >= len(from) {
			return from
		}
		var offs []int
		for i := range k {
			offs = append(offs, from[i*len(from)/k])
		}
		return offs
	}
	return append(pick(in, n*3/4), pick(out, n-n*3/4)...)
}

func TestByteFlip(t *testing.T) {
	if raceEnabled && !*flipAll {
		t.Skip("child processes are slow under -race; run without -race")
	}
	path, id := buildFlipVault(t)
	clean, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := mustUnlock(t, path, flipPass)
	want, err := readAll(v)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()

	used := usedBytes(t, path)
	offs := flipOffsets(used, *flipCases, *flipAll)
	if *flipBytes != "" {
		offs = parseRanges(t, *flipBytes, len(clean))
	}
	dir := t.TempDir()
	results := make([]flipResult, len(offs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range next {
				results[i] = runFlipCase(t, dir, clean, offs[i], id, want)
			}
		})
	}
	for i := range offs {
		next <- i
	}
	close(next)
	wg.Wait()

	var crashes, wrongClass, silent []string
	counts := map[string]int{}
	for _, r := range results {
		if r.fail != "" {
			crashes = append(crashes, fmt.Sprintf("byte %d: %s", r.off, r.fail))
			continue
		}
		steps := []string{r.out.Open, r.out.Verify, r.out.Read, r.out.Write}
		for _, s := range steps {
			if strings.HasPrefix(s, "error: ") {
				wrongClass = append(wrongClass, fmt.Sprintf("byte %d: %s", r.off, s))
			}
		}
		kind := "unaffected"
		switch {
		case r.out.Read == "different" || (r.out.Verify == "ok" && r.out.Read != "same"):
			kind = "silent wrong answer"
			if used[r.off] {
				silent = append(silent, fmt.Sprintf("byte %d: %+v", r.off, r.out))
			}
		case slices.ContainsFunc(steps, func(s string) bool { return strings.HasPrefix(s, "detected") }):
			kind = "detected"
		}
		if used[r.off] {
			kind += " (used byte)"
		} else {
			kind += " (unused byte)"
		}
		counts[kind]++
	}
	nused := 0
	for _, u := range used {
		if u {
			nused++
		}
	}
	t.Logf("%d bytes of %d (%d used) flipped (mask %#x): %d crashed or hung, %d wrong error class",
		len(offs), len(clean), nused, *flipMask, len(crashes), len(wrongClass))
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		t.Logf("  %5d %s", counts[k], k)
	}
	for _, list := range []struct {
		name  string
		items []string
	}{
		{"crashed or hung", crashes},
		{"answered an error that is not ErrCorrupt", wrongClass},
		{"answered wrongly without an error at a used byte", silent},
	} {
		if len(list.items) == 0 {
			continue
		}
		msg := fmt.Sprintf("%d case(s) %s:\n%s", len(list.items), list.name, strings.Join(list.items[:min(len(list.items), 20)], "\n"))
		t.Error(msg)
	}
}

// parseRanges parses -flipbytes: comma-separated offsets and ranges a-b.
func parseRanges(t *testing.T, spec string, size int) []int {
	var offs []int
	for part := range strings.SplitSeq(spec, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b >= size {
			t.Fatalf("-flipbytes: bad range %q (the file has %d bytes)", part, size)
		}
		for i := a; i <= b; i++ {
			offs = append(offs, i)
		}
	}
	return offs
}
