package vault

import (
	"encoding/hex"

	bolt "go.etcd.io/bbolt"
)

// entry is one key/value pair found under the data bucket, as stored. Rekey,
// Verify and Export all see records through walkEntries and openEntry, so
// they agree on what a record is and on what counts as damage.
type entry struct {
	bucket string // logical bucket
	key    []byte // on-disk key
	sealed []byte // stored value; nil for a nested bucket
	stray  bool   // a plain value directly in the data bucket (bucket = "")
}

// walkEntries calls fn for every entry of every logical bucket, in on-disk
// order (bucket name, then on-disk key), and for any plain value stored
// directly in the data bucket. The slices are valid only during fn; fn must
// not modify the data bucket.
func walkEntries(data *bolt.Bucket, fn func(entry) error) error {
	c := data.Cursor()
	for name, val := c.First(); name != nil; name, val = c.Next() {
		if val != nil {
			if err := fn(entry{key: name, sealed: val, stray: true}); err != nil {
				return err
			}
			continue
		}
		bc := data.Bucket(name).Cursor()
		for k, v := bc.First(); k != nil; k, v = bc.Next() {
			if err := fn(entry{bucket: string(name), key: k, sealed: v}); err != nil {
				return err
			}
		}
	}
	return nil
}

// countEntries is the number of entries walkEntries visits, without
// decrypting anything (for progress totals and the export header).
func countEntries(data *bolt.Bucket) int {
	n := 0
	_ = walkEntries(data, func(entry) error { n++; return nil })
	return n
}

// openEntry authenticates an entry under the key set k and returns the
// record's logical id and value, or ErrCorrupt with a *RecordProblem.
func (v *Vault) openEntry(k *keySet, e entry) (id string, value []byte, err error) {
	switch {
	case e.stray:
		return "", nil, v.recordCorrupt("", hex.EncodeToString(e.key), "is a plain value in the data bucket, not in a logical bucket")
	case validBucket(e.bucket) != nil:
		return "", nil, v.recordCorrupt(e.bucket, hex.EncodeToString(e.key), "is in a bucket whose name is invalid")
	case e.sealed == nil:
		return "", nil, v.recordCorrupt(e.bucket, hex.EncodeToString(e.key), "is a nested bucket, not a record")
	}
	return v.openWith(k, e.bucket, e.key, e.sealed)
}

// progressFunc calls a caller's progress callback at most about 200 times
// per walk (and always for the last record), capturing a panic in it so
// that the transaction is rolled back before the panic goes on.
type progressFunc struct {
	fn          func(done, total int)
	total, step int
	panicked    *userPanic
}

func newProgress(fn func(done, total int), total int) *progressFunc {
	return &progressFunc{fn: fn, total: total, step: max(1, total/200)}
}

// report returns errUserPanic if the callback panicked.
func (p *progressFunc) report(done int) error {
	if p.fn == nil || (done%p.step != 0 && done != p.total) {
		return nil
	}
	if up, _ := callUser(func() error { p.fn(done, p.total); return nil }); up != nil {
		p.panicked = up
		return errUserPanic
	}
	return nil
}
