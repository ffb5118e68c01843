package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/pocketkms/pkms/crypto"
)

// flipInFile flips one byte in the middle of every copy of needle in the
// raw file (stale copies in free pages are harmless to flip), as bit rot
// would, without going through bbolt.
func flipInFile(t testing.TB, path string, needle []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for off := 0; ; {
		i := bytes.Index(raw[off:], needle)
		if i < 0 {
			break
		}
		raw[off+i+len(needle)/2] ^= 0x10
		off += i + len(needle)
		n++
	}
	if n == 0 {
		t.Fatal("value not found in the file")
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// storedValue returns the sealed value of a record, read with bbolt.
func storedValue(t testing.TB, path, bucket string, rk []byte) []byte {
	t.Helper()
	var val []byte
	editBolt(t, path, func(tx *bolt.Tx) error {
		val = bytes.Clone(tx.Bucket(bucketData).Bucket([]byte(bucket)).Get(rk))
		return nil
	})
	if val == nil {
		t.Fatal("record not found")
	}
	return val
}

// sealForeign stores under the on-disk key of (bucket, id) a value that
// passes the AEAD check but whose plaintext is pt: only the format 2 id
// check can catch it.
func sealForeign(t testing.TB, v *Vault, path, bucket, id string, pt []byte) {
	t.Helper()
	rk := v.recordKey(bucket, id)
	key, err := v.keys.forBucket(bucket)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := crypto.Seal(v.rand, key, pt, v.recordAAD(bucket, rk))
	if err != nil {
		t.Fatal(err)
	}
	editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketData).Bucket([]byte(bucket)).Put(rk, sealed) })
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name       string
		damage     func(t *testing.T, v *Vault, path string) // v is unlocked, without a file handle
		wantRecord string                                    // "" = the damaged record is "keys"/"k2"
		wantReason string                                    // "" = clean
	}{
		{name: "clean"},
		{name: "flipped byte in a record", wantReason: "failed authentication", damage: func(t *testing.T, v *Vault, path string) {
			flipInFile(t, path, storedValue(t, path, "keys", v.recordKey("keys", "k2")))
		}},
		{name: "record holding another id", wantReason: "holds the id of another record", damage: func(t *testing.T, v *Vault, path string) {
			sealForeign(t, v, path, "keys", "k2", encodeRecord("k4", []byte("value 4")))
		}},
		{name: "record without an id", wantReason: "malformed", damage: func(t *testing.T, v *Vault, path string) {
			sealForeign(t, v, path, "keys", "k2", []byte{0, 'x'})
		}},
		{name: "stray value in the data bucket", wantRecord: "7374726179", wantReason: "plain value", damage: func(t *testing.T, _ *Vault, path string) {
			editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketData).Put([]byte("stray"), []byte("x")) })
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := initVault(t, "pw")
			v := mustUnlock(t, path, "pw")
			if err := v.Update(func(tx *Tx) error {
				for i := range 10 {
					if err := tx.Put([]string{"keys", "aliases"}[i%2], fmt.Sprintf("k%d", i), []byte(fmt.Sprintf("value %d", i))); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			v.Close()
			v = mustUnlock(t, path, "pw")
			if tc.damage != nil {
				tc.damage(t, v, path)
			}
			damagedMarker := v.marker("keys", v.recordKey("keys", "k2"))
			before := fileHash(t, path)
			var calls int
			rep, err := v.Verify(func(done, total int) { calls++ })
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			v.Close()
			if fileHash(t, path) != before {
				t.Fatal("Verify changed the file")
			}
			wantRecords := 10
			if tc.wantRecord != "" {
				wantRecords = 11
			}
			if rep.Records != wantRecords || rep.Slots != 1 || rep.FormatVersion != FormatVersion || calls == 0 {
				t.Errorf("report %+v after %d progress calls", rep, calls)
			}
			if tc.wantReason == "" {
				if !rep.OK() || rep.Buckets != 2 {
					t.Fatalf("clean vault: %+v", rep)
				}
				return
			}
			if len(rep.Problems) != 1 {
				t.Fatalf("problems = %+v, want exactly one", rep.Problems)
			}
			p := rep.Problems[0]
			wantBucket, wantRecord := "keys", damagedMarker
			if tc.wantRecord != "" {
				wantBucket, wantRecord = "", tc.wantRecord
			}
			if p.Bucket != wantBucket || p.Record != wantRecord || !strings.Contains(p.Reason, tc.wantReason) {
				t.Errorf("problem %+v, want bucket %q record %s reason %q", p, wantBucket, wantRecord, tc.wantReason)
			}
			// The same damage is ErrCorrupt, naming the record, for the
			// ordinary accessors.
			if tc.wantRecord == "" {
				v = mustUnlock(t, path, "pw")
				_, err := get(v, "keys", "k2")
				var rp *RecordProblem
				if !errors.Is(err, ErrCorrupt) || !errors.As(err, &rp) || rp.Record != wantRecord {
					t.Errorf("Get of the damaged record: %v", err)
				}
				// A sound record of another summary shard reads (one of the
				// damaged record's shard is, rightly, refused with it).
				sound := soundRecordElsewhere(v, "keys", "k2", "k0", "k4", "k6", "k8")
				if got, err := get(v, "keys", sound); err != nil || got != "value "+sound[1:] {
					t.Errorf("Get of a sound record %s = %q, %v", sound, got, err)
				}
			}
		})
	}
}

// soundRecordElsewhere is the first of ids whose record is not in the
// summary shard of damaged's (shards go by the record key's first byte,
// which the vault's random keys decide).
func soundRecordElsewhere(v *Vault, bucket, damaged string, ids ...string) string {
	sh := shardOf(v.recordKey(bucket, damaged))
	for _, id := range ids {
		if shardOf(v.recordKey(bucket, id)) != sh {
			return id
		}
	}
	return ids[0]
}

func TestFormat1Refused(t *testing.T) {
	path := initVault(t, "pw")
	editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyFormat, []byte("1")) })
	before := fileHash(t, path)
	_, err := ReadHeader(path)
	if !errors.Is(err, ErrOldFormat) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("ReadHeader: %v, want ErrOldFormat", err)
	}
	for _, want := range []string{"version 1", "pre-release", "cannot be upgraded", "pkms vault init"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if _, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, testOpts); !errors.Is(err, ErrOldFormat) {
		t.Errorf("Unlock: %v", err)
	}
	if fileHash(t, path) != before {
		t.Error("file changed")
	}
}

func TestRecordCodec(t *testing.T) {
	long := strings.Repeat("i", maxRecordID)
	for _, tc := range []struct {
		id    string
		value []byte
	}{{"a", nil}, {"a", []byte("v")}, {long, []byte("value")}, {"\x00\xff", bytes.Repeat([]byte{0}, 300)}} {
		id, val, ok := decodeRecord(encodeRecord(tc.id, tc.value))
		if !ok || id != tc.id || !bytes.Equal(val, tc.value) {
			t.Errorf("round trip of %.10q: %.10q %q %v", tc.id, id, val, ok)
		}
	}
	for _, bad := range [][]byte{nil, {0}, {0, 'x'}, {5, 'a'}, {0x80}, {0x81, 0x40, 'x'}, append([]byte{0x81, 0x20}, long...)} {
		if _, _, ok := decodeRecord(bad); ok {
			t.Errorf("decodeRecord(%q) accepted", bad)
		}
	}
}
