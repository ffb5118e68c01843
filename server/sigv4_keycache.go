package server

// Signing keys. Deriving one costs four HMACs and depends only on the
// secret, the day, the region and the service, so a client's requests all
// day share one key: caching it leaves a request's hot path at hashing the
// body and canonical request plus a single HMAC for the signature.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"io"
	"strings"
	"sync"
)

// sigv4KeyCacheSize bounds the cache: a local server sees a handful of
// access keys, each needing one entry a day (two around midnight).
const sigv4KeyCacheSize = 64

type sigv4ScopeKey struct{ accessKeyID, date, region, service string }

type sigv4CachedKey struct {
	secret []byte // the secret the key was derived from
	key    [sha256.Size]byte
}

// sigv4KeyCache is a small bounded map; its zero value is ready to use.
type sigv4KeyCache struct {
	mu sync.Mutex
	m  map[sigv4ScopeKey]sigv4CachedKey
}

// signingKey returns the signing key for scope and secret, deriving and
// remembering it on a miss. An entry is used only while the secret still
// matches, so a rotated or re-created key never verifies with the old
// secret's key.
func (c *sigv4KeyCache) signingKey(scope sigv4ScopeKey, secret []byte) [sha256.Size]byte {
	c.mu.Lock()
	e, ok := c.m[scope]
	c.mu.Unlock()
	if ok && hmac.Equal(e.secret, secret) {
		return e.key
	}
	key := sigv4DeriveKey(secret, scope.date, scope.region, scope.service)

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[sigv4ScopeKey]sigv4CachedKey)
	}
	if _, ok := c.m[scope]; !ok && len(c.m) >= sigv4KeyCacheSize {
		for old := range c.m { // evict an arbitrary entry
			delete(c.m, old)
			break
		}
	}
	// Clone: the strings point into the request's Authorization header and
	// the secret belongs to the caller.
	scope = sigv4ScopeKey{strings.Clone(scope.accessKeyID), strings.Clone(scope.date), strings.Clone(scope.region), strings.Clone(scope.service)}
	c.m[scope] = sigv4CachedKey{secret: bytes.Clone(secret), key: key}
	return key
}

// sigv4DeriveKey is the spec's chain
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func sigv4DeriveKey(secret []byte, date, region, service string) [sha256.Size]byte {
	seed := append([]byte("AWS4"), secret...)
	k := sigv4HMAC(seed, date)
	clear(seed)
	k = sigv4HMAC(k, region)
	k = sigv4HMAC(k, service)
	k = sigv4HMAC(k, sigv4Terminator)
	return [sha256.Size]byte(k)
}

func sigv4HMAC(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, data)
	return m.Sum(nil)
}
