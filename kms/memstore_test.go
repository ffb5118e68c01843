package kms

import (
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// memStore is an in-memory Store for tests: copy-on-write transactions
// (an Update whose function fails leaves no trace), records ordered by id,
// markers that are opaque to the service.
type memStore struct {
	mu   sync.RWMutex
	data map[string]map[string][]byte
	gen  uint64
}

func newMemStore() *memStore { return &memStore{data: map[string]map[string][]byte{}} }

// retryingStore is a Batcher at its worst: every write runs twice, the
// first time in a transaction that is thrown away, as a group commit does
// when another write of the group fails. The tests' services use it, so
// every operation is checked to leave no trace of a run that did not
// commit. batches counts the writes.
type retryingStore struct {
	*memStore
	batches atomic.Int64
}

var errThrownAway = errors.New("test: this run is thrown away")

func (r *retryingStore) Batch(fn func(Tx) error) error {
	r.batches.Add(1)
	if err := r.Update(func(tx Tx) error {
		_ = fn(tx)
		return errThrownAway
	}); !errors.Is(err, errThrownAway) {
		return err
	}
	return r.Update(fn)
}

type memTx struct {
	data     map[string]map[string][]byte
	writable bool
	gen      uint64
}

func (m *memStore) View(fn func(Tx) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(&memTx{data: m.data, gen: m.gen})
}

func (m *memStore) Update(fn func(Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := map[string]map[string][]byte{}
	for b, recs := range m.data {
		cp[b] = map[string][]byte{}
		for k, v := range recs {
			cp[b][k] = append([]byte(nil), v...)
		}
	}
	if err := fn(&memTx{data: cp, writable: true, gen: m.gen + 1}); err != nil {
		return err
	}
	m.data = cp
	m.gen++
	return nil
}

func (t *memTx) Get(bucket, id string) ([]byte, error) {
	v, ok := t.data[bucket][id]
	if !ok {
		return nil, ErrNoRecord
	}
	return append([]byte(nil), v...), nil
}

func (t *memTx) Put(bucket, id string, v []byte) error {
	if !t.writable {
		return errors.New("memstore: write in a read-only transaction")
	}
	if t.data[bucket] == nil {
		t.data[bucket] = map[string][]byte{}
	}
	t.data[bucket][id] = append([]byte(nil), v...)
	return nil
}

func (t *memTx) Delete(bucket, id string) error {
	if !t.writable {
		return errors.New("memstore: write in a read-only transaction")
	}
	delete(t.data[bucket], id)
	return nil
}

func (t *memTx) ForEach(bucket, after string, fn func(string, []byte) error) error {
	start := ""
	if after != "" {
		b, err := hex.DecodeString(after)
		if err != nil {
			return fmt.Errorf("%w: %q", ErrInvalidMarker, after)
		}
		start = string(b)
	}
	ids := make([]string, 0, len(t.data[bucket]))
	for id := range t.data[bucket] {
		if after == "" || id > start {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := fn(hex.EncodeToString([]byte(id)), t.data[bucket][id]); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

func (t *memTx) Count(bucket string) (int, error) { return len(t.data[bucket]), nil }

func (t *memTx) Generation() uint64 { return t.gen }
