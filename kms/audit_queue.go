package kms

// # When events are written
//
// A call that changes the vault commits its event in the same transaction
// as the change (update), so the change is never without its record. A
// one-shot command (Options.GroupCommit false) also runs a read-only call
// and its event in one write transaction (view). A failed call's
// transaction is rolled back, so its event is written after it.
//
// The long-lived servers (GroupCommit true) keep read-only calls off the
// vault's write lock: their events (and failures) wait in memory and are
// group-committed, in the order the calls finished, at most AuditFlushDelay
// after the first of them, and at once by FlushUsage (which the servers
// call on stop, lock and SIGTERM) and Close; a commit that failed is
// retried on the same delay (unless the vault is closed or damaged). A process killed in between
// loses at most that window of read-only events; the chain it leaves is
// whole, because every commit moves events and head together. A call that
// failed because the vault itself is damaged, closed or locked by another
// process is not recorded (see vaultBroken), nor is a read of a vault file
// pkms may not write (a read-only file or file system, see notWritable).

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"syscall"
	"time"

	"github.com/pocketkms/pkms/vault"
)

// AuditFlushDelay bounds how long a group-committed event waits in memory.
const AuditFlushDelay = 200 * time.Millisecond

// auditQueue holds the events waiting for a group commit, already in the
// form a segment body stores them (appendFramed), so that queueing one
// costs a copy into a buffer that is reused from one flush to the next,
// and the flush hands the buffer to the compressor as it is.
type auditQueue struct {
	mu     sync.Mutex
	events []byte // the queued events, framed
	n      int
	last   time.Time // the last queued event's time
	timer  *time.Timer

	flushMu sync.Mutex // one flush at a time, so events keep their order
	z       compressor // the flush's, under flushMu
	spare   []byte     // the last flush's buffer, the next one's (under flushMu)
	limit   int        // maxQueuedBytes unless a test sets it
}

// maxQueuedBytes bounds the events waiting in memory: reached only when
// flushes keep failing (a full disk), since a flush normally holds what
// AuditFlushDelay brings, some megabytes at the most.
const maxQueuedBytes = 64 << 20

func (q *auditQueue) maxBytes() int {
	if q.limit > 0 {
		return q.limit
	}
	return maxQueuedBytes
}

// scratch holds the buffers events are marshalled into before they are
// queued.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// startAudit begins the record of one call, carried in the returned
// context to the transactions of the call.
func (s *Service) startAudit(ctx context.Context, source, name string, readOnly bool, params map[string]any) (context.Context, *auditCall) {
	c := s.newAuditCall(ctx, source, name, readOnly, params)
	if c == nil {
		return ctx, nil
	}
	return context.WithValue(ctx, auditCallKey{}, c), c
}

// endAudit writes the call's event unless its own transaction did: at once
// for a one-shot command, through the queue for a server.
func (s *Service) endAudit(ctx context.Context, c *auditCall, callErr error) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	written := c.written
	c.mu.Unlock()
	if written || vaultBroken(callErr) {
		return nil
	}
	ev := c.finish(callErr)
	if s.batch != nil {
		return s.queueEvent(&ev)
	}
	err := s.store.Update(func(tx Tx) error {
		t, err := s.begin(context.WithoutCancel(ctx), tx, false)
		if err != nil {
			return err
		}
		return t.appendEvent(ev)
	})
	if notWritable(err) {
		return nil // a vault pkms may not write is read unrecorded
	}
	return err
}

// notWritable reports that the vault file cannot be opened for writing
// (a read-only file or file system): pkms still reads such a vault, as it
// did before the audit trail, but cannot record the reads.
func notWritable(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// vaultBroken reports a failure of the vault itself (damaged, closed,
// locked by another process, rekeyed elsewhere, refusing a tampered key
// slot): such a call is not
// recorded, since writing to a damaged vault could spread the damage and
// the others would fail the write anyway.
func vaultBroken(err error) bool {
	for _, target := range []error{vault.ErrCorrupt, vault.ErrClosed, vault.ErrLocked, vault.ErrRekeyed, vault.ErrNewerFormat, vault.ErrSlotTampered} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// auditInTxn appends the call's event to t when this transaction is the one
// that records it; the caller marks the call written once t commits.
func (c *auditCall) auditInTxn(t *txn) (bool, error) {
	if c == nil {
		return false, nil
	}
	c.mu.Lock()
	written := c.written
	c.mu.Unlock()
	if written {
		return false, nil
	}
	return true, t.appendEvent(c.finish(nil))
}

func (c *auditCall) markWritten() {
	c.mu.Lock()
	c.written = true
	c.mu.Unlock()
}

// queueEvent queues an event for the next group commit. The caller's
// goroutine marshals it, so that the commit, which holds the vault's write
// lock, does as little as it can.
func (s *Service) queueEvent(ev *Event) error {
	account := s.knownAccount()
	if account == "" { // a call that failed before any transaction ran
		err := s.store.View(func(tx Tx) error {
			var err error
			account, err = s.accountID(tx)
			return err
		})
		if err != nil {
			return err
		}
	}
	buf := scratch.Get().(*[]byte)
	defer scratch.Put(buf)
	raw, err := appendEvent((*buf)[:0], withAccount(ev, account))
	if err != nil {
		return err
	}
	*buf = raw
	at := ev.Time()
	q := &s.auditq
	q.mu.Lock()
	if q.n > 0 && len(q.events)+len(raw) > q.maxBytes() {
		n := q.n
		q.mu.Unlock()
		// The vault has refused the queued events for a while: the call
		// fails rather than go unrecorded, and memory stops growing.
		return newErr(KMSInternalException, "the audit trail cannot be written: %d events wait for the vault; the call is refused rather than left unrecorded", n)
	}
	q.events = appendFramed(q.events, raw)
	q.n++
	q.last = at
	q.armTimer(s)
	q.mu.Unlock()
	return nil
}

// armTimer makes sure a flush comes within AuditFlushDelay. q.mu is held.
func (q *auditQueue) armTimer(s *Service) {
	if q.timer == nil {
		q.timer = time.AfterFunc(AuditFlushDelay, func() { _ = s.FlushAudit(context.Background()) })
	}
}

// FlushAudit commits the queued events in one transaction. On failure they
// stay queued, ahead of newer ones, for the next flush.
func (s *Service) FlushAudit(ctx context.Context) error {
	q := &s.auditq
	q.flushMu.Lock()
	defer q.flushMu.Unlock()
	q.mu.Lock()
	events, n, last := q.events, q.n, q.last
	q.events, q.n = q.spare[:0], 0
	if q.timer != nil {
		q.timer.Stop()
		q.timer = nil
	}
	q.mu.Unlock()
	q.spare = nil
	if n == 0 {
		q.spare = events
		return nil
	}
	// The body is built (and compressed) before the write lock is taken.
	body, err := q.z.body(events, n)
	if err == nil {
		err = s.store.Update(func(tx Tx) error {
			t, err := s.begin(ctx, tx, false)
			if err != nil {
				return err
			}
			return t.appendSegment(body, last)
		})
	}
	if err != nil {
		q.mu.Lock()
		if q.n == 0 {
			q.last = last
		}
		q.events = append(events, q.events...)
		q.n += n
		if !vaultBroken(err) {
			q.armTimer(s) // retried even if no call follows; not on a closed or damaged vault
		}
		q.mu.Unlock()
		return err
	}
	// The body was stored: the buffer is free again, and kept for the next
	// batch unless it is large and mostly idle (a burst has passed).
	if cap(events) <= keepQueueBytes || len(events) >= cap(events)/4 {
		q.spare = events
	}
	return nil
}

// Record runs fn as one recorded call of a pkms command that is not a KMS
// operation (eventSource "pkms"): whatever fn changes through this service
// commits with the event; otherwise the event is written after fn, with
// fn's failure if it failed. params must hold no secret.
func (s *Service) Record(ctx context.Context, name string, readOnly bool, params map[string]any, fn func(context.Context) error) error {
	ctx, c := s.startAudit(ctx, EventSourcePkms, name, readOnly, params)
	err := fn(ctx)
	if aerr := s.endAudit(ctx, c, err); err == nil {
		err = aerr
	}
	return err
}
