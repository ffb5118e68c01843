package vault

import (
	"errors"
	"sync"

	"github.com/pocketkms/pkms/crypto"
	"github.com/pocketkms/pkms/internal/secmem"
)

// keySet is everything derived from one vault key. A Vault holds one; Rekey
// builds a second for the new key and swaps it in after the commit, so the
// old and new keys are never mixed inside one set.
//
// Every key of the set lives in one secmem buffer (locked, undumpable,
// outside the Go heap) and nowhere else: keys are derived straight into it
// (crypto.DeriveKeyTo), used through the crypto functions that leave no
// copy behind, and zero destroys the buffer, so a locked or stopped agent
// holds no copy of the vault key or of any key derived from it.
type keySet struct {
	mem       *secmem.Buffer
	more      []*secmem.Buffer // further pages, mapped when mem is full
	zeroed    bool             // zero has run: no page may be mapped any more
	vk        []byte
	idKey     []byte // HMAC key for on-disk record keys
	markerKey []byte // HMAC key authenticating pagination markers
	checkKey  []byte // key of the check value

	mu        sync.Mutex
	free      []byte            // the unused rest of mem, handed out by derive
	bucketKey map[string][]byte // sealing key per logical bucket, derived on first use
}

// keyPage is the size of a key set's first buffer: the fixed keys and up to
// about a hundred bucket keys. A vault has about ten buckets per region it
// holds keys in, so a set maps further pages of the same size as buckets
// are used, up to maxKeyPages in all.
const (
	keyPage     = 4096
	maxKeyPages = 64
)

var errKeysFull = errors.New("vault: too many buckets: no room left for their keys")

// newKeySet copies vk into a new locked buffer and derives the fixed keys
// there; the caller keeps (and clears) its vk.
func newKeySet(vk []byte) (*keySet, error) {
	mem, err := secmem.New(keyPage)
	if err != nil {
		return nil, err
	}
	k := &keySet{mem: mem, free: mem.Bytes(), bucketKey: map[string][]byte{}}
	k.vk = k.alloc()
	copy(k.vk, vk)
	for _, d := range []struct {
		key   *[]byte
		label string
	}{{&k.idKey, "record id"}, {&k.markerKey, "marker"}, {&k.checkKey, checkLabel}} {
		if *d.key, err = k.derive(d.label); err != nil {
			k.zero()
			return nil, err
		}
	}
	return k, nil
}

// alloc takes the next KeySize bytes of the buffer, mapping another page
// when the current one is full (nil when no more may be mapped).
func (k *keySet) alloc() []byte {
	if len(k.free) < crypto.KeySize {
		if k.zeroed || 1+len(k.more) >= maxKeyPages {
			return nil
		}
		page, err := secmem.New(keyPage)
		if err != nil {
			return nil
		}
		k.more = append(k.more, page)
		k.free = page.Bytes()
	}
	b := k.free[:crypto.KeySize:crypto.KeySize]
	k.free = k.free[crypto.KeySize:]
	return b
}

// derive returns DeriveKey(vk, label) in the set's buffer.
func (k *keySet) derive(label string) ([]byte, error) {
	b := k.alloc()
	if b == nil {
		return nil, errKeysFull
	}
	if err := crypto.DeriveKeyTo(b, k.vk, label); err != nil {
		return nil, err
	}
	return b, nil
}

// memoryError is nil if the keys are locked in RAM, else why they are not.
func (k *keySet) memoryError() error {
	for _, b := range k.more {
		if err := b.LockError(); err != nil {
			return err
		}
	}
	return k.mem.LockError()
}

// recordKey is the on-disk key of a record: HMAC-SHA-256(idKey, bucket‖0‖id).
func (k *keySet) recordKey(bucket, id string) []byte {
	return crypto.HMACSHA256(k.idKey, []byte(bucket), []byte{0}, []byte(id))
}

// forBucket returns the sealing key of a bucket, DeriveKey(vk, "record "+bucket).
func (k *keySet) forBucket(bucket string) ([]byte, error) { return k.cached(bucket, "record "+bucket) }

// cached returns DeriveKey(vk, label), derived into the set's buffer the
// first time name asks for it.
func (k *keySet) cached(name, label string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.bucketKey[name]; ok {
		return key, nil
	}
	key, err := k.derive(label)
	if err != nil {
		return nil, err
	}
	k.bucketKey[name] = key
	return key, nil
}

func (k *keySet) markerMAC(bucket string, rk []byte) []byte {
	return crypto.HMACSHA256(k.markerKey, []byte(bucket), []byte{0}, rk)[:markerMACSize]
}

// zero overwrites every key of the set and releases its buffer. The set
// must not be used afterwards (its keys are then empty).
func (k *keySet) zero() {
	k.mu.Lock()
	defer k.mu.Unlock()
	clear(k.bucketKey)
	k.vk, k.idKey, k.markerKey, k.checkKey, k.free = nil, nil, nil, nil, nil
	k.mem.Destroy()
	for _, b := range k.more {
		b.Destroy()
	}
	k.more, k.zeroed = nil, true
}

// purposeKey returns DeriveKey(vk, label) for a vault-wide purpose (the
// content summary), derived into the set's buffer on first use and cached
// with the bucket keys under a name no bucket can have.
func (k *keySet) purposeKey(label string) ([]byte, error) { return k.cached("\x00"+label, label) }
