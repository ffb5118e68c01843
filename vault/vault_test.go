package vault

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"
)

const testWF = 10 // scrypt work factor for tests (fast)

var testOpts = Options{NoSync: true, Timeout: 10 * time.Second}

func passFn(p string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(p), nil }
}

func newX25519(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// initVault creates a vault in a fresh temp dir and returns its path.
func initVault(t testing.TB, pass string, recipients ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.pkms")
	opts := InitOptions{ScryptWorkFactor: testWF, Recipients: recipients, NoSync: true}
	if pass != "" {
		opts.Passphrase = []byte(pass)
	}
	if err := Init(path, opts); err != nil {
		t.Fatalf("Init: %v", err)
	}
	return path
}

func mustUnlock(t testing.TB, path, pass string) *Vault {
	t.Helper()
	v, err := Unlock(path, Credentials{Passphrase: passFn(pass)}, testOpts)
	if err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func fileHash(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestInitUnlock(t *testing.T) {
	x := newX25519(t)
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		pass       string
		recipients []string
		creds      Credentials
		wantKinds  []SlotKind
	}{
		{"passphrase", "correct horse", nil, Credentials{Passphrase: passFn("correct horse")}, []SlotKind{SlotPassphrase}},
		{"x25519", "", []string{x.Recipient().String()}, Credentials{Identities: []age.Identity{x}}, []SlotKind{SlotIdentity}},
		{"both/identity", "pw", []string{x.Recipient().String()}, Credentials{Identities: []age.Identity{x}}, []SlotKind{SlotPassphrase, SlotIdentity}},
		{"both/passphrase", "pw", []string{x.Recipient().String()}, Credentials{Passphrase: passFn("pw")}, []SlotKind{SlotPassphrase, SlotIdentity}},
		{"post-quantum", "", []string{pq.Recipient().String()}, Credentials{Identities: []age.Identity{pq}}, []SlotKind{SlotIdentity}},
		{"x25519+pq", "", []string{x.Recipient().String(), pq.Recipient().String()}, Credentials{Identities: []age.Identity{pq}}, []SlotKind{SlotIdentity, SlotIdentity}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := initVault(t, tc.pass, tc.recipients...)
			h, err := ReadHeader(path)
			if err != nil {
				t.Fatalf("ReadHeader: %v", err)
			}
			if h.FormatVersion != FormatVersion || len(h.ID) != 16 || h.Path != path {
				t.Fatalf("header = %+v", h)
			}
			if len(h.Slots) != len(tc.wantKinds) {
				t.Fatalf("slots = %+v, want kinds %v", h.Slots, tc.wantKinds)
			}
			for i, s := range h.Slots {
				if s.Kind != tc.wantKinds[i] || s.ID == "" || s.Created.IsZero() || time.Since(s.Created) > time.Hour {
					t.Errorf("slot %d = %+v, want kind %s", i, s, tc.wantKinds[i])
				}
				if s.Kind == SlotIdentity && s.Label != tc.recipients[i-(len(tc.wantKinds)-len(tc.recipients))] {
					t.Errorf("slot %d label = %q", i, s.Label)
				}
			}
			v, err := Unlock(path, tc.creds, testOpts)
			if err != nil {
				t.Fatalf("Unlock: %v", err)
			}
			defer v.Close()
			if !bytes.Equal(v.ID(), h.ID) {
				t.Errorf("ID = %x, header %x", v.ID(), h.ID)
			}
			if len(v.Slots()) != len(h.Slots) {
				t.Errorf("Slots = %+v", v.Slots())
			}
			if err := v.Update(func(tx *Tx) error { return tx.Put("keys", "k1", []byte("hello")) }); err != nil {
				t.Fatal(err)
			}
			if err := v.View(func(tx *Tx) error {
				got, err := tx.Get("keys", "k1")
				if string(got) != "hello" {
					t.Errorf("Get = %q, %v", got, err)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestIdentityTriedBeforePassphrase(t *testing.T) {
	x := newX25519(t)
	path := initVault(t, "pw", x.Recipient().String())
	calls := 0
	v, err := Unlock(path, Credentials{Identities: []age.Identity{x}, Passphrase: func() ([]byte, error) {
		calls++
		return []byte("pw"), nil
	}}, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if calls != 0 {
		t.Errorf("passphrase asked %d times although an identity matched", calls)
	}
}

func TestUnlockErrors(t *testing.T) {
	x, other := newX25519(t), newX25519(t)
	bothPath := initVault(t, "right", x.Recipient().String())
	idPath := initVault(t, "", x.Recipient().String())
	passPath := initVault(t, "right")
	tests := []struct {
		name      string
		path      string
		ids       []age.Identity
		pass      *string
		wantErr   error
		wantCalls int
	}{
		{"wrong passphrase", passPath, nil, ptr("wrong"), ErrIncorrectPassphrase, 1},
		{"wrong passphrase, both slots", bothPath, []age.Identity{other}, ptr("wrong"), ErrIncorrectPassphrase, 1},
		{"empty passphrase", passPath, nil, ptr(""), ErrIncorrectPassphrase, 1},
		{"no matching identity", idPath, []age.Identity{other}, nil, ErrNoSlotMatched, 0},
		{"passphrase for identity-only vault", idPath, []age.Identity{other}, ptr("right"), ErrNoSlotMatched, 0},
		{"no credentials", bothPath, nil, nil, ErrNoSlotMatched, 0},
		{"identity for passphrase-only vault", passPath, []age.Identity{x}, nil, ErrNoSlotMatched, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fileHash(t, tc.path)
			calls := 0
			creds := Credentials{Identities: tc.ids}
			if tc.pass != nil {
				creds.Passphrase = func() ([]byte, error) { calls++; return []byte(*tc.pass), nil }
			}
			v, err := Unlock(tc.path, creds, testOpts)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Unlock err = %v, want %v", err, tc.wantErr)
			}
			if v != nil {
				t.Fatal("Unlock returned a vault with an error")
			}
			if tc.wantErr == ErrIncorrectPassphrase && err.Error() != "incorrect passphrase" {
				t.Errorf("message = %q", err.Error())
			}
			if calls != tc.wantCalls {
				t.Errorf("passphrase asked %d times, want %d", calls, tc.wantCalls)
			}
			if fileHash(t, tc.path) != before {
				t.Error("file changed by a failed Unlock")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestPassphraseCallbackError(t *testing.T) {
	path := initVault(t, "pw")
	boom := errors.New("no tty")
	_, err := Unlock(path, Credentials{Passphrase: func() ([]byte, error) { return nil, boom }}, testOpts)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestInitExists(t *testing.T) {
	path := initVault(t, "pw")
	before := fileHash(t, path)
	err := Init(path, InitOptions{Passphrase: []byte("x"), ScryptWorkFactor: testWF, NoSync: true})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
	if fileHash(t, path) != before {
		t.Fatal("existing vault modified")
	}
	// Any existing file counts, even an empty one.
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Init(empty, InitOptions{Passphrase: []byte("x"), ScryptWorkFactor: testWF, NoSync: true}); !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
}

func TestConcurrentInit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			errs[i] = Init(path, InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: testWF, NoSync: true})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrExists):
			t.Errorf("Init: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d Inits succeeded, want 1", ok)
	}
	mustUnlock(t, path, "pw")
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the vault (temp files left?)", len(entries))
	}
}

func TestNotExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope")
	if _, err := ReadHeader(path); !errors.Is(err, ErrNotExist) {
		t.Errorf("ReadHeader err = %v", err)
	}
	if _, err := Unlock(path, Credentials{Passphrase: passFn("x")}, testOpts); !errors.Is(err, ErrNotExist) {
		t.Errorf("Unlock err = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("a missing vault was created")
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "vault")
	if err := Init(path, InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: testWF, NoSync: true}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("file mode %o, want 600", m)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := di.Mode().Perm(); m != 0o700 {
		t.Errorf("dir mode %o, want 700", m)
	}
	// Writes through bbolt keep the mode.
	v := mustUnlock(t, path, "pw")
	if err := v.Update(func(tx *Tx) error { return tx.Put("b", "i", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode after update %o", fi.Mode().Perm())
	}
}

func TestInitValidation(t *testing.T) {
	tests := []struct {
		name string
		opts InitOptions
	}{
		{"no slot", InitOptions{}},
		{"empty passphrase", InitOptions{Passphrase: []byte{}}},
		{"bad recipient", InitOptions{Recipients: []string{"age1notarecipient"}}},
		{"secret key as recipient", InitOptions{Recipients: []string{"AGE-SECRET-KEY-1QQQQ"}}},
		{"two recipients in one string", InitOptions{Recipients: []string{newX25519(t).Recipient().String() + "\n" + newX25519(t).Recipient().String()}}},
		{"work factor too large", InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: 23}},
		{"negative work factor", InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "v")
			tc.opts.NoSync = true
			if err := Init(path, tc.opts); err == nil {
				t.Fatal("Init succeeded")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("failed Init left %d files", len(entries))
			}
		})
	}
}

func TestDefaultWorkFactor(t *testing.T) {
	if wf, err := scryptWorkFactor(0); wf != 18 || err != nil {
		t.Fatalf("default work factor = %d, %v; want 18", wf, err)
	}
	if testing.Short() || raceEnabled {
		t.Skip("scrypt at work factor 18 takes a minute under -race")
	}
	path := filepath.Join(t.TempDir(), "v")
	if err := Init(path, InitOptions{Passphrase: []byte("pw"), NoSync: true}); err != nil {
		t.Fatal(err)
	}
	st, err := readState(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	hdr, _, _ := strings.Cut(string(st.slots[0].ageFile), "\n---")
	if !strings.Contains(hdr, "\n-> scrypt ") || !strings.HasSuffix(strings.SplitN(hdr, "\n", 3)[1], " 18") {
		t.Fatalf("passphrase slot header does not use work factor 18:\n%s", hdr)
	}
}

func TestChangePassphrase(t *testing.T) {
	x := newX25519(t)
	path := initVault(t, "old", x.Recipient().String())
	v := mustUnlock(t, path, "old")
	if err := v.Update(func(tx *Tx) error { return tx.Put("keys", "a", []byte("alpha")) }); err != nil {
		t.Fatal(err)
	}
	before := v.Slots()
	if err := v.ChangePassphrase([]byte("new"), testWF); err != nil {
		t.Fatal(err)
	}
	after := v.Slots()
	if len(after) != len(before) || after[0].ID != before[0].ID || after[0].Kind != SlotPassphrase || !reflect.DeepEqual(after[1], before[1]) {
		t.Errorf("slots before %+v after %+v", before, after)
	}
	// Still usable in the same session.
	if err := v.View(func(tx *Tx) error { _, err := tx.Get("keys", "a"); return err }); err != nil {
		t.Fatal(err)
	}
	v.Close()

	if _, err := Unlock(path, Credentials{Passphrase: passFn("old")}, testOpts); !errors.Is(err, ErrIncorrectPassphrase) {
		t.Fatalf("old passphrase: err = %v", err)
	}
	for _, creds := range []Credentials{{Passphrase: passFn("new")}, {Identities: []age.Identity{x}}} {
		v2, err := Unlock(path, creds, testOpts)
		if err != nil {
			t.Fatalf("Unlock after change: %v", err)
		}
		if err := v2.View(func(tx *Tx) error {
			got, err := tx.Get("keys", "a")
			if string(got) != "alpha" {
				t.Errorf("Get = %q, %v", got, err)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		h, _ := ReadHeader(path)
		if len(h.Slots) != 2 || !reflect.DeepEqual(h.Slots[1], before[1]) {
			t.Errorf("header slots %+v", h.Slots)
		}
		v2.Close()
	}
}

func TestChangePassphraseNoSlot(t *testing.T) {
	x := newX25519(t)
	path := initVault(t, "", x.Recipient().String())
	v, err := Unlock(path, Credentials{Identities: []age.Identity{x}}, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	before := fileHash(t, path)
	if err := v.ChangePassphrase([]byte("new"), testWF); !errors.Is(err, ErrNoPassphraseSlot) {
		t.Fatalf("err = %v", err)
	}
	if fileHash(t, path) != before {
		t.Error("file changed")
	}
}

func TestClose(t *testing.T) {
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	if err := v.Update(func(tx *Tx) error { return tx.Put("b", "i", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	keys := v.keys
	if len(keys.vk) != 32 || len(keys.mem.Bytes()) == 0 {
		t.Fatal("no vault key in the key set before Close")
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// The buffer is wiped and unmapped (internal/secmem); nothing of the
	// set refers to it any more.
	if keys.vk != nil || keys.idKey != nil || keys.markerKey != nil || keys.checkKey != nil || len(keys.bucketKey) != 0 || keys.mem.Bytes() != nil {
		t.Error("key set not released on Close")
	}
	if err := v.View(func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("View after Close: %v", err)
	}
	if err := v.ChangePassphrase([]byte("x"), testWF); !errors.Is(err, ErrClosed) {
		t.Errorf("ChangePassphrase after Close: %v", err)
	}
}

// A second read-write handle (here another Vault in the same process: flock
// is per open file) waits for the lock and gives up after Timeout.
func TestLockTimeout(t *testing.T) {
	path := initVault(t, "pw")
	a := mustUnlock(t, path, "pw")
	if err := a.Update(func(tx *Tx) error { return tx.Put("b", "a", nil) }); err != nil {
		t.Fatal(err)
	}
	b, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, Options{NoSync: true, Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Unlock while another handle writes: err = %v, want ErrLocked", err)
	}
	if b != nil {
		t.Fatal("vault returned with error")
	}
	a.Close()
	b, err = Unlock(path, Credentials{Passphrase: passFn("pw")}, Options{NoSync: true, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// b reads (shared lock), then a third Vault cannot write until b is closed.
	if err := b.View(func(tx *Tx) error { _, err := tx.Get("b", "a"); return err }); err != nil {
		t.Fatal(err)
	}
	c := mustUnlock(t, path, "pw")
	c.opts.Timeout = 200 * time.Millisecond
	if err := c.Update(func(tx *Tx) error { return tx.Put("b", "c", nil) }); !errors.Is(err, ErrLocked) {
		t.Fatalf("Update while another handle reads: %v", err)
	}
	b.Close()
	if err := c.Update(func(tx *Tx) error { return tx.Put("b", "c", nil) }); err != nil {
		t.Fatal(err)
	}
}

func TestCheckValueMismatch(t *testing.T) {
	path := initVault(t, "pw")
	editBolt(t, path, func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		c := bytes.Clone(m.Get(keyCheck))
		c[len(c)-1] ^= 1
		return m.Put(keyCheck, c)
	})
	before := fileHash(t, path)
	_, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, testOpts)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "check value") {
		t.Fatalf("err = %v, want ErrCorrupt about the check value", err)
	}
	if fileHash(t, path) != before {
		t.Error("file changed")
	}
}

// editBolt modifies a closed vault file directly with bbolt.
func editBolt(t testing.TB, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}
