package vault

import (
	bolt "go.etcd.io/bbolt"
)

// The Tx side of the content summary (summary.go): loaded on a
// transaction's first record access, checked shard by shard as records are
// touched, updated by Put and Delete, written back at the end of a write
// transaction.

// summaryFormat is the first format with a content summary.
const summaryFormat = 3

// txSummary is a transaction's view of the content summary.
type txSummary struct {
	loaded   bool
	sum      summary // nil: a format 2 vault, which has none (read only: writes upgrade first)
	dirty    bool
	verified map[string]*[256]bool
	summer   *summer
}

// base is the bbolt generation the transaction started from.
func (tx *Tx) base() uint64 {
	id := uint64(tx.btx.ID())
	if tx.writable {
		id--
	}
	return id
}

func (tx *Tx) loadSummary() error {
	ts := &tx.ts
	if ts.loaded && ts.summer != nil {
		return nil
	}
	if ts.loaded { // carried from the Tx before in a group commit, its summer wiped
		var err error
		ts.summer, err = newSummer(tx.v.keys)
		return err
	}
	meta := tx.btx.Bucket(bucketMeta)
	if meta == nil {
		return corruptf(tx.v.path, "not a pkms vault (no meta bucket)")
	}
	format, err := readFormat(tx.v.path, meta)
	if err != nil {
		return err
	}
	if ts.summer, err = newSummer(tx.v.keys); err != nil {
		return err
	}
	if format >= summaryFormat {
		c := &tx.v.sc
		c.mu.Lock()
		if c.sum != nil && c.gen == tx.base() {
			ts.sum, ts.verified = c.sum, cloneVerified(c.verified)
		}
		c.mu.Unlock()
		if ts.sum == nil {
			if ts.sum, err = tx.v.openSummary(tx.v.keys, meta.Get(keySummary)); err != nil {
				return err
			}
			ts.verified = map[string]*[256]bool{}
		}
		if tx.writable {
			ts.sum = ts.sum.clone()
		}
	}
	ts.loaded = true
	return nil
}

// shardMismatch explains a shard that differs from the summary: by the
// first record in it that does not open, if any (the more precise error),
// else as records lost, added or rolled back.
func (tx *Tx) shardMismatch(bucket string, b *bolt.Bucket, sh byte) error {
	if b != nil {
		c := b.Cursor()
		for k, val := c.Seek([]byte{sh}); k != nil && k[0] == sh; k, val = c.Next() {
			_, value, err := tx.v.openEntry(tx.v.keys, entry{bucket: bucket, key: k, sealed: val})
			if err != nil {
				return err
			}
			clear(value)
		}
	}
	return tx.summaryMismatch(bucket)
}

func (tx *Tx) summaryMismatch(bucket string) error {
	return corruptf(tx.v.path, "bucket %q does not match the vault's content summary: a record was removed, added or replaced by an older copy outside pkms (run: pkms vault verify)", bucket)
}

// checkBucket refuses a bucket the summary lists but the file lacks.
func (tx *Tx) checkBucket(bucket string, b *bolt.Bucket) error {
	if err := tx.loadSummary(); err != nil {
		return err
	}
	if tx.ts.sum != nil && b == nil && tx.ts.sum.total(bucket) > 0 {
		return corruptf(tx.v.path, "bucket %q is missing; the vault's content summary records %d records in it", bucket, tx.ts.sum.total(bucket))
	}
	return nil
}

// checkShard compares one shard of a bucket with the summary, once per
// transaction (or per generation, through the Vault's cache).
func (tx *Tx) checkShard(bucket string, b *bolt.Bucket, sh byte) error {
	ts := &tx.ts
	if ts.sum == nil {
		return nil
	}
	vb := ts.verified[bucket]
	if vb != nil && vb[sh] {
		return nil
	}
	var got shardSum
	if b != nil {
		got = ts.summer.scanShard(b, sh)
	}
	if want := ts.sum.get(bucket, sh); got != want {
		return tx.shardMismatch(bucket, b, sh)
	}
	if vb == nil {
		vb = new([256]bool)
		ts.verified[bucket] = vb
	}
	vb[sh] = true
	return nil
}

// checkShardsBetween checks the summary's shards of bucket strictly between
// lo and hi: a walk that went from lo to hi found no record there.
func (tx *Tx) checkShardsBetween(bucket string, b *bolt.Bucket, lo, hi int) error {
	if tx.ts.sum == nil {
		return nil
	}
	for _, sh := range tx.ts.sum.shards(bucket) {
		if int(sh) > lo && int(sh) < hi {
			if err := tx.checkShard(bucket, b, sh); err != nil {
				return err
			}
		}
	}
	return nil
}

// noteWrite updates the summary for a Put (sealed != nil) or Delete of the
// record at rk, before the bucket changes. The shard was checked first.
func (tx *Tx) noteWrite(bucket string, b *bolt.Bucket, rk, sealed []byte) {
	ts := &tx.ts
	if ts.sum == nil {
		return
	}
	sh := shardOf(rk)
	v := ts.sum.get(bucket, sh)
	if old := b.Get(rk); old != nil {
		v.xor(ts.summer.elem(old))
		v.n--
	}
	if sealed != nil {
		v.add(ts.summer.elem(sealed))
	}
	ts.sum.set(bucket, sh, v)
	ts.dirty = true
}

// dropSummer wipes the transaction's record-element cipher: called when fn
// is done, so no key schedule outlives its transaction.
func (ts *txSummary) dropSummer() {
	if ts.summer != nil {
		ts.summer.wipe()
		ts.summer = nil
	}
}

// flushSummary writes the updated summary at the end of a write
// transaction.
func (tx *Tx) flushSummary() error {
	if !tx.ts.dirty {
		return nil
	}
	meta := tx.btx.Bucket(bucketMeta)
	if meta == nil {
		return corruptf(tx.v.path, "not a pkms vault (no meta bucket)")
	}
	return tx.v.putSummary(meta, tx.v.keys, tx.ts.sum)
}

// remember keeps, after a transaction at generation gen (committed, for a
// write), the summary and the shards it found sound.
func (v *Vault) remember(ts *txSummary, gen uint64) {
	if ts.sum == nil {
		return
	}
	c := &v.sc
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.sum != nil && c.gen == gen:
		for b, a := range ts.verified {
			if have := c.verified[b]; have != nil {
				for i, ok := range a {
					have[i] = have[i] || ok
				}
			} else {
				cp := *a
				c.verified[b] = &cp
			}
		}
	case c.sum == nil || gen > c.gen:
		c.gen, c.sum, c.verified = gen, ts.sum, cloneVerified(ts.verified)
	}
}
