package vault

import (
	"errors"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Group commit. A long-lived process (the agent, pkms serve) takes writes
// from many clients at once; committing each in its own transaction costs
// one fsync per write, so N writers arriving together wait on N fsyncs in a
// row. Batch lets concurrent writes share one transaction and one fsync,
// while each caller still returns only once its write is durable.
//
// Unlike bbolt's DB.Batch it adds no delay: a write that arrives while no
// group is being committed starts one at once, so a lone writer pays what
// Update costs; writes that arrive during a commit queue up and go together
// in the next one.

// maxBatch bounds how many writes share one transaction, and so how much
// work one failing write can cause to be done again.
const maxBatch = 64

// errBatchRetry rolls a group back so that it can run again without the
// write that failed after writing.
var errBatchRetry = errors.New("vault: batch member failed; retrying the others")

// errBatchExit answers the writes of a group whose callback called
// runtime.Goexit (t.FailNow in a test): their transaction was rolled back.
var errBatchExit = errors.New("vault: a write in the same batch exited its goroutine; nothing was written")

// batcher is the queue of writes waiting for the next group commit.
type batcher struct {
	mu      sync.Mutex
	queue   []*batchCall
	running bool // a goroutine is committing groups; it stops when the queue is empty
}

type batchCall struct {
	fn       func(*Tx) error
	done     chan struct{}
	err      error
	up       *userPanic
	answered bool // only the committing goroutine touches it
}

func (c *batchCall) answer(err error) {
	if !c.answered {
		c.answered, c.err = true, err
		close(c.done)
	}
}

// Batch is Update for callers that write concurrently: fn runs in a
// read-write transaction that may also hold other callers' writes, and
// Batch returns once that transaction is committed (and fsynced unless
// NoSync). The writes of one group run one after another in arrival order,
// each seeing the ones before it, as if each had its own transaction.
//
// fn may run more than once, so it must have no effect outside the
// transaction other than setting its results anew on every run. Precisely:
//   - fn returning an error without having written anything is that
//     caller's answer; the rest of the group commits without it.
//   - fn returning an error after writing (or panicking) rolls the group
//     back: fn then runs again alone in its own transaction, whose outcome
//     is final (a panic is re-raised in the caller's goroutine), and the
//     others run again as a group.
//
// As with Update, fn must not call View, Update or Batch.
func (v *Vault) Batch(fn func(*Tx) error) error {
	c := &batchCall{fn: fn, done: make(chan struct{})}
	b := &v.batch
	b.mu.Lock()
	b.queue = append(b.queue, c)
	start := !b.running
	b.running = true
	b.mu.Unlock()
	if start {
		go v.commitBatches()
	}
	<-c.done
	if c.up != nil {
		panic(c.up.v)
	}
	return c.err
}

// next takes the next group off the queue, or reports (nil) that the queue
// is empty, in which case the committing goroutine stops.
func (b *batcher) next() []*batchCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(len(b.queue), maxBatch)
	if n == 0 {
		b.running = false
		return nil
	}
	group := b.queue[:n:n]
	b.queue = b.queue[n:]
	if len(b.queue) == 0 {
		b.queue = nil
	}
	return group
}

// commitBatches commits groups until the queue is empty.
func (v *Vault) commitBatches() {
	var group []*batchCall
	defer func() {
		// Reached with a group in hand only when a callback called
		// runtime.Goexit: answer its writers and let a new goroutine go on.
		if group != nil {
			for _, c := range group {
				c.answer(errBatchExit)
			}
			go v.commitBatches()
		}
	}()
	for {
		group = v.batch.next()
		if group == nil {
			return
		}
		v.commitGroup(group)
	}
}

// commitGroup commits calls as one transaction; a call that fails after
// writing leaves the group and runs alone.
func (v *Vault) commitGroup(calls []*batchCall) {
	for len(calls) > 0 {
		i := v.tryGroup(calls)
		if i < 0 {
			return
		}
		c := calls[i]
		calls = append(calls[:i:i], calls[i+1:]...)
		if c.up != nil {
			c.answer(errUserPanic)
			continue
		}
		var done *Tx
		err := v.runRaw(true, func(btx *bolt.Tx) (*userPanic, error) {
			tx, up, _, err := v.inTx(btx, true, c.fn, nil)
			c.up, done = up, tx // a panic is re-raised by Batch in the caller's goroutine
			return nil, err
		})
		if err == nil && done != nil {
			v.remember(&done.ts, done.gen)
		}
		c.answer(err)
	}
}

// tryGroup runs calls in one transaction and answers them all, returning
// -1; or, when one of them failed after writing or panicked, rolls back,
// answers none and returns its index.
func (v *Vault) tryGroup(calls []*batchCall) int {
	out := -1
	errs := make([]error, len(calls))
	// last is the last call that succeeded: each call's Tx reads the
	// content summary the calls before it wrote into btx, so the last one
	// holds the summary the group commits.
	var last *Tx
	err := v.runRaw(true, func(btx *bolt.Tx) (*userPanic, error) {
		last = nil
		for i, c := range calls {
			var carry *txSummary
			if last != nil {
				carry = &last.ts
			}
			tx, up, untouched, err := v.inTx(btx, true, c.fn, carry)
			if up != nil || (err != nil && !untouched) {
				c.up, out = up, i
				return nil, errBatchRetry
			}
			if tx != nil {
				last = tx
			}
			errs[i] = err
		}
		return nil, nil
	})
	if out >= 0 {
		return out
	}
	if err == nil && last != nil {
		v.remember(&last.ts, last.gen)
	}
	for i, c := range calls {
		if err != nil {
			c.answer(err) // nothing committed: the file, the lock or the commit failed
		} else {
			c.answer(errs[i])
		}
	}
	return -1
}
