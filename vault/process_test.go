package vault

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"

	"github.com/pocketkms/pkms/internal/agetest"
)

// Child processes re-execute the test binary with these variables set.
const (
	envChild    = "PKMS_VAULT_TEST_CHILD" // "writer", "looper", "rekeyer", "initer" or "flip"
	envPath     = "PKMS_VAULT_TEST_PATH"
	envIdentity = "PKMS_VAULT_TEST_IDENTITY"
	envPrefix   = "PKMS_VAULT_TEST_PREFIX"
	fillers     = 20 // extra records per looper transaction
)

func TestMain(m *testing.M) {
	if os.Getenv(envPlugin) != "" {
		os.Exit(agetest.PluginMain()) // run as age-plugin-pkmstest (plugin_test.go)
	}
	switch os.Getenv(envChild) {
	case "":
		os.Exit(m.Run())
	case "rekeyer":
		childMain(childRekeyer)
	case "writer":
		childMain(childWriter)
	case "looper":
		childMain(childLooper)
	case "flip":
		flipChild()
		os.Exit(0)
	case "initer":
		childMain(childIniter)
	default:
		fmt.Fprintln(os.Stderr, "unknown child mode")
		os.Exit(2)
	}
}

func childMain(fn func(path string, id age.Identity, prefix string) error) {
	id, err := age.ParseX25519Identity(os.Getenv(envIdentity))
	if err == nil {
		err = fn(os.Getenv(envPath), id, os.Getenv(envPrefix))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// childWriter does 10 separate write transactions, each from a fresh
// Unlock like one CLI invocation, each putting one record.
func childWriter(path string, id age.Identity, prefix string) error {
	for i := range 10 {
		v, err := Unlock(path, Credentials{Identities: []age.Identity{id}}, Options{})
		if err != nil {
			return err
		}
		rid := fmt.Sprintf("%s-%d", prefix, i)
		err = v.Update(func(tx *Tx) error { return tx.Put("keys", rid, []byte(rid)) })
		if cerr := v.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// childLooper commits transactions of 1+fillers records until killed,
// printing each transaction's id once its Update has returned.
func childLooper(path string, id age.Identity, prefix string) error {
	v, err := Unlock(path, Credentials{Identities: []age.Identity{id}}, Options{})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		rid := fmt.Sprintf("%s-%d", prefix, i)
		err := v.Update(func(tx *Tx) error {
			if err := tx.Put("keys", rid, []byte(rid)); err != nil {
				return err
			}
			for j := range fillers {
				if err := tx.Put("keys", fmt.Sprintf("%s/f%d", rid, j), []byte(fmt.Sprintf("%s/f%d", rid, j))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Println(rid)
	}
}

func childCmd(t *testing.T, mode, path string, id *age.X25519Identity, prefix string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		envChild+"="+mode, envPath+"="+path, envIdentity+"="+id.String(), envPrefix+"="+prefix)
	return cmd
}

// startReady starts a child and waits (at most a minute) for its "ready"
// line; it returns the lines the child writes after that, closed when its
// standard output ends (a partial last line is not a report), and its
// standard error, to read after cmd.Wait.
func startReady(t *testing.T, cmd *exec.Cmd, round int) (<-chan string, *strings.Builder) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- strings.TrimSuffix(line, "\n")
		}
	}()
	select {
	case l, ok := <-lines:
		if !ok || l != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: child did not start (%q): %s", round, l, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("round %d: child not ready", round)
	}
	return lines, stderr
}

func TestParallelWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns 20 processes")
	}
	x := newX25519(t)
	path := initVault(t, "", x.Recipient().String())
	const procs = 20
	var wg sync.WaitGroup
	for p := range procs {
		wg.Go(func() {
			cmd := childCmd(t, "writer", path, x, fmt.Sprintf("p%d", p))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("writer %d: %v\n%s", p, err, out)
			}
		})
	}
	wg.Wait()
	v, err := Unlock(path, Credentials{Identities: []age.Identity{x}}, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if n := count(t, v, "keys"); n != procs*10 {
		t.Fatalf("Count = %d, want %d", n, procs*10)
	}
	for p := range procs {
		for i := range 10 {
			rid := fmt.Sprintf("p%d-%d", p, i)
			if got, err := get(v, "keys", rid); err != nil || got != rid {
				t.Errorf("Get %s = %q, %v", rid, got, err)
			}
		}
	}
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 25 processes")
	}
	x := newX25519(t)
	path := initVault(t, "", x.Recipient().String())
	const rounds = 25
	committed := map[string]bool{}
	for round := range rounds {
		cmd := childCmd(t, "looper", path, x, fmt.Sprintf("r%d", round))
		lines, stderr := startReady(t, cmd, round)
		time.Sleep(time.Duration(10+rand.IntN(191)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		var reported []string
		for l := range lines {
			reported = append(reported, l)
		}
		_ = cmd.Wait()
		if stderr.Len() > 0 {
			t.Fatalf("round %d: child error: %s", round, stderr.String())
		}
		for _, r := range reported {
			committed[r] = true
		}

		// The vault unlocks and holds every reported transaction whole.
		v, err := Unlock(path, Credentials{Identities: []age.Identity{x}}, testOpts)
		if err != nil {
			t.Fatalf("round %d: Unlock after kill: %v", round, err)
		}
		groups := map[string]int{}
		err = v.View(func(tx *Tx) error {
			return tx.ForEach("keys", "", func(_ string, val []byte) error {
				rid, _, _ := strings.Cut(string(val), "/")
				groups[rid]++
				return nil
			})
		})
		v.Close()
		if err != nil {
			t.Fatalf("round %d: reading after kill: %v", round, err)
		}
		for rid := range committed {
			if groups[rid] != 1+fillers {
				t.Fatalf("round %d: committed transaction %s has %d of %d records", round, rid, groups[rid], 1+fillers)
			}
		}
		for rid, n := range groups {
			if n != 1+fillers {
				t.Fatalf("round %d: partial transaction %s visible (%d records)", round, rid, n)
			}
		}
		checkBolt(t, path)
		t.Logf("round %d: %d transactions reported, %d in the vault", round, len(reported), len(groups))
	}
	if len(committed) == 0 {
		t.Fatal("no child ever committed: the test exercised nothing")
	}
}

// checkBolt runs bbolt's consistency check on a closed vault file.
func checkBolt(t testing.TB, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error {
		var errs []string
		for err := range tx.Check() {
			errs = append(errs, err.Error())
		}
		if len(errs) > 0 {
			return fmt.Errorf("bbolt check: %s", strings.Join(errs, "; "))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
