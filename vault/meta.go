package vault

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"sort"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/pocketkms/pkms/crypto"
)

// FormatVersion is the vault file format this package writes. It reads
// format 2 too and upgrades it on the first write (see upgrade).
const FormatVersion = 3

// slotMACFormat is the first format whose slots carry a MAC.
const slotMACFormat = 3

// oldestFormat is the oldest format version pkms reads; older ones were
// written by pre-release builds and are refused with ErrOldFormat.
const oldestFormat = 2

// On-disk layout. Top-level buckets: "meta" (plaintext) and "data", whose
// sub-buckets are the logical buckets of Tx (created on first Put).
var (
	bucketMeta  = []byte("meta")
	bucketData  = []byte("data")
	bucketSlots = []byte("slots") // inside meta

	keyFormat = []byte("format") // ASCII decimal format version
	keyID     = []byte("id")     // 16 random bytes
	keyCheck  = []byte("check")  // Seal(DeriveKey(vk, "check"), checkPlaintext, AAD = vault id)
)

const (
	idSize          = 16
	checkPlaintext  = "pkms vault check v1" // format 2
	checkPlaintext3 = "pkms vault check v3" // format 3: slot MACs in use
	checkLabel      = "check"
	maxCheckSize    = 256
)

// state is what a short read-only open learns about a vault.
type state struct {
	header *Header
	check  []byte
	slots  []*slot
}

// readFormat returns the format version stored in meta, or an error that is
// ErrCorrupt, ErrOldFormat or ErrNewerFormat. It is checked before anything else is parsed.
func readFormat(path string, meta *bolt.Bucket) (int, error) {
	raw := meta.Get(keyFormat)
	if raw == nil {
		return 0, corruptf(path, "meta bucket has no format version")
	}
	if len(raw) == 0 || len(raw) > 9 || raw[0] == '0' || raw[0] == '+' || raw[0] == '-' {
		return 0, corruptf(path, "meta format version is not a positive number")
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil || v < 1 {
		return 0, corruptf(path, "meta format version is not a positive number")
	}
	if v > FormatVersion {
		return 0, newerFormatError(path, v)
	}
	if v < oldestFormat {
		return 0, oldFormatError(path, v)
	}
	return v, nil
}

// readMeta parses the meta bucket inside a bbolt transaction. Values are
// copied out: they must outlive the transaction.
func readMeta(path string, tx *bolt.Tx) (*state, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return nil, corruptf(path, "not a pkms vault (no meta bucket)")
	}
	ver, err := readFormat(path, meta)
	if err != nil {
		return nil, err
	}
	id := meta.Get(keyID)
	if len(id) != idSize {
		return nil, corruptf(path, "meta vault id has %d bytes, want %d", len(id), idSize)
	}
	check := meta.Get(keyCheck)
	if len(check) < crypto.NonceSize+16 || len(check) > maxCheckSize {
		return nil, corruptf(path, "meta check value has %d bytes", len(check))
	}
	if tx.Bucket(bucketData) == nil {
		return nil, corruptf(path, "no data bucket")
	}
	sb := meta.Bucket(bucketSlots)
	if sb == nil {
		return nil, corruptf(path, "meta bucket has no slots bucket")
	}
	st := &state{
		header: &Header{Path: path, ID: bytes.Clone(id), FormatVersion: ver},
		check:  bytes.Clone(check),
	}
	if st.slots, err = readSlots(path, sb); err != nil {
		return nil, err
	}
	if len(st.slots) == 0 {
		return nil, corruptf(path, "vault has no key slots")
	}
	st.header.Slots = slotInfos(st.slots)
	return st, nil
}

// readSlots parses every slot of the slots bucket, copying the values out
// of the transaction. Any bad slot makes the vault ErrCorrupt.
func readSlots(path string, sb *bolt.Bucket) ([]*slot, error) {
	var slots []*slot
	c := sb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil {
			return nil, corruptf(path, "slots bucket holds a nested bucket")
		}
		s, err := parseSlot(k, v)
		if err != nil {
			return nil, corruptWrap(path, err, "key slot: %v", err)
		}
		s.ageFile = bytes.Clone(s.ageFile)
		s.mac = bytes.Clone(s.mac)
		slots = append(slots, s)
	}
	return slots, nil
}

func slotInfos(slots []*slot) []SlotInfo {
	out := make([]SlotInfo, len(slots))
	for i, s := range slots {
		out[i] = s.SlotInfo.clone()
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := strconv.ParseUint(out[i].ID, 10, 64)
		b, _ := strconv.ParseUint(out[j].ID, 10, 64)
		return a < b
	})
	return out
}

// makeCheck returns the check value for a vault key, in the current format.
// Its plaintext names the format, so that a vault upgraded to format 3 whose
// format value is set back to 2 (to make its slots look unauthenticated)
// no longer opens.
func makeCheck(rand interface{ Read([]byte) (int, error) }, vk, id []byte) ([]byte, error) {
	ck, err := crypto.DeriveKey(vk, checkLabel)
	if err != nil {
		return nil, err
	}
	defer clear(ck)
	return crypto.Seal(rand, ck, []byte(checkPlaintext3), id)
}

// verifyCheck reports whether vk opens the check value of vault id written
// for the given format version.
func verifyCheck(vk, id, check []byte, format int) bool {
	ck, err := crypto.DeriveKey(vk, checkLabel)
	if err != nil {
		return false
	}
	defer clear(ck)
	return openCheck(ck, id, check, format)
}

// openCheck reports whether the check key ck opens the check value of vault
// id written for the given format version.
func openCheck(ck, id, check []byte, format int) bool {
	pt, err := crypto.Open(ck, check, id)
	if err != nil {
		return false
	}
	want := checkPlaintext3
	if format < slotMACFormat {
		want = checkPlaintext
	}
	return subtle.ConstantTimeCompare(pt, []byte(want)) == 1
}

func formatBytes(v int) []byte { return []byte(fmt.Sprint(v)) }
