package vault

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Damage that leaves well-formed records (a bucket renamed or gone, a record
// deleted, a record rolled back to an older sealed copy of itself, the
// summary edited) is ErrCorrupt wherever the records are read or written,
// never an empty or stale answer, and Verify reports it.
func TestContentSummary(t *testing.T) {
	const n = 40 // enough records to fill several shards
	setup := func(t *testing.T) (string, []byte) {
		path := initVault(t, "pw")
		v := mustUnlock(t, path, "pw")
		if err := v.Update(func(tx *Tx) error {
			for i := range n {
				if err := tx.Put("keys", fmt.Sprintf("k%d", i), []byte("v1")); err != nil {
					return err
				}
			}
			return tx.Put("aliases", "alias/a", []byte("k0"))
		}); err != nil {
			t.Fatal(err)
		}
		old := rawRecord(t, v, "keys", "k1")
		put(t, v, "keys", "k1", "v2") // k1's older sealed copy is old
		v.Close()
		return path, old
	}
	rk := func(t *testing.T, path, bucket, id string) []byte {
		v := mustUnlock(t, path, "pw")
		defer v.Close()
		return v.recordKey(bucket, id)
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, path string, old []byte)
		id     string // a record whose read must fail
	}{
		{"keys bucket renamed", func(t *testing.T, path string, _ []byte) {
			editBolt(t, path, func(tx *bolt.Tx) error { return renameBucket(tx.Bucket(bucketData), "keys", "keyz") })
		}, "k5"},
		{"keys bucket deleted", func(t *testing.T, path string, _ []byte) {
			editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketData).DeleteBucket([]byte("keys")) })
		}, "k5"},
		{"one record deleted", func(t *testing.T, path string, _ []byte) {
			k := rk(t, path, "keys", "k7")
			editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketData).Bucket([]byte("keys")).Delete(k) })
		}, "k7"},
		{"record rolled back to an older copy", func(t *testing.T, path string, old []byte) {
			k := rk(t, path, "keys", "k1")
			editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketData).Bucket([]byte("keys")).Put(k, old) })
		}, "k1"},
		{"summary removed", func(t *testing.T, path string, _ []byte) {
			editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keySummary) })
		}, "k5"},
		{"summary edited", func(t *testing.T, path string, _ []byte) {
			editBolt(t, path, func(tx *bolt.Tx) error {
				b := bytes.Clone(tx.Bucket(bucketMeta).Get(keySummary))
				b[3] ^= 1
				return tx.Bucket(bucketMeta).Put(keySummary, b)
			})
		}, "k5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, old := setup(t)
			tc.damage(t, path, old)
			v := mustUnlock(t, path, "pw")
			if got, err := get(v, "keys", tc.id); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Get %s = %q, %v; want ErrCorrupt", tc.id, got, err)
			}
			if err := v.View(func(tx *Tx) error {
				return tx.ForEach("keys", "", func(string, []byte) error { return nil })
			}); !errors.Is(err, ErrCorrupt) {
				t.Errorf("ForEach = %v; want ErrCorrupt", err)
			}
			if err := v.View(func(tx *Tx) error { _, err := tx.Count("keys"); return err }); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Count = %v; want ErrCorrupt", err)
			}
			before := fileHash(t, path)
			if err := v.Update(func(tx *Tx) error { return tx.Put("keys", tc.id, []byte("new")) }); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Put = %v; want ErrCorrupt", err)
			}
			if fileHash(t, path) != before {
				t.Error("a refused write changed the file")
			}
			rep, err := v.Verify(nil)
			if err != nil || rep.OK() {
				t.Errorf("Verify = %+v, %v; want a problem", rep, err)
			}
		})
	}
}

// The summary follows every Put and Delete, across transactions, handles
// and a rekey; Verify stays clean.
func TestContentSummaryFollowsWrites(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	for i := range 300 {
		put(t, v, "keys", fmt.Sprintf("k%d", i), "x")
	}
	if err := v.Update(func(tx *Tx) error {
		for i := range 300 {
			if i%3 == 0 {
				if err := tx.Delete("keys", fmt.Sprintf("k%d", i)); err != nil {
					return err
				}
			} else if i%3 == 1 {
				if err := tx.Put("keys", fmt.Sprintf("k%d", i), []byte("y")); err != nil {
					return err
				}
			}
		}
		return tx.Delete("keys", "absent")
	}); err != nil {
		t.Fatal(err)
	}
	check := func(v *Vault) {
		t.Helper()
		var n int
		if err := v.View(func(tx *Tx) error {
			return tx.ForEach("keys", "", func(string, []byte) error { n++; return nil })
		}); err != nil || n != 200 {
			t.Fatalf("ForEach: %d records, %v", n, err)
		}
		if rep, err := v.Verify(nil); err != nil || !rep.OK() {
			t.Fatalf("Verify: %+v, %v", rep, err)
		}
	}
	check(v)
	v.Close()
	v = mustUnlock(t, path, "pw")
	check(v)
	if err := v.Rekey(RekeyOptions{Passphrase: func(SlotInfo) ([]byte, error) { return []byte("pw"), nil }}); err != nil {
		t.Fatal(err)
	}
	check(v)
	put(t, v, "keys", "after", "z")
	v.Close()
	v = mustUnlock(t, path, "pw")
	if got, err := get(v, "keys", "after"); err != nil || got != "z" {
		t.Fatalf("after rekey: %q, %v", got, err)
	}
}

// A format 2 vault (no summary) is summarised by its first write; a record
// deleted afterwards is caught.
func TestContentSummaryUpgrade(t *testing.T) {
	path, _ := copyV2(t)
	v, err := Unlock(path, Credentials{Passphrase: passFn("v2 passphrase")}, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	put(t, v, "keys", "k3", "three")
	k := v.recordKey("keys", "k2")
	v.Close()
	editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketData).Bucket([]byte("keys")).Delete(k) })
	v = mustUnlock(t, path, "v2 passphrase")
	if _, err := get(v, "keys", "k2"); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "summary") {
		t.Errorf("Get of a deleted record: %v, want ErrCorrupt", err)
	}
}

func rawRecord(t *testing.T, v *Vault, bucket, id string) []byte {
	t.Helper()
	var out []byte
	if err := v.runRaw(false, func(btx *bolt.Tx) (*userPanic, error) {
		out = bytes.Clone(btx.Bucket(bucketData).Bucket([]byte(bucket)).Get(v.recordKey(bucket, id)))
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// renameBucket moves every entry of bucket from to a new bucket to.
func renameBucket(data *bolt.Bucket, from, to string) error {
	src := data.Bucket([]byte(from))
	dst, err := data.CreateBucket([]byte(to))
	if err != nil {
		return err
	}
	if err := src.ForEach(func(k, v []byte) error { return dst.Put(bytes.Clone(k), bytes.Clone(v)) }); err != nil {
		return err
	}
	return data.DeleteBucket([]byte(from))
}
