package vault

import (
	"bytes"

	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/pocketkms/pkms/crypto"
)

// The content summary (format 3) commits to every record of every logical
// bucket, so that damage or an edit that leaves well-formed records (a
// bucket renamed or removed, a record deleted, a record replaced by an
// older sealed copy of itself) is an error rather than a wrong answer.
//
// Records are grouped into 256 shards by the first byte of their on-disk
// key. For each bucket and non-empty shard the summary holds the number of
// records and the XOR of one 16-byte element per record,
//
//	element = AES-256(DeriveKey(VK, "summary element"), last 16 bytes of the sealed value)
//
// The last 16 bytes are the record's GCM tag, which depends on its nonce,
// ciphertext, bucket and on-disk key: every Put draws a new nonce, so an
// older copy of a record has another element. The elements are secret (the
// key is), so nobody without the vault key can find another set of records
// with the same XOR. Put and Delete update the summary incrementally (one
// AES block each); the Tx writes it back once, at the end of the write
// transaction. Its stored form, meta "summary", is
//
//	1 ‖ uvarint(#buckets) ‖ per bucket by name: uvarint(len) ‖ name ‖
//	    uvarint(#shards) ‖ per shard ascending: shard byte ‖ uvarint(count) ‖ 16-byte XOR
//	‖ HMAC-SHA-256(DeriveKey(VK, "summary mac"), "pkms summary v1" ‖ vault id ‖ the above)
//
// A transaction checks a shard the first time it touches it (Get, Put and
// Delete touch the record's shard, ForEach every shard it walks into, Count
// all): it walks the shard's records without decrypting them and compares
// count and XOR. A bucket the summary lists but the file lacks is ErrCorrupt
// at once. A Vault remembers which shards it checked at which bbolt
// generation (its own commits carry that forward), so an agent checks a
// shard once per change of the file, not once per request; a command-line
// process checks only the shards it reads (1/256 of a big bucket per key).
const (
	summaryVersion   = 1
	summaryDomain    = "pkms summary v1"
	summaryMACLabel  = "summary mac"
	summaryElemLabel = "summary element"
	sumElemSize      = 16
	maxSummary       = 64 << 20
)

var keySummary = []byte("summary") // in meta

type shardSum struct {
	n uint64
	x [sumElemSize]byte
}

func (s *shardSum) add(e [sumElemSize]byte) {
	s.n++
	s.xor(e)
}

func (s *shardSum) xor(e [sumElemSize]byte) {
	for i := range e {
		s.x[i] ^= e[i]
	}
}

// summary maps bucket → shard → sum; empty shards and buckets are absent.
type summary map[string]map[byte]shardSum

func (s summary) clone() summary {
	out := make(summary, len(s))
	for b, sh := range s {
		m := make(map[byte]shardSum, len(sh))
		for k, v := range sh {
			m[k] = v
		}
		out[b] = m
	}
	return out
}

func (s summary) get(bucket string, shard byte) shardSum { return s[bucket][shard] }

func (s summary) set(bucket string, shard byte, v shardSum) {
	if v.n == 0 {
		delete(s[bucket], shard)
		if len(s[bucket]) == 0 {
			delete(s, bucket)
		}
		return
	}
	if s[bucket] == nil {
		s[bucket] = map[byte]shardSum{}
	}
	s[bucket][shard] = v
}

func (s summary) total(bucket string) uint64 {
	var n uint64
	for _, v := range s[bucket] {
		n += v.n
	}
	return n
}

func (s summary) shards(bucket string) []byte {
	out := make([]byte, 0, len(s[bucket]))
	for k := range s[bucket] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s summary) encode() []byte {
	names := make([]string, 0, len(s))
	for b := range s {
		names = append(names, b)
	}
	slices.Sort(names)
	out := []byte{summaryVersion}
	out = binary.AppendUvarint(out, uint64(len(names)))
	for _, name := range names {
		out = binary.AppendUvarint(out, uint64(len(name)))
		out = append(out, name...)
		shards := s.shards(name)
		out = binary.AppendUvarint(out, uint64(len(shards)))
		for _, sh := range shards {
			v := s[name][sh]
			out = append(out, sh)
			out = binary.AppendUvarint(out, v.n)
			out = append(out, v.x[:]...)
		}
	}
	return out
}

var errBadSummary = errors.New("malformed")

func decodeSummary(b []byte) (summary, error) {
	if len(b) == 0 || b[0] != summaryVersion {
		return nil, errBadSummary
	}
	b = b[1:]
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	nb, ok := uv()
	if !ok || nb > uint64(len(b)) {
		return nil, errBadSummary
	}
	s := summary{}
	prev := ""
	for i := uint64(0); i < nb; i++ {
		l, ok := uv()
		if !ok || l == 0 || l > maxBucketName || l > uint64(len(b)) {
			return nil, errBadSummary
		}
		name := string(b[:l])
		b = b[l:]
		if i > 0 && name <= prev {
			return nil, errBadSummary
		}
		prev = name
		ns, ok := uv()
		if !ok || ns == 0 || ns > 256 {
			return nil, errBadSummary
		}
		last := -1
		for j := uint64(0); j < ns; j++ {
			if len(b) < 1 {
				return nil, errBadSummary
			}
			sh := b[0]
			b = b[1:]
			n, ok := uv()
			if !ok || n == 0 || int(sh) <= last || len(b) < sumElemSize {
				return nil, errBadSummary
			}
			last = int(sh)
			var v shardSum
			v.n = n
			copy(v.x[:], b[:sumElemSize])
			b = b[sumElemSize:]
			s.set(name, sh, v)
		}
	}
	if len(b) != 0 {
		return nil, errBadSummary
	}
	return s, nil
}

func summaryMAC(k *keySet, vaultID, body []byte) ([]byte, error) {
	key, err := k.purposeKey(summaryMACLabel)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(summaryDomain))
	m.Write(vaultID)
	m.Write(body)
	return m.Sum(nil), nil
}

// sealSummary is the stored form of s: its encoding and MAC.
func sealSummary(k *keySet, vaultID []byte, s summary) ([]byte, error) {
	body := s.encode()
	mac, err := summaryMAC(k, vaultID, body)
	if err != nil {
		return nil, err
	}
	return append(body, mac...), nil
}

// openSummary authenticates and decodes a stored summary.
func (v *Vault) openSummary(k *keySet, raw []byte) (summary, error) {
	if raw == nil {
		return nil, corruptf(v.path, "the content summary is missing")
	}
	if len(raw) < sha256.Size+1 || len(raw) > maxSummary {
		return nil, corruptf(v.path, "the content summary has %d bytes", len(raw))
	}
	body, mac := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	want, err := summaryMAC(k, v.id, body)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(mac, want) {
		return nil, corruptf(v.path, "the content summary does not authenticate (modified)")
	}
	s, err := decodeSummary(body)
	if err != nil {
		return nil, corruptf(v.path, "the content summary is malformed")
	}
	return s, nil
}

// summer computes record elements. Its AES key schedule is a copy of a key
// derived from the vault key: wipe it when done (a locked agent keeps none).
type summer struct {
	blk  cipher.Block
	wipe func()
}

func newSummer(k *keySet) (*summer, error) {
	key, err := k.purposeKey(summaryElemLabel)
	if err != nil {
		return nil, err
	}
	blk, wipe, err := crypto.NewBlock(key)
	if err != nil {
		return nil, err
	}
	return &summer{blk: blk, wipe: wipe}, nil
}

func (m *summer) elem(sealed []byte) [sumElemSize]byte {
	var in, out [sumElemSize]byte
	if len(sealed) >= sumElemSize {
		copy(in[:], sealed[len(sealed)-sumElemSize:])
	} else {
		copy(in[:], sealed)
	}
	m.blk.Encrypt(out[:], in[:])
	return out
}

func shardOf(rk []byte) byte {
	if len(rk) == 0 {
		return 0
	}
	return rk[0]
}

// scanShard sums the records of one shard of b as stored.
func (m *summer) scanShard(b *bolt.Bucket, sh byte) shardSum {
	var s shardSum
	c := b.Cursor()
	for k, val := c.Seek([]byte{sh}); k != nil && k[0] == sh; k, val = c.Next() {
		if val != nil {
			s.add(m.elem(val))
		}
	}
	return s
}

// computeSummary sums every record of every logical bucket as stored
// (upgrade, Rekey, Verify, Export).
func computeSummary(data *bolt.Bucket, m *summer) summary {
	s := summary{}
	_ = walkEntries(data, func(e entry) error {
		if e.stray || e.sealed == nil {
			return nil
		}
		v := s.get(e.bucket, shardOf(e.key))
		v.add(m.elem(e.sealed))
		s.set(e.bucket, shardOf(e.key), v)
		return nil
	})
	return s
}

// putSummary writes s, sealed under k, into meta.
func (v *Vault) putSummary(meta *bolt.Bucket, k *keySet, s summary) error {
	raw, err := sealSummary(k, v.id, s)
	if err != nil {
		return err
	}
	return meta.Put(keySummary, raw)
}

// summaryProblems compares the stored summary with the file (Verify,
// Export): one line per bucket that differs. For the buckets in damaged
// (whose records were found not to open) only a wrong count is reported.
func summaryProblems(stored, found summary, damaged map[string]bool) []string {
	names := map[string]bool{}
	for b := range stored {
		names[b] = true
	}
	for b := range found {
		names[b] = true
	}
	sorted := make([]string, 0, len(names))
	for b := range names {
		sorted = append(sorted, b)
	}
	slices.Sort(sorted)
	var out []string
	for _, b := range sorted {
		want, got := stored.total(b), found.total(b)
		switch {
		case want != got:
			out = append(out, fmt.Sprintf("bucket %q holds %d records, the vault's content summary records %d (records lost or added outside pkms)", b, got, want))
		case !damaged[b] && !sameShards(stored[b], found[b]):
			out = append(out, fmt.Sprintf("bucket %q does not match the vault's content summary (a record was replaced by an older copy, or moved)", b))
		}
	}
	return out
}

func sameShards(a, b map[byte]shardSum) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w.n != v.n || !bytes.Equal(w.x[:], v.x[:]) {
			return false
		}
	}
	return true
}

// sumCache is what a Vault remembers between transactions: the summary
// authenticated at bbolt generation gen and the shards found to match it.
type sumCache struct {
	mu       sync.Mutex
	gen      uint64
	sum      summary
	verified map[string]*[256]bool
}

func cloneVerified(m map[string]*[256]bool) map[string]*[256]bool {
	out := make(map[string]*[256]bool, len(m))
	for b, a := range m {
		c := *a
		out[b] = &c
	}
	return out
}

// storedSummary returns the authenticated summary in meta and the one the
// file's records give, under the current keys; both nil for format 2.
func (v *Vault) storedSummary(btx *bolt.Tx) (stored, found summary, err error) {
	meta := btx.Bucket(bucketMeta)
	data := btx.Bucket(bucketData)
	if meta == nil || data == nil {
		return nil, nil, corruptf(v.path, "not a pkms vault (no meta or data bucket)")
	}
	format, err := readFormat(v.path, meta)
	if err != nil || format < summaryFormat {
		return nil, nil, err
	}
	if stored, err = v.openSummary(v.keys, meta.Get(keySummary)); err != nil {
		return nil, nil, err
	}
	m, err := newSummer(v.keys)
	if err != nil {
		return nil, nil, err
	}
	defer m.wipe()
	return stored, computeSummary(data, m), nil
}

// checkSummary returns ErrCorrupt unless every bucket matches the summary
// (Rekey and Export, which read everything, refuse to carry damage on).
func (v *Vault) checkSummary(btx *bolt.Tx) error {
	stored, found, err := v.storedSummary(btx)
	if err != nil {
		return err
	}
	if p := summaryProblems(stored, found, nil); len(p) > 0 {
		return corruptf(v.path, "%s (run: pkms vault verify)", p[0])
	}
	return nil
}
