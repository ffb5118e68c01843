package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

func put(t testing.TB, v *Vault, bucket, id, val string) {
	t.Helper()
	if err := v.Update(func(tx *Tx) error { return tx.Put(bucket, id, []byte(val)) }); err != nil {
		t.Fatalf("Put %s/%s: %v", bucket, id, err)
	}
}

func get(v *Vault, bucket, id string) (string, error) {
	var out []byte
	err := v.View(func(tx *Tx) error {
		var err error
		out, err = tx.Get(bucket, id)
		return err
	})
	return string(out), err
}

func count(t testing.TB, v *Vault, bucket string) int {
	t.Helper()
	var n int
	if err := v.View(func(tx *Tx) error {
		var err error
		n, err = tx.Count(bucket)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecords(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")

	// Empty vault.
	if n := count(t, v, "keys"); n != 0 {
		t.Fatalf("Count of a new bucket = %d", n)
	}
	if _, err := get(v, "keys", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get absent: %v", err)
	}

	put(t, v, "keys", "k1", "v1")
	put(t, v, "keys", "k2", "v2")
	put(t, v, "aliases", "k1", "alias value") // same id, other bucket
	put(t, v, "keys", "empty", "")
	put(t, v, "keys", "k2", "v2b") // overwrite

	tests := []struct {
		bucket, id, want string
		wantErr          error
	}{
		{"keys", "k1", "v1", nil},
		{"keys", "k2", "v2b", nil},
		{"keys", "empty", "", nil},
		{"aliases", "k1", "alias value", nil},
		{"aliases", "k2", "", ErrNotFound},
		{"grants", "k1", "", ErrNotFound},
	}
	for _, tc := range tests {
		got, err := get(v, tc.bucket, tc.id)
		if !errors.Is(err, tc.wantErr) || (err == nil && got != tc.want) {
			t.Errorf("Get(%s, %s) = %q, %v; want %q, %v", tc.bucket, tc.id, got, err, tc.want, tc.wantErr)
		}
	}
	if n := count(t, v, "keys"); n != 3 {
		t.Errorf("Count(keys) = %d, want 3", n)
	}

	// Delete, including absent records and buckets.
	if err := v.Update(func(tx *Tx) error {
		for _, d := range [][2]string{{"keys", "k1"}, {"keys", "nope"}, {"nobucket", "x"}} {
			if err := tx.Delete(d[0], d[1]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := get(v, "keys", "k1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get deleted: %v", err)
	}
	if n := count(t, v, "keys"); n != 2 {
		t.Errorf("Count after delete = %d", n)
	}

	// ForEach sees every record exactly once with its value.
	seen := map[string]string{}
	if err := v.View(func(tx *Tx) error {
		return tx.ForEach("keys", "", func(m string, val []byte) error {
			if _, dup := seen[m]; dup {
				t.Errorf("marker %s visited twice", m)
			}
			seen[m] = string(val)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	vals := []string{}
	for _, s := range seen {
		vals = append(vals, s)
	}
	sort.Strings(vals)
	if strings.Join(vals, ",") != ",v2b" {
		t.Errorf("ForEach values = %q", vals)
	}

	// Survives Close and a new Unlock.
	v.Close()
	v2 := mustUnlock(t, path, "pw")
	if got, err := get(v2, "aliases", "k1"); err != nil || got != "alias value" {
		t.Errorf("after reopen Get = %q, %v", got, err)
	}
}

func TestTxRules(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	put(t, v, "keys", "a", "1")

	// Writes in View are refused.
	err := v.View(func(tx *Tx) error {
		if err := tx.Put("keys", "b", nil); err == nil {
			t.Error("Put in View succeeded")
		}
		if err := tx.Delete("keys", "a"); err == nil {
			t.Error("Delete in View succeeded")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// An error from fn rolls everything back.
	boom := errors.New("boom")
	err = v.Update(func(tx *Tx) error {
		if err := tx.Put("keys", "b", []byte("2")); err != nil {
			return err
		}
		if err := tx.Delete("keys", "a"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update err = %v", err)
	}
	if _, err := get(v, "keys", "b"); !errors.Is(err, ErrNotFound) {
		t.Error("rolled-back Put is visible")
	}
	if got, _ := get(v, "keys", "a"); got != "1" {
		t.Error("rolled-back Delete is visible")
	}

	// Invalid names and ids.
	for _, c := range [][2]string{{"", "x"}, {"a\x00b", "x"}, {"a\nb", "x"}, {"keys", ""}, {strings.Repeat("b", 256), "x"}, {"keys", strings.Repeat("i", 5000)}} {
		if err := v.Update(func(tx *Tx) error { return tx.Put(c[0], c[1], nil) }); err == nil {
			t.Errorf("Put(%q, %q) accepted", c[0], c[1])
		}
	}

	// A Tx used after its callback is refused.
	var leaked *Tx
	_ = v.View(func(tx *Tx) error { leaked = tx; return nil })
	if _, err := leaked.Get("keys", "a"); err == nil {
		t.Error("Get on a finished Tx succeeded")
	}
}

func TestPanicInCallback(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	for _, inForEach := range []bool{false, true} {
		put(t, v, "keys", "a", "1")
		func() {
			defer func() {
				if r := recover(); r != "user bug" {
					t.Errorf("recovered %v, want the callback's panic", r)
				}
			}()
			_ = v.Update(func(tx *Tx) error {
				_ = tx.Put("keys", "b", []byte("x"))
				if inForEach {
					return tx.ForEach("keys", "", func(string, []byte) error { panic("user bug") })
				}
				panic("user bug")
			})
		}()
		if _, err := get(v, "keys", "b"); !errors.Is(err, ErrNotFound) {
			t.Error("write of a panicking Update was committed")
		}
	}
	// The lock was released: the vault still works.
	put(t, v, "keys", "c", "3")
}

func TestForEachMarkers(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	const n = 25
	if err := v.Update(func(tx *Tx) error {
		for i := range n {
			if err := tx.Put("keys", fmt.Sprintf("key-%02d", i), []byte(fmt.Sprint(i))); err != nil {
				return err
			}
		}
		return tx.Put("other", "key-00", []byte("other"))
	}); err != nil {
		t.Fatal(err)
	}

	// Paginate 7 at a time.
	page := func(after string, limit int) (vals []string, next string) {
		t.Helper()
		err := v.View(func(tx *Tx) error {
			return tx.ForEach("keys", after, func(m string, val []byte) error {
				if len(m) == 0 || len(m) > 128 {
					t.Fatalf("marker length %d", len(m))
				}
				for _, c := range m {
					if c < 0x21 || c > 0x7e {
						t.Fatalf("marker %q is not printable ASCII", m)
					}
				}
				vals = append(vals, string(val))
				next = m
				if len(vals) == limit {
					return ErrStop
				}
				return nil
			})
		})
		if err != nil {
			t.Fatalf("ForEach after %q: %v", after, err)
		}
		return vals, next
	}
	var all []string
	after := ""
	var markers []string
	for {
		vals, next := page(after, 7)
		all = append(all, vals...)
		if len(vals) < 7 {
			break
		}
		markers = append(markers, next)
		after = next
	}
	if len(all) != n {
		t.Fatalf("paginated %d records, want %d: %v", len(all), n, all)
	}
	set := map[string]bool{}
	for _, s := range all {
		set[s] = true
	}
	if len(set) != n {
		t.Fatalf("duplicates in pagination: %v", all)
	}

	// Resume after a marker whose record has been deleted: continues with
	// the records that followed it.
	rest, _ := page(markers[0], 100)
	if len(rest) != n-7 {
		t.Fatalf("after first page: %d records", len(rest))
	}
	var deletedID string
	for i := range n {
		if fmt.Sprint(i) == all[6] {
			deletedID = fmt.Sprintf("key-%02d", i)
		}
	}
	if err := v.Update(func(tx *Tx) error { return tx.Delete("keys", deletedID) }); err != nil {
		t.Fatal(err)
	}
	rest2, _ := page(markers[0], 100)
	if strings.Join(rest2, ",") != strings.Join(rest, ",") {
		t.Fatalf("after a deleted marker: %v, want %v", rest2, rest)
	}
	// The last marker yields nothing more.
	var last string
	_ = v.View(func(tx *Tx) error {
		return tx.ForEach("keys", "", func(m string, _ []byte) error { last = m; return nil })
	})
	if vals, _ := page(last, 100); len(vals) != 0 {
		t.Fatalf("after the last marker: %v", vals)
	}
}

func TestForEachInvalidMarker(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	put(t, v, "keys", "a", "1")
	put(t, v, "other", "a", "1")
	markerOf := func(v *Vault, bucket string) string {
		var m string
		if err := v.View(func(tx *Tx) error {
			return tx.ForEach(bucket, "", func(mk string, _ []byte) error { m = mk; return ErrStop })
		}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	good := markerOf(v, "keys")
	path2 := initVault(t, "pw")
	v2 := mustUnlock(t, path2, "pw")
	put(t, v2, "keys", "a", "1")

	flipped := []byte(good)
	if flipped[10] == 'A' {
		flipped[10] = 'B'
	} else {
		flipped[10] = 'A'
	}
	tests := []struct{ name, marker string }{
		{"garbage", "not-a-marker"},
		{"right length, not base64", strings.Repeat("!", len(good))},
		{"right length, random", strings.Repeat("A", len(good))},
		{"one character changed", string(flipped)},
		{"too long", good + "A"},
		{"from another bucket", markerOf(v, "other")},
		{"from another vault", markerOf(v2, "keys")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			err := v.View(func(tx *Tx) error {
				return tx.ForEach("keys", tc.marker, func(string, []byte) error { called = true; return nil })
			})
			if !errors.Is(err, ErrInvalidMarker) {
				t.Fatalf("err = %v, want ErrInvalidMarker", err)
			}
			if called {
				t.Error("callback called")
			}
		})
	}
	// The good marker works on an absent bucket too, and is not an error.
	if err := v.View(func(tx *Tx) error {
		return tx.ForEach("keys", good, func(string, []byte) error { return nil })
	}); err != nil {
		t.Fatal(err)
	}
}

func TestForEachError(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	put(t, v, "keys", "a", "1")
	put(t, v, "keys", "b", "2")
	boom := errors.New("boom")
	calls := 0
	err := v.View(func(tx *Tx) error {
		return tx.ForEach("keys", "", func(string, []byte) error { calls++; return boom })
	})
	if !errors.Is(err, boom) || calls != 1 {
		t.Fatalf("err = %v after %d calls", err, calls)
	}
	calls = 0
	err = v.View(func(tx *Tx) error {
		return tx.ForEach("keys", "", func(string, []byte) error { calls++; return fmt.Errorf("wrapped: %w", ErrStop) })
	})
	if err != nil || calls != 1 {
		t.Fatalf("ErrStop: err = %v after %d calls", err, calls)
	}
}

// No logical id, and no plaintext value, is readable in the file.
func TestIDsNotInFile(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	secrets := []string{
		"1234abcd-12ab-34cd-56ef-1234567890ab",
		"alias/my-very-recognisable-alias",
		"tag-key-ProjectCerulean",
	}
	for _, s := range secrets {
		put(t, v, "keys", s, "plaintext value of "+s)
	}
	v.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		for _, needle := range []string{s, "plaintext value of"} {
			if bytes.Contains(raw, []byte(needle)) {
				t.Errorf("%q readable in the vault file", needle)
			}
		}
	}
	// The test can fail: the bucket name is stored in clear, by design.
	if !bytes.Contains(raw, []byte("keys")) {
		t.Error("sanity check: bucket name not found in the raw file")
	}
}

// Many goroutines share one Vault: reads, writes, and the read-only to
// read-write handle upgrade happen concurrently.
func TestConcurrentGoroutines(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	var wg sync.WaitGroup
	const workers, per = 8, 20
	for w := range workers {
		wg.Go(func() {
			for i := range per {
				id := fmt.Sprintf("w%d-%d", w, i)
				if err := v.Update(func(tx *Tx) error { return tx.Put("keys", id, []byte(id)) }); err != nil {
					t.Error(err)
					return
				}
				if got, err := get(v, "keys", id); err != nil || got != id {
					t.Errorf("Get %s = %q, %v", id, got, err)
					return
				}
				_, _ = v.Slots(), v.ID()
			}
		})
	}
	// Readers that start before any writer opened the handle.
	for range 4 {
		wg.Go(func() {
			for range per {
				_ = v.View(func(tx *Tx) error {
					return tx.ForEach("keys", "", func(string, []byte) error { return nil })
				})
			}
		})
	}
	wg.Wait()
	if n := count(t, v, "keys"); n != workers*per {
		t.Fatalf("Count = %d, want %d", n, workers*per)
	}
}
