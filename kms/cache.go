package kms

import "sync"

// recordCache keeps key and alias records decoded by read transactions,
// for as long as the vault's generation does not change: any commit, by
// this process or another, starts a new generation and empties the cache.
// Write transactions never use it, since they change the records they read.
// It spares a long-lived service (the agent, the server, a benchmark) the
// decryption and decoding of the same records on every request.
type recordCache struct {
	mu      sync.Mutex
	gen     uint64
	keys    map[string]*keyRecord
	aliases map[string]*aliasRecord
}

// lookup returns the cached record for (gen, id), if any.
func lookup[T any](c *recordCache, gen uint64, m func(*recordCache) map[string]*T, id string) (*T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	v, ok := m(c)[id]
	return v, ok
}

// store remembers a record decoded at generation gen.
func store[T any](c *recordCache, gen uint64, m func(*recordCache) map[string]*T, id string, v *T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		c.gen, c.keys, c.aliases = gen, map[string]*keyRecord{}, map[string]*aliasRecord{}
	}
	m(c)[id] = v
}

func cachedKeys(c *recordCache) map[string]*keyRecord      { return c.keys }
func cachedAliases(c *recordCache) map[string]*aliasRecord { return c.aliases }

// cachedGet decodes a record of bucket (cached under bucket and id: the
// same key id names a record in each region) through the cache in read transactions and
// directly in write transactions, whose callers may modify what they get.
func cachedGet[T any](t *txn, m func(*recordCache) map[string]*T, bucket, id string) (*T, error) {
	if !t.writable {
		if v, ok := lookup(&t.s.cache, t.gen, m, bucket+"\x00"+id); ok {
			return v, nil
		}
	}
	v := new(T)
	if err := getJSON(t, bucket, id, v); err != nil {
		return nil, err
	}
	if !t.writable {
		store(&t.s.cache, t.gen, m, bucket+"\x00"+id, v)
	}
	return v, nil
}
