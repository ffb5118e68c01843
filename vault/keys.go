package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"

	"github.com/pocketkms/pkms/crypto"
)

// keySet is everything derived from one vault key. A Vault holds one; Rekey
// builds a second for the new key and swaps it in after the commit, so the
// old and new keys are never mixed inside one set.
type keySet struct {
	vk        []byte
	idKey     []byte // HMAC key for on-disk record keys
	markerKey []byte // HMAC key authenticating pagination markers

	mu        sync.Mutex
	bucketKey map[string][]byte // sealing key per logical bucket, derived on first use
}

// newKeySet takes ownership of vk (zeroed by zero).
func newKeySet(vk []byte) (*keySet, error) {
	idKey, err := crypto.DeriveKey(vk, "record id")
	if err != nil {
		return nil, err
	}
	markerKey, err := crypto.DeriveKey(vk, "marker")
	if err != nil {
		return nil, err
	}
	return &keySet{vk: vk, idKey: idKey, markerKey: markerKey, bucketKey: map[string][]byte{}}, nil
}

// recordKey is the on-disk key of a record: HMAC-SHA-256(idKey, bucket‖0‖id).
func (k *keySet) recordKey(bucket, id string) []byte {
	m := hmac.New(sha256.New, k.idKey)
	m.Write([]byte(bucket))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return m.Sum(nil)
}

// forBucket returns the sealing key of a bucket, DeriveKey(vk, "record "+bucket).
func (k *keySet) forBucket(bucket string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.bucketKey[bucket]; ok {
		return key, nil
	}
	key, err := crypto.DeriveKey(k.vk, "record "+bucket)
	if err != nil {
		return nil, err
	}
	k.bucketKey[bucket] = key
	return key, nil
}

func (k *keySet) markerMAC(bucket string, rk []byte) []byte {
	m := hmac.New(sha256.New, k.markerKey)
	m.Write([]byte(bucket))
	m.Write([]byte{0})
	m.Write(rk)
	return m.Sum(nil)[:markerMACSize]
}

// zero overwrites every key of the set.
func (k *keySet) zero() {
	clear(k.vk)
	clear(k.idKey)
	clear(k.markerKey)
	k.mu.Lock()
	for b, key := range k.bucketKey {
		clear(key)
		delete(k.bucketKey, b)
	}
	k.mu.Unlock()
}

// derive returns DeriveKey(vk, label) for a vault-wide purpose (the content
// summary), cached with the bucket keys (under a name no bucket can have)
// and zeroed with them.
func (k *keySet) derive(label string) ([]byte, error) {
	name := "\x00" + label
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.bucketKey[name]; ok {
		return key, nil
	}
	key, err := crypto.DeriveKey(k.vk, label)
	if err != nil {
		return nil, err
	}
	k.bucketKey[name] = key
	return key, nil
}
