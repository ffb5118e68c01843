package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
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
	failed   error // set when bbolt panicked: the transaction must not commit
}

const (
	recordKeySize  = sha256.Size
	markerMACSize  = 8
	markerLen      = 54 // base64url, unpadded, of recordKeySize+markerMACSize bytes
	maxBucketName  = 255
	maxRecordID    = 4096
	recordAADLabel = "pkms record v1"
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

// recordKey is the on-disk key of a record: HMAC-SHA-256(idKey, bucket‖0‖id).
func (v *Vault) recordKey(bucket, id string) []byte {
	m := hmac.New(sha256.New, v.idKey)
	m.Write([]byte(bucket))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return m.Sum(nil)
}

// recordAAD binds a sealed value to its vault, bucket and on-disk key.
func (v *Vault) recordAAD(bucket string, rk []byte) []byte {
	aad := make([]byte, 0, len(recordAADLabel)+len(v.id)+len(bucket)+1+len(rk))
	aad = append(aad, recordAADLabel...)
	aad = append(aad, v.id...)
	aad = append(aad, bucket...)
	aad = append(aad, 0)
	return append(aad, rk...)
}

// keyFor returns the sealing key of a bucket, DeriveKey(vk, "record "+bucket).
func (v *Vault) keyFor(bucket string) ([]byte, error) {
	v.keysMu.Lock()
	defer v.keysMu.Unlock()
	if k, ok := v.bucketKey[bucket]; ok {
		return k, nil
	}
	k, err := crypto.DeriveKey(v.vk, "record "+bucket)
	if err != nil {
		return nil, err
	}
	v.bucketKey[bucket] = k
	return k, nil
}

// marker is the pagination marker of a record: its on-disk key and a short
// MAC binding it to this vault and bucket, base64url without padding.
func (v *Vault) marker(bucket string, rk []byte) string {
	buf := make([]byte, 0, recordKeySize+markerMACSize)
	buf = append(buf, rk...)
	buf = append(buf, v.markerMAC(bucket, rk)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

func (v *Vault) markerMAC(bucket string, rk []byte) []byte {
	m := hmac.New(sha256.New, v.markerKey)
	m.Write([]byte(bucket))
	m.Write([]byte{0})
	m.Write(rk)
	return m.Sum(nil)[:markerMACSize]
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
	if !hmac.Equal(raw[recordKeySize:], v.markerMAC(bucket, rk)) {
		return nil, ErrInvalidMarker
	}
	return rk, nil
}

// openRecord authenticates and decrypts a stored value. It never panics.
func (v *Vault) openRecord(bucket string, rk, sealed []byte) ([]byte, error) {
	if len(rk) != recordKeySize {
		return nil, corruptf(v.path, "bucket %q holds a key of %d bytes, not a record", bucket, len(rk))
	}
	key, err := v.keyFor(bucket)
	if err != nil {
		return nil, err
	}
	pt, err := crypto.Open(key, sealed, v.recordAAD(bucket, rk))
	if err != nil {
		return nil, corruptf(v.path, "record %s in bucket %q failed authentication (modified, moved from another record or from another vault)", v.marker(bucket, rk), bucket)
	}
	return pt, nil
}

func (v *Vault) sealRecord(bucket string, rk, value []byte) ([]byte, error) {
	key, err := v.keyFor(bucket)
	if err != nil {
		return nil, err
	}
	return crypto.Seal(v.rand, key, value, v.recordAAD(bucket, rk))
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
	rk := tx.v.recordKey(bucket, id)
	var sealed []byte
	if b != nil {
		sealed = b.Get(rk)
	}
	if sealed == nil {
		return nil, fmt.Errorf("%w: %s %q", ErrNotFound, bucket, id)
	}
	return tx.v.openRecord(bucket, rk, sealed)
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
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer tx.guard(&err)
	data := tx.btx.Bucket(bucketData)
	if data == nil {
		return corruptf(tx.v.path, "no data bucket")
	}
	b, err := data.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		if errors.Is(err, berrors.ErrIncompatibleValue) {
			return corruptf(tx.v.path, "bucket %q is not a bucket", bucket)
		}
		return fmt.Errorf("vault: bucket %q: %w", bucket, err)
	}
	rk := tx.v.recordKey(bucket, id)
	sealed, err := tx.v.sealRecord(bucket, rk, value)
	if err != nil {
		return fmt.Errorf("vault: sealing a record of bucket %q: %w", bucket, err)
	}
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
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer tx.guard(&err)
	b, err := tx.dataBucket(bucket)
	if err != nil || b == nil {
		return err
	}
	if err := b.Delete(tx.v.recordKey(bucket, id)); err != nil {
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
	if err != nil || b == nil {
		return err
	}
	c := b.Cursor()
	var k, val []byte
	if start != nil {
		k, val = c.Seek(start)
		if k != nil && string(k) == string(start) {
			k, val = c.Next()
		}
	} else {
		k, val = c.First()
	}
	for ; k != nil; k, val = c.Next() {
		if val == nil {
			return corruptf(tx.v.path, "bucket %q holds a nested bucket", bucket)
		}
		pt, err := tx.v.openRecord(bucket, k, val)
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
	return nil
}

// Count returns the number of records in bucket without decrypting them.
func (tx *Tx) Count(bucket string) (n int, err error) {
	if err := tx.check(bucket); err != nil {
		return 0, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer tx.guard(&err)
	b, err := tx.dataBucket(bucket)
	if err != nil || b == nil {
		return 0, err
	}
	c := b.Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		if val != nil {
			n++
		}
	}
	return n, nil
}

// Generation identifies the committed state a transaction sees: bbolt's
// transaction id, which every commit to the file advances. Two read
// transactions with the same generation see the same records, so a caller
// may reuse what it decoded in the first.
func (tx *Tx) Generation() uint64 { return uint64(tx.btx.ID()) }
