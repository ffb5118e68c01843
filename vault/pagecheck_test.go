package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// livePages lists the pages of a closed vault file by type ("branch",
// "leaf", "freelist", ...; free pages are "free"), read with bbolt.
func livePages(t *testing.T, path string) (pageSize int, byType map[string][]int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	byType = map[string][]int{}
	_ = db.View(func(tx *bolt.Tx) error {
		for id := 2; id < int(tx.Size())/db.Info().PageSize; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				t.Fatalf("page %d: %v", id, err)
			}
			byType[p.Type] = append(byType[p.Type], id)
			id += p.OverflowCount
		}
		return nil
	})
	return db.Info().PageSize, byType
}

// patch writes b at off in place (no truncation: an open mapping of the
// file stays valid), as damage on disk would appear.
func patch(t *testing.T, path string, off int, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, int64(off)); err != nil {
		t.Fatal(err)
	}
}

func u16(v uint16) []byte { return binary.NativeEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.NativeEndian.AppendUint64(nil, v) }

// Each damage is one that made bbolt (its consistency check, or an
// ordinary read) loop, allocate without bound or fault, or that bbolt does
// not notice at all. The page check must report it, Verify must list it
// without crashing, and every ordinary path must answer ErrCorrupt.
func TestPageCheck(t *testing.T) {
	base := fillVault(t, "pw", 200) // a "keys" bucket with a branch root and many leaves
	clean, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	ps, pages := livePages(t, base)
	if len(pages["branch"]) == 0 || len(pages["leaf"]) < 2 || len(pages["freelist"]) != 1 {
		t.Fatalf("unexpected layout: %v", pages)
	}
	branch, fl := pages["branch"][0], pages["freelist"][0]
	at := func(page, off int) int { return page*ps + off }
	elem := func(page, i, field int) int { return at(page, pageHeaderSize+elemSize*i+field) }
	leaf := 0 // a leaf of records: its second key is an on-disk record key
	for _, id := range pages["leaf"] {
		if binary.NativeEndian.Uint16(clean[at(id, 10):]) >= 2 && binary.NativeEndian.Uint32(clean[elem(id, 1, 8):]) == recordKeySize {
			leaf = id
			break
		}
	}
	if leaf == 0 {
		t.Fatal("no leaf of records")
	}

	tests := []struct {
		name     string
		damage   func(t *testing.T, path string)
		want     string
		metaOnly bool // found by the meta-part check too
	}{
		{"branch child is the branch itself", func(t *testing.T, p string) {
			patch(t, p, elem(branch, 0, 8), u64(uint64(branch)))
		}, "is reached twice", false},
		{"branch child far beyond the file", func(t *testing.T, p string) {
			patch(t, p, elem(branch, 1, 8), u64(1<<40))
		}, "beyond the high-water mark", false},
		{"branch with no element", func(t *testing.T, p string) {
			patch(t, p, at(branch, 10), u16(0))
		}, "bad element count", false},
		{"leaf element count past the page", func(t *testing.T, p string) {
			patch(t, p, at(leaf, 10), u16(0xFFFF))
		}, "bad element count", false},
		{"leaf key position past the page", func(t *testing.T, p string) {
			patch(t, p, elem(leaf, 0, 4), u32(0xFFFFFFF0))
		}, "out of the page", false},
		{"leaf value size of 2 GiB", func(t *testing.T, p string) {
			patch(t, p, elem(leaf, 0, 12), u32(0x7FFFFFFF))
		}, "value is out of the page", false},
		{"leaf keys out of order", func(t *testing.T, p string) {
			pos := int(binary.NativeEndian.Uint32(clean[elem(leaf, 1, 4):]))
			patch(t, p, elem(leaf, 1, 0)+pos, make([]byte, recordKeySize))
		}, "out of place", false},
		{"unknown leaf element flags", func(t *testing.T, p string) {
			patch(t, p, elem(leaf, 0, 0), u32(0x80))
		}, "flags", false},
		{"overflow past the end", func(t *testing.T, p string) {
			patch(t, p, at(leaf, 12), u32(0xFFFFFFFF))
		}, "overflows past the high-water mark", false},
		{"page naming another page", func(t *testing.T, p string) {
			patch(t, p, at(leaf, 0), u64(uint64(leaf+1)))
		}, "names itself", false},
		{"page of another type", func(t *testing.T, p string) {
			patch(t, p, at(leaf, 8), u16(pageMeta))
		}, "unexpected type", false},
		{"freelist count of 2^62", func(t *testing.T, p string) {
			patch(t, p, at(fl, 10), u16(0xFFFF))
			patch(t, p, at(fl, pageHeaderSize), u64(1<<62))
		}, "claims", true},
		{"freelist listing a page in use", func(t *testing.T, p string) {
			patch(t, p, at(fl, 10), u16(1))
			patch(t, p, at(fl, pageHeaderSize), u64(uint64(leaf)))
		}, "both free and in use", false},
		{"page neither in use nor free", func(t *testing.T, p string) {
			patch(t, p, at(fl, 10), u16(0))
		}, "neither in use nor free", false},
		{"meta page failing its checksum", func(t *testing.T, p string) {
			patch(t, p, at(0, pageHeaderSize+8), u32(8192))
		}, "meta page 0 fails its checksum", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "page neither in use nor free" && binary.NativeEndian.Uint16(clean[at(fl, 10):]) == 0 {
				t.Skip("the freelist is empty")
			}
			path := initVault(t, "pw") // a fresh directory; the file is replaced
			if err := os.WriteFile(path, clean, 0o600); err != nil {
				t.Fatal(err)
			}
			// Verify through a handle opened before the damage: it
			// must list the problem, not fault, loop or allocate.
			v := mustUnlock(t, path, "pw")
			if _, err := get(v, "keys", "key-1"); err != nil {
				t.Fatal(err)
			}
			tc.damage(t, path)
			if tc.metaOnly {
				// Found by the meta-part check every open does,
				// whatever the size of the file.
				db, err := openBolt(path, true, time.Second, true)
				if err != nil {
					t.Fatal(err)
				}
				_ = db.View(func(tx *bolt.Tx) error {
					problems, err := checkPages(path, tx, true)
					if err != nil || !strings.Contains(strings.Join(problems, "\n"), tc.want) {
						t.Errorf("meta-part check: %q, %v; want %q", problems, err, tc.want)
					}
					return nil
				})
				db.Close()
			}
			rep, err := v.Verify(nil)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			found := false
			for _, p := range rep.Problems {
				found = found || strings.Contains(p.Reason, tc.want)
			}
			if !found {
				t.Fatalf("Verify problems %+v, want one with %q", rep.Problems, tc.want)
			}
			v.Close()

			// Every ordinary path answers ErrCorrupt, from the first
			// that touches the damage on.
			var errs []error
			_, err = ReadHeader(path)
			errs = append(errs, err)
			if v, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, testOpts); err != nil {
				errs = append(errs, err)
			} else {
				_, err := get(v, "keys", "key-1")
				errs = append(errs, err)
				errs = append(errs, v.Update(func(tx *Tx) error { return tx.Put("keys", "new", []byte("x")) }))
				rep, err := v.Verify(nil)
				if err == nil && !strings.Contains(fmt.Sprint(rep.Problems), tc.want) {
					t.Errorf("Verify from a fresh Unlock: %+v, want a problem with %q", rep.Problems, tc.want)
				}
				errs = append(errs, err)
				v.Close()
			}
			corrupt := 0
			for _, err := range errs {
				switch {
				case errors.Is(err, ErrCorrupt):
					corrupt++
				case err != nil:
					t.Errorf("error %v, want ErrCorrupt", err)
				}
			}
			if corrupt == 0 {
				t.Errorf("no path reported the damage: %v", errs)
			}
		})
	}
}

// A sound vault passes the check whatever its history: many transactions
// of puts and deletes leave free pages, branches and inline buckets.
func TestPageCheckSound(t *testing.T) {
	path := fillVault(t, "pw", 300)
	v := mustUnlock(t, path, "pw")
	for i := range 300 {
		if i%3 == 0 {
			if err := v.Update(func(tx *Tx) error { return tx.Delete("keys", "key-"+strconv.Itoa(i)) }); err != nil {
				t.Fatal(err)
			}
		}
		if i%50 == 0 {
			put(t, v, "small-"+strconv.Itoa(i), "x", "inline bucket")
		}
	}
	v.Close()
	db, err := openBolt(path, true, time.Second, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		for _, metaOnly := range []bool{true, false} {
			problems, err := checkPages(path, tx, metaOnly)
			if err != nil || len(problems) > 0 {
				t.Errorf("metaOnly=%v: %v %v", metaOnly, problems, err)
			}
		}
		return nil
	})
	checkBolt(t, path)
}
