package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/pocketkms/pkms/crypto"
)

// Tx is a vault transaction, valid only inside the View or Update callback
// that received it and only on that goroutine. Records are addressed by
// (bucket, logical id); values are opaque bytes to the vault.
type Tx struct {
	v        *Vault
	btx      *bolt.Tx
	writable bool
	failed   error     // set when bbolt panicked: the transaction must not commit
	wrote    bool      // Put or Delete was called: the transaction may differ from its start
	ts       txSummary // the content summary as this transaction sees it
	gen      uint64    // bbolt's id of the transaction (the generation it commits, for a write)
}

const (
	recordKeySize  = sha256.Size
	markerMACSize  = 8
	markerLen      = 54 // base64url, unpadded, of recordKeySize+markerMACSize bytes
	maxBucketName  = 255
	maxRecordID    = 4096
	recordAADLabel = "pkms record v2"
)

var (
	errTxDone     = errors.New("vault: transaction used outside its callback")
	errTxReadOnly = errors.New("vault: write in a read-only transaction (use Update)")
)

func validBucket(name string) error {
	if name == "" || len(name) > maxBucketName || !utf8.ValidString(name) ||
		strings.IndexFunc(name, func(r rune) bool { return r == 0 || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("vault: invalid bucket name %q", name)
	}
	return nil
}

func validID(id string) error {
	if id == "" || len(id) > maxRecordID {
		return fmt.Errorf("vault: record id must be 1..%d bytes", maxRecordID)
	}
	return nil
}

// recordKey is the on-disk key of a record under the current keys.
func (v *Vault) recordKey(bucket, id string) []byte { return v.keys.recordKey(bucket, id) }

// recordAAD binds a sealed value to its vault, bucket and on-disk key.
func (v *Vault) recordAAD(bucket string, rk []byte) []byte {
	aad := make([]byte, 0, len(recordAADLabel)+len(v.id)+len(bucket)+1+len(rk))
	aad = append(aad, recordAADLabel...)
	aad = append(aad, v.id...)
	aad = append(aad, bucket...)
	aad = append(aad, 0)
	return append(aad, rk...)
}

// encodeRecord is the plaintext of a format 2 record: uvarint(len(id)) ‖ id
// ‖ value. The logical id travels inside the seal so that rekey and export,
// which see only on-disk keys (HMACs), can recover it.
func encodeRecord(id string, value []byte) []byte {
	pt := make([]byte, 0, binary.MaxVarintLen64+len(id)+len(value))
	pt = binary.AppendUvarint(pt, uint64(len(id)))
	pt = append(pt, id...)
	return append(pt, value...)
}

// decodeRecord splits a record plaintext; ok is false if it is malformed.
func decodeRecord(pt []byte) (id string, value []byte, ok bool) {
	n, w := binary.Uvarint(pt)
	if w <= 0 || n == 0 || n > maxRecordID || n > uint64(len(pt)-w) {
		return "", nil, false
	}
	return string(pt[w : w+int(n)]), pt[w+int(n):], true
}

// marker is the pagination marker of a record: its on-disk key and a short
// MAC binding it to this vault and bucket, base64url without padding.
func (v *Vault) marker(bucket string, rk []byte) string { return markerWith(v.keys, bucket, rk) }

func markerWith(k *keySet, bucket string, rk []byte) string {
	buf := make([]byte, 0, recordKeySize+markerMACSize)
	buf = append(buf, rk...)
	buf = append(buf, k.markerMAC(bucket, rk)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

func (v *Vault) parseMarker(bucket, marker string) ([]byte, error) {
	if len(marker) != markerLen {
		return nil, ErrInvalidMarker
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(marker)
	if err != nil || len(raw) != recordKeySize+markerMACSize {
		return nil, ErrInvalidMarker
	}
	rk := raw[:recordKeySize]
	if !hmac.Equal(raw[recordKeySize:], v.keys.markerMAC(bucket, rk)) {
		return nil, ErrInvalidMarker
	}
	return rk, nil
}

// openRecord authenticates and decrypts a stored record under the current
// keys, returning its logical id and value. It never panics.
func (v *Vault) openRecord(bucket string, rk, sealed []byte) (string, []byte, error) {
	return v.openWith(v.keys, bucket, rk, sealed)
}

// openWith is openRecord under the key set k. Besides the AEAD check (which
// binds the value to vault, bucket and on-disk key), the id inside must hash
// to the on-disk key: a record sealed for one id is never returned for
// another, even if the AAD binding were ever weakened.
func (v *Vault) openWith(k *keySet, bucket string, rk, sealed []byte) (string, []byte, error) {
	if len(rk) != recordKeySize {
		return "", nil, v.recordCorrupt(bucket, hex.EncodeToString(rk), fmt.Sprintf("is not a record (on-disk key of %d bytes, want %d)", len(rk), recordKeySize))
	}
	key, err := k.forBucket(bucket)
	if err != nil {
		return "", nil, err
	}
	pt, err := crypto.Open(key, sealed, v.recordAAD(bucket, rk))
	if err != nil {
		return "", nil, v.recordCorrupt(bucket, markerWith(k, bucket, rk), "failed authentication (modified, moved from another record or from another vault)")
	}
	id, value, ok := decodeRecord(pt)
	if !ok {
		return "", nil, v.recordCorrupt(bucket, markerWith(k, bucket, rk), "is malformed (no valid record id inside)")
	}
	if !hmac.Equal(k.recordKey(bucket, id), rk) {
		return "", nil, v.recordCorrupt(bucket, markerWith(k, bucket, rk), "holds the id of another record")
	}
	return id, value, nil
}

// RecordProblem names a stored record that does not open, and why. Get,
// ForEach, Rekey and Export return it inside ErrCorrupt (errors.As);
// Verify lists every one.
type RecordProblem struct {
	Bucket string // the logical bucket ("" for an entry directly in the data bucket)
	Record string // the record's marker (as ForEach gives it), or its on-disk key in hex if it has no marker
	Reason string
}

func (p *RecordProblem) Error() string {
	return fmt.Sprintf("record %s in bucket %q %s", p.Record, p.Bucket, p.Reason)
}

func (v *Vault) recordCorrupt(bucket, record, reason string) error {
	p := &RecordProblem{Bucket: bucket, Record: record, Reason: reason}
	return &vaultError{sentinel: ErrCorrupt, msg: fmt.Sprintf("vault %s is corrupt: %s", v.path, p), cause: p}
}

// sealRecord seals (id, value) under the current keys and returns the
// on-disk key and the stored value.
func (v *Vault) sealRecord(bucket, id string, value []byte) (rk, sealed []byte, err error) {
	return v.sealWith(v.keys, bucket, id, value)
}

func (v *Vault) sealWith(k *keySet, bucket, id string, value []byte) (rk, sealed []byte, err error) {
	key, err := k.forBucket(bucket)
	if err != nil {
		return nil, nil, err
	}
	rk = k.recordKey(bucket, id)
	pt := encodeRecord(id, value)
	defer clear(pt)
	sealed, err = crypto.Seal(v.rand, key, pt, v.recordAAD(bucket, rk))
	return rk, sealed, err
}

// guard turns a bbolt panic inside a Tx method into ErrCorrupt and poisons
// the transaction so that it cannot commit. It must be deferred after
// debug.SetPanicOnFault.
func (tx *Tx) guard(err *error) {
	if r := recover(); r != nil {
		tx.v.bad.Store(true)
		tx.failed = corruptf(tx.v.path, "damaged file: %s", panicDetail(r))
		*err = tx.failed
	}
}

func (tx *Tx) check(bucket string) error {
	if tx.btx == nil {
		return errTxDone
	}
	if tx.failed != nil {
		return tx.failed
	}
	return validBucket(bucket)
}

// dataBucket returns the bbolt bucket of a logical bucket, nil if absent.
func (tx *Tx) dataBucket(bucket string) (*bolt.Bucket, error) {
	data := tx.btx.Bucket(bucketData)
	if data == nil {
		return nil, corruptf(tx.v.path, "no data bucket")
	}
	return data.Bucket([]byte(bucket)), nil
}

// Get returns the value of a record, ErrNotFound if there is none, or
// ErrCorrupt if the stored value does not authenticate.
func (tx *Tx) Get(bucket, id string) (val []byte, err error) {
	if err := tx.check(bucket); err != nil {
		return nil, err
	}
	if err := validID(id); err != nil {
		return nil, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer tx.guard(&err)
	b, err := tx.dataBucket(bucket)
	if err != nil {
		return nil, err
	}
	if err := tx.checkBucket(bucket, b); err != nil {
		return nil, err
	}
	rk := tx.v.recordKey(bucket, id)
	if err := tx.checkShard(bucket, b, shardOf(rk)); err != nil {
		return nil, err
	}
	var sealed []byte
	if b != nil {
		sealed = b.Get(rk)
	}
	if sealed == nil {
		return nil, fmt.Errorf("%w: %s %q", ErrNotFound, bucket, id)
	}
	_, val, err = tx.v.openRecord(bucket, rk, sealed)
	return val, err
}

// Put stores value under (bucket, id), creating the bucket on first use.
func (tx *Tx) Put(bucket, id string, value []byte) (err error) {
	if err := tx.check(bucket); err != nil {
		return err
	}
	if !tx.writable {
		return errTxReadOnly
	}
	if err := validID(id); err != nil {
		return err
	}
	tx.wrote = true
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer tx.guard(&err)
	data := tx.btx.Bucket(bucketData)
	if data == nil {
		return corruptf(tx.v.path, "no data bucket")
	}
	if err := tx.checkBucket(bucket, data.Bucket([]byte(bucket))); err != nil {
		return err
	}
	b, err := data.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		if errors.Is(err, berrors.ErrIncompatibleValue) {
			return corruptf(tx.v.path, "bucket %q is not a bucket", bucket)
		}
		return fmt.Errorf("vault: bucket %q: %w", bucket, err)
	}
	rk, sealed, err := tx.v.sealRecord(bucket, id, value)
	if err != nil {
		return fmt.Errorf("vault: sealing a record of bucket %q: %w", bucket, err)
	}
	if err := tx.checkShard(bucket, b, shardOf(rk)); err != nil {
		return err
	}
	tx.noteWrite(bucket, b, rk, sealed)
	if err := b.Put(rk, sealed); err != nil {
		return fmt.Errorf("vault: bucket %q: %w", bucket, err)
	}
	return nil
}

// Delete removes a record; an absent record is not an error.
func (tx *Tx) Delete(bucket, id string) (err error) {
	if err := tx.check(bucket); err != nil {
		return err
	}
	if !tx.writable {
		return errTxReadOnly
	}
	if err := validID(id); err != nil {
		return err
	}
	tx.wrote = true
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer tx.guard(&err)
	b, err := tx.dataBucket(bucket)
	if err != nil {
		return err
	}
	if err := tx.checkBucket(bucket, b); err != nil || b == nil {
		return err
	}
	rk := tx.v.recordKey(bucket, id)
	if err := tx.checkShard(bucket, b, shardOf(rk)); err != nil {
		return err
	}
	tx.noteWrite(bucket, b, rk, nil)
	if err := b.Delete(rk); err != nil {
		if errors.Is(err, berrors.ErrIncompatibleValue) {
			return corruptf(tx.v.path, "bucket %q holds a nested bucket", bucket)
		}
		return fmt.Errorf("vault: bucket %q: %w", bucket, err)
	}
	return nil
}

// ForEach visits the records of bucket in on-disk order (which is unrelated
// to the logical ids), starting strictly after the marker after ("" = from
// the first). fn gets each record's marker, an opaque printable ASCII string
// of 54 characters usable as a pagination marker, and its value. If fn
// returns ErrStop the walk ends and ForEach returns nil; any other error is
// returned as is. A marker that this vault did not produce for this bucket is
// ErrInvalidMarker; the record a marker names may have been deleted since.
// fn must not Put or Delete in the bucket being walked.
func (tx *Tx) ForEach(bucket, after string, fn func(marker string, value []byte) error) error {
	var up *userPanic
	err := tx.forEach(bucket, after, fn, &up)
	if up != nil {
		panic(up.v)
	}
	return err
}

func (tx *Tx) forEach(bucket, after string, fn func(string, []byte) error, up **userPanic) (err error) {
	if err := tx.check(bucket); err != nil {
		return err
	}
	var start []byte
	if after != "" {
		if start, err = tx.v.parseMarker(bucket, after); err != nil {
			return fmt.Errorf("%w for bucket %q", ErrInvalidMarker, bucket)
		}
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer tx.guard(&err)
	b, err := tx.dataBucket(bucket)
	if err != nil {
		return err
	}
	if err := tx.checkBucket(bucket, b); err != nil || b == nil {
		return err
	}
	c := b.Cursor()
	var k, val []byte
	prev := -1 // the last shard checked: every shard entered is checked whole
	if start != nil {
		prev = int(shardOf(start)) - 1
		k, val = c.Seek(start)
		if k != nil && string(k) == string(start) {
			k, val = c.Next()
		}
	} else {
		k, val = c.First()
	}
	for ; k != nil; k, val = c.Next() {
		if sh := int(shardOf(k)); sh != prev {
			if err := tx.checkShardsBetween(bucket, b, prev, sh); err != nil {
				return err
			}
			if err := tx.checkShard(bucket, b, byte(sh)); err != nil {
				return err
			}
			prev = sh
		}
		if val == nil {
			return corruptf(tx.v.path, "bucket %q holds a nested bucket", bucket)
		}
		_, pt, err := tx.v.openRecord(bucket, k, val)
		if err != nil {
			return err
		}
		m := tx.v.marker(bucket, k)
		p, err := callUser(func() error { return fn(m, pt) })
		if p != nil {
			*up = p
			return errUserPanic
		}
		if errors.Is(err, ErrStop) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return tx.checkShardsBetween(bucket, b, prev, 256)
}

// Count returns the number of records in bucket without decrypting them.
func (tx *Tx) Count(bucket string) (n int, err error) {
	if err := tx.check(bucket); err != nil {
		return 0, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer tx.guard(&err)
	b, err := tx.dataBucket(bucket)
	if err != nil {
		return 0, err
	}
	if err := tx.checkBucket(bucket, b); err != nil || b == nil {
		return 0, err
	}
	c := b.Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		if val != nil {
			n++
		}
	}
	if tx.ts.sum != nil {
		if uint64(n) != tx.ts.sum.total(bucket) {
			return 0, tx.summaryMismatch(bucket)
		}
		if err := tx.checkShardsBetween(bucket, b, -1, 256); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// Generation identifies the committed state a transaction sees: bbolt's
// transaction id, which every commit to the file advances. Two read
// transactions with the same generation see the same records, so a caller
// may reuse what it decoded in the first.
func (tx *Tx) Generation() uint64 { return uint64(tx.btx.ID()) }
