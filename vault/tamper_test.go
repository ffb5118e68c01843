package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// rawRecords returns the on-disk keys of a data bucket, read with bbolt.
func rawRecords(t testing.TB, path, bucket string) [][]byte {
	t.Helper()
	var keys [][]byte
	editBolt(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketData).Bucket([]byte(bucket)).ForEach(func(k, _ []byte) error {
			keys = append(keys, bytes.Clone(k))
			return nil
		})
	})
	return keys
}

func TestTamperRecords(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(tx *bolt.Tx, keys [][]byte) error
	}{
		{"flip one byte of a value", func(tx *bolt.Tx, keys [][]byte) error {
			b := tx.Bucket(bucketData).Bucket([]byte("keys"))
			for _, k := range keys {
				v := bytes.Clone(b.Get(k))
				v[len(v)/2] ^= 0x01
				if err := b.Put(k, v); err != nil {
					return err
				}
			}
			return nil
		}},
		{"truncate a value", func(tx *bolt.Tx, keys [][]byte) error {
			b := tx.Bucket(bucketData).Bucket([]byte("keys"))
			for _, k := range keys {
				if err := b.Put(k, bytes.Clone(b.Get(k)[:5])); err != nil {
					return err
				}
			}
			return nil
		}},
		{"swap two values", func(tx *bolt.Tx, keys [][]byte) error {
			b := tx.Bucket(bucketData).Bucket([]byte("keys"))
			v0, v1 := bytes.Clone(b.Get(keys[0])), bytes.Clone(b.Get(keys[1]))
			if err := b.Put(keys[0], v1); err != nil {
				return err
			}
			return b.Put(keys[1], v0)
		}},
		{"move values to another bucket", func(tx *bolt.Tx, keys [][]byte) error {
			// The same on-disk keys and values, under bucket "keys2".
			src := tx.Bucket(bucketData).Bucket([]byte("keys"))
			dst := tx.Bucket(bucketData).Bucket([]byte("keys2"))
			for _, k := range keys {
				if err := dst.Put(k, bytes.Clone(src.Get(k))); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := initVault(t, "pw")
			v := mustUnlock(t, path, "pw")
			put(t, v, "keys", "alpha", "value of alpha")
			put(t, v, "keys", "beta", "value of beta")
			put(t, v, "keys2", "gamma", "unrelated")
			v.Close()
			keys := rawRecords(t, path, "keys")
			if len(keys) != 2 {
				t.Fatalf("found %d raw records", len(keys))
			}
			editBolt(t, path, func(tx *bolt.Tx) error { return tc.tamper(tx, keys) })

			v = mustUnlock(t, path, "pw")
			bucket := "keys"
			if strings.HasPrefix(tc.name, "move") {
				bucket = "keys2"
			}
			for _, id := range []string{"alpha", "beta"} {
				_, err := get(v, "keys", id)
				if bucket == "keys2" {
					continue // originals untouched
				}
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Get %s: err = %v, want ErrCorrupt", id, err)
				}
				if !strings.Contains(err.Error(), `bucket "keys"`) || !strings.Contains(err.Error(), "record ") {
					t.Errorf("error does not name bucket and record: %v", err)
				}
			}
			err := v.View(func(tx *Tx) error {
				return tx.ForEach(bucket, "", func(string, []byte) error { return nil })
			})
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("bucket %q", bucket)) {
				t.Fatalf("ForEach err = %v, want ErrCorrupt naming bucket %s", err, bucket)
			}
			// The marker in the message is the record's real marker.
			var markers []string
			_ = v.View(func(tx *Tx) error {
				for _, k := range keys {
					markers = append(markers, v.marker(bucket, k))
				}
				return nil
			})
			if !strings.Contains(err.Error(), markers[0]) && !strings.Contains(err.Error(), markers[1]) {
				t.Errorf("error names no marker: %v", err)
			}
		})
	}
}

// A record copied into another vault, under the key the other vault would
// use for the same id, does not open.
func TestRecordFromAnotherVault(t *testing.T) {
	pathA, pathB := initVault(t, "pw"), initVault(t, "pw")
	a, b := mustUnlock(t, pathA, "pw"), mustUnlock(t, pathB, "pw")
	put(t, a, "keys", "same-id", "from A")
	put(t, b, "keys", "same-id", "from B")
	a.Close()
	b.Close()
	var valA []byte
	editBolt(t, pathA, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketData).Bucket([]byte("keys")).Cursor()
		_, v := c.First()
		valA = bytes.Clone(v)
		return nil
	})
	editBolt(t, pathB, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketData).Bucket([]byte("keys"))
		k, _ := bk.Cursor().First()
		return bk.Put(bytes.Clone(k), valA)
	})
	b = mustUnlock(t, pathB, "pw")
	if _, err := get(b, "keys", "same-id"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}

// fillVault creates a vault holding enough records to span many pages.
func fillVault(t testing.TB, pass string, n int) string {
	t.Helper()
	path := initVault(t, pass)
	v := mustUnlock(t, path, pass)
	if err := v.Update(func(tx *Tx) error {
		for i := range n {
			if err := tx.Put("keys", fmt.Sprintf("key-%d", i), bytes.Repeat([]byte{byte(i)}, 1000)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	return path
}

func TestTruncated(t *testing.T) {
	path := fillVault(t, "pw", 200)
	fi, _ := os.Stat(path)
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	before := fileHash(t, path)
	if _, err := ReadHeader(path); !errors.Is(err, ErrCorrupt) {
		t.Errorf("ReadHeader: err = %v, want ErrCorrupt", err)
	}
	if _, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, testOpts); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Unlock: err = %v, want ErrCorrupt", err)
	}
	// bbolt itself panics opening this file read-write; the panic is
	// recovered and the file lock released.
	if _, err := openBolt(path, false, time.Second, true); !errors.Is(err, ErrCorrupt) {
		t.Errorf("read-write open: err = %v, want ErrCorrupt", err)
	}
	db, err := openBolt(path, true, time.Second, true)
	if err != nil {
		t.Fatalf("open after a recovered panic: %v (lock not released?)", err)
	}
	db.Close()
	if fileHash(t, path) != before {
		t.Error("truncated file was rewritten")
	}
}

// Truncation under an open handle: bbolt reads pages through its mapping
// past the new end of file. The fault must come back as ErrCorrupt, not
// kill the process, and the writer must not commit.
func TestTruncatedUnderOpenHandle(t *testing.T) {
	for _, write := range []bool{false, true} {
		t.Run(fmt.Sprintf("write=%v", write), func(t *testing.T) {
			path := fillVault(t, "pw", 300)
			v := mustUnlock(t, path, "pw")
			if write {
				put(t, v, "other", "x", "y")
			} else if _, err := get(v, "keys", "key-1"); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, 8192); err != nil {
				t.Fatal(err)
			}
			var errs []error
			for i := 0; i < 300; i += 7 {
				_, err := get(v, "keys", fmt.Sprintf("key-%d", i))
				errs = append(errs, err)
			}
			errs = append(errs, v.View(func(tx *Tx) error {
				return tx.ForEach("keys", "", func(string, []byte) error { return nil })
			}))
			if write {
				errs = append(errs, v.Update(func(tx *Tx) error { return tx.Put("keys", "new", []byte("x")) }))
			}
			corrupt := 0
			for _, err := range errs {
				if errors.Is(err, ErrCorrupt) {
					corrupt++
				} else if err != nil {
					t.Errorf("unexpected error: %v", err)
				}
			}
			if corrupt == 0 {
				t.Fatalf("no ErrCorrupt after truncating under an open handle: %v", errs)
			}
			v.Close()
		})
	}
}

func TestNotAVault(t *testing.T) {
	dir := t.TempDir()
	otherBolt := dir + "/plain.db"
	db, err := bolt.Open(otherBolt, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("stuff")); return err })
	db.Close()
	random := dir + "/random"
	_ = os.WriteFile(random, bytes.Repeat([]byte("not a vault "), 2000), 0o600)
	empty := dir + "/empty"
	_ = os.WriteFile(empty, nil, 0o600)
	tiny := dir + "/tiny"
	_ = os.WriteFile(tiny, []byte("x"), 0o600)

	for _, p := range []string{otherBolt, random, empty, tiny, dir} {
		t.Run(p[len(dir):], func(t *testing.T) {
			var before [32]byte
			if p != dir {
				before = fileHash(t, p)
			}
			if _, err := ReadHeader(p); !errors.Is(err, ErrCorrupt) {
				t.Errorf("ReadHeader: %v", err)
			}
			if _, err := Unlock(p, Credentials{Passphrase: passFn("pw")}, testOpts); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Unlock: %v", err)
			}
			if p != dir && fileHash(t, p) != before {
				t.Error("file modified")
			}
		})
	}
}

func TestNewerFormat(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw") // unlocked before the change
	put(t, v, "keys", "a", "1")
	v.Close()
	v = mustUnlock(t, path, "pw")
	editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyFormat, []byte("4")) })
	before := fileHash(t, path)

	_, err := ReadHeader(path)
	if !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("ReadHeader: %v", err)
	}
	if want := "vault format version 4 is newer than this pkms supports (3); upgrade pkms"; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
	if _, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, testOpts); !errors.Is(err, ErrNewerFormat) {
		t.Errorf("Unlock: %v", err)
	}
	// A Vault unlocked earlier refuses too when it (re)opens the file.
	if err := v.Update(func(tx *Tx) error { return tx.Put("keys", "b", nil) }); !errors.Is(err, ErrNewerFormat) {
		t.Errorf("Update: %v", err)
	}
	if _, err := get(v, "keys", "a"); !errors.Is(err, ErrNewerFormat) {
		t.Errorf("View: %v", err)
	}
	if fileHash(t, path) != before {
		t.Error("file of a newer format was modified")
	}
}

func TestBadMeta(t *testing.T) {
	tests := []struct {
		name string
		edit func(tx *bolt.Tx) error
	}{
		{"format zero", func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyFormat, []byte("0")) }},
		{"format garbage", func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyFormat, []byte("one")) }},
		{"format missing", func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyFormat) }},
		{"short id", func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyID, []byte("short")) }},
		{"no slots", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Bucket(bucketSlots).Delete(slotKey(1))
		}},
		{"slot garbage", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Bucket(bucketSlots).Put(slotKey(1), []byte("{not json"))
		}},
		{"slot age file garbage", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Bucket(bucketSlots).Put(slotKey(1), []byte(`{"kind":"passphrase","label":"p","age":"bm9wZQ=="}`))
		}},
		{"no data bucket", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketData) }},
		{"no meta bucket", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketMeta) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := initVault(t, "pw")
			editBolt(t, path, tc.edit)
			before := fileHash(t, path)
			if _, err := ReadHeader(path); !errors.Is(err, ErrCorrupt) {
				t.Errorf("ReadHeader: %v", err)
			}
			if _, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, testOpts); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Unlock: %v", err)
			}
			if fileHash(t, path) != before {
				t.Error("file modified")
			}
		})
	}
}

// A slot whose age file decrypts to something other than a 32-byte key.
func TestBadSlotPayload(t *testing.T) {
	path := initVault(t, "pw")
	editBolt(t, path, func(tx *bolt.Tx) error {
		s, err := passphraseSlot(make([]byte, 31), []byte("pw"), testWF, time.Now().UTC())
		if err != nil {
			return err
		}
		s.ID = "1"
		enc, err := encodeSlot(s)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Bucket(bucketSlots).Put(slotKey(1), enc)
	})
	if _, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, testOpts); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Unlock: %v", err)
	}
}
