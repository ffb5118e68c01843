package vault

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// queued returns how many writes wait for the next group commit.
func (b *batcher) queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

// holdBatch starts a Batch whose callback blocks until release is called,
// so that the writes queued meanwhile form the next group, in the order
// they were queued.
func holdBatch(t *testing.T, v *Vault) (release func()) {
	t.Helper()
	entered, gate, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- v.Batch(func(tx *Tx) error {
			close(entered)
			<-gate
			return nil
		})
	}()
	<-entered
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(gate)
			if err := <-done; err != nil {
				t.Errorf("holding batch: %v", err)
			}
		})
	}
	t.Cleanup(release) // a test that stops early does not leave the vault held
	return release
}

// enqueue starts Batch(fn) and returns once it is queued; the result comes
// on the channel (a recovered panic as a *panicked error).
func enqueue(t *testing.T, v *Vault, fn func(*Tx) error) <-chan error {
	t.Helper()
	before := v.batch.queued()
	res := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				res <- &panicked{r}
			}
		}()
		res <- v.Batch(fn)
	}()
	for deadline := time.Now().Add(10 * time.Second); v.batch.queued() == before; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatal("the write was not queued for a group commit")
		}
	}
	return res
}

type panicked struct{ v any }

func (p *panicked) Error() string { return fmt.Sprint("panic: ", p.v) }

func TestBatchGroupSemantics(t *testing.T) {
	type member struct {
		name                      string
		write, fail, boom, goexit bool
	}
	cases := []struct {
		name    string
		members []member
		runs    []int32 // how often each member's callback ran
		stored  []bool  // whether each member's record is in the vault after
	}{
		{"all succeed: one commit", []member{{name: "a", write: true}, {name: "b", write: true}, {name: "c", write: true}},
			[]int32{1, 1, 1}, []bool{true, true, true}},
		{"error before writing: the others commit, nothing runs again", []member{{name: "a", write: true}, {name: "b", fail: true}, {name: "c", write: true}},
			[]int32{1, 1, 1}, []bool{true, false, true}},
		{"error after writing: rolled back, runs alone, the others run again", []member{{name: "a", write: true}, {name: "b", write: true, fail: true}, {name: "c", write: true}},
			[]int32{2, 2, 1}, []bool{true, false, true}},
		{"panic: re-raised in its caller, the others run again", []member{{name: "a", write: true}, {name: "b", write: true, boom: true}, {name: "c", write: true}},
			[]int32{2, 1, 1}, []bool{true, false, true}},
		{"Goexit: the group is answered, nothing lands", []member{{name: "a", write: true}, {name: "b", goexit: true}, {name: "c", write: true}},
			[]int32{1, 1, 0}, []bool{false, false, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := mustUnlock(t, initVault(t, "pw"), "pw")
			release := holdBatch(t, v)
			runs := make([]atomic.Int32, len(tc.members))
			gens := make([]atomic.Uint64, len(tc.members))
			results := make([]<-chan error, len(tc.members))
			for i, m := range tc.members {
				results[i] = enqueue(t, v, func(tx *Tx) error {
					runs[i].Add(1)
					gens[i].Store(tx.Generation())
					if m.write {
						if err := tx.Put("t", m.name, []byte(m.name)); err != nil {
							return err
						}
					}
					switch {
					case m.boom:
						panic(m.name)
					case m.goexit:
						runtime.Goexit()
					case m.fail:
						return errors.New(m.name + " failed")
					}
					return nil
				})
			}
			release()
			var gen uint64
			for i, m := range tc.members {
				err := <-results[i]
				var p *panicked
				switch {
				case m.boom:
					if !errors.As(err, &p) || p.v != m.name {
						t.Errorf("%s: got %v, want its panic", m.name, err)
					}
				case m.goexit || tc.members[1].goexit:
					if !errors.Is(err, errBatchExit) {
						t.Errorf("%s: got %v, want errBatchExit", m.name, err)
					}
				case m.fail:
					if err == nil || err.Error() != m.name+" failed" {
						t.Errorf("%s: got %v, want its own error", m.name, err)
					}
				default:
					if err != nil {
						t.Errorf("%s: %v", m.name, err)
					}
					// The writes that succeeded share one commit.
					if gen == 0 {
						gen = gens[i].Load()
					} else if g := gens[i].Load(); g != gen {
						t.Errorf("%s committed in generation %d, the others in %d", m.name, g, gen)
					}
				}
				if n := runs[i].Load(); n != tc.runs[i] {
					t.Errorf("%s ran %d times, want %d", m.name, n, tc.runs[i])
				}
			}
			err := v.View(func(tx *Tx) error {
				for i, m := range tc.members {
					_, err := tx.Get("t", m.name)
					if got := err == nil; got != tc.stored[i] {
						t.Errorf("%s stored: %v (%v), want %v", m.name, got, err, tc.stored[i])
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The vault takes writes afterwards.
			if err := v.Batch(func(tx *Tx) error { return tx.Put("t", "after", nil) }); err != nil {
				t.Fatalf("Batch after: %v", err)
			}
		})
	}
}

// TestBatchConcurrentCounter: read-modify-write through Batch from many
// goroutines loses no update, as if each had its own transaction.
func TestBatchConcurrentCounter(t *testing.T) {
	v := mustUnlock(t, initVault(t, "pw"), "pw")
	const writers, each = 8, 40
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				err := v.Batch(func(tx *Tx) error {
					n := 0
					if b, err := tx.Get("t", "n"); err == nil {
						n, _ = strconv.Atoi(string(b))
					} else if !errors.Is(err, ErrNotFound) {
						return err
					}
					return tx.Put("t", "n", []byte(strconv.Itoa(n+1)))
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var got []byte
	if err := v.View(func(tx *Tx) (err error) { got, err = tx.Get("t", "n"); return err }); err != nil {
		t.Fatal(err)
	}
	if string(got) != strconv.Itoa(writers*each) {
		t.Fatalf("counter = %s, want %d", got, writers*each)
	}
}

func TestBatchClosed(t *testing.T) {
	v := mustUnlock(t, initVault(t, "pw"), "pw")
	v.Close()
	done := make(chan error, 1)
	go func() { done <- v.Batch(func(tx *Tx) error { return nil }) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Batch on a closed vault: %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Batch on a closed vault did not return")
	}
}

// TestBatchKeepsContentSummary commits groups of writes to many records and
// then opens the file afresh: the content summary each group committed must
// match the records it wrote (every call in a group sees the summary the
// calls before it wrote into the same transaction).
func TestBatchKeepsContentSummary(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				if err := v.Batch(func(tx *Tx) error {
					return tx.Put("t", fmt.Sprintf("w%d-%d", w, j), []byte("x"))
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	fresh := mustUnlock(t, path, "pw")
	var n int
	if err := fresh.View(func(tx *Tx) (err error) { n, err = tx.Count("t"); return err }); err != nil {
		t.Fatalf("reading the records a group commit wrote: %v", err)
	}
	if n != writers*each {
		t.Fatalf("count = %d, want %d", n, writers*each)
	}
	rep, err := fresh.Verify(nil)
	if err != nil || !rep.OK() {
		t.Fatalf("verify after group commits: %v %+v", err, rep)
	}
}
