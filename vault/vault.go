package vault

import (
	"bytes"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/pocketkms/pkms/crypto"
)

const defaultTimeout = 30 * time.Second

// InitOptions configures Init.
type InitOptions struct {
	Passphrase       []byte    // nil: no passphrase slot
	ScryptWorkFactor int       // 0 means 18 (age's default); at most 22
	Recipients       []string  // age recipient strings, one identity slot each; label = the recipient string
	Rand             io.Reader // nil: crypto/rand.Reader
	NoSync           bool      // tests only
}

// Header is the plaintext part of a vault: readable without unlocking.
type Header struct {
	Path          string
	ID            []byte
	FormatVersion int
	Slots         []SlotInfo
}

// Credentials are what Unlock may use to open a key slot.
type Credentials struct {
	Identities []age.Identity         // tried first against identity (non-passphrase) slots
	Passphrase func() ([]byte, error) // called at most once, only if needed and a passphrase slot exists
}

// Options configures an unlocked Vault.
type Options struct {
	NoSync  bool          // tests: bbolt NoSync
	Timeout time.Duration // how long to wait for the file lock; 0 means 30s
}

// Vault is an unlocked vault. It is safe for concurrent use by many
// goroutines. The bbolt handle is opened lazily and kept until Close, so a
// process holding a Vault with a read-write handle excludes other processes
// from the file: command-line callers should Close as soon as they are done.
type Vault struct {
	path string
	id   []byte
	opts Options
	rand io.Reader

	mu     sync.RWMutex // guards db, rw, closed, and the keys (zeroed on Close)
	db     *bolt.DB
	rw     bool
	closed bool
	bad    atomic.Bool // a bbolt panic was recovered: reopen the handle

	vk        []byte
	idKey     []byte // HMAC key for on-disk record keys
	markerKey []byte // HMAC key authenticating pagination markers
	keysMu    sync.Mutex
	bucketKey map[string][]byte

	slotsMu sync.Mutex
	slots   []SlotInfo
}

func absPath(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
}

// Init creates a new vault at path. See the package documentation for the
// format. Creation is atomic: the file is built under a temporary name in the
// same directory and hard-linked into place, so path either does not exist or
// holds a complete vault; ErrExists if path already exists.
func Init(path string, opts InitOptions) (err error) {
	path = absPath(path)
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%w: %s", ErrExists, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("vault: %w", err)
	}
	if opts.Passphrase == nil && len(opts.Recipients) == 0 {
		return errors.New("vault: at least one key slot (a passphrase or a recipient) is required")
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = crand.Reader
	}
	vk := make([]byte, crypto.KeySize)
	defer clear(vk)
	id := make([]byte, idSize)
	if _, err := io.ReadFull(rnd, vk); err != nil {
		return fmt.Errorf("vault: reading randomness: %w", err)
	}
	if _, err := io.ReadFull(rnd, id); err != nil {
		return fmt.Errorf("vault: reading randomness: %w", err)
	}
	check, err := makeCheck(rnd, vk, id)
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	now := time.Now().UTC()
	var slots []*slot
	if opts.Passphrase != nil {
		s, err := passphraseSlot(vk, opts.Passphrase, opts.ScryptWorkFactor, now)
		if err != nil {
			return err
		}
		slots = append(slots, s)
	}
	for _, r := range opts.Recipients {
		s, err := identitySlot(vk, r, now)
		if err != nil {
			return err
		}
		slots = append(slots, s)
	}

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	removeStaleTemps(dir, filepath.Base(path))
	f, err := os.CreateTemp(dir, tempPrefix(filepath.Base(path))+"*.tmp")
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("vault: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("vault: %w", err)
	}

	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second, NoSync: opts.NoSync})
	if err != nil {
		return fmt.Errorf("vault: creating %s: %w", tmp, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keyFormat, formatBytes(FormatVersion)); err != nil {
			return err
		}
		if err := meta.Put(keyID, id); err != nil {
			return err
		}
		if err := meta.Put(keyCheck, check); err != nil {
			return err
		}
		sb, err := meta.CreateBucket(bucketSlots)
		if err != nil {
			return err
		}
		for _, s := range slots {
			if err := putNewSlot(sb, s); err != nil {
				return err
			}
		}
		_, err = tx.CreateBucket(bucketData)
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("vault: writing %s: %w", tmp, err)
	}
	if !opts.NoSync {
		if err := syncPath(tmp); err != nil {
			return fmt.Errorf("vault: %w", err)
		}
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
		return fmt.Errorf("vault: linking the new vault into place: %w", err)
	}
	if err := os.Remove(tmp); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if !opts.NoSync {
		if err := syncPath(dir); err != nil {
			return fmt.Errorf("vault: %w", err)
		}
	}
	return nil
}

// putNewSlot stores s under the next slot id and sets s.ID.
func putNewSlot(sb *bolt.Bucket, s *slot) error {
	seq, err := sb.NextSequence()
	if err != nil {
		return err
	}
	s.ID = fmt.Sprint(seq)
	enc, err := encodeSlot(s)
	if err != nil {
		return err
	}
	return sb.Put(slotKey(seq), enc)
}

func tempPrefix(base string) string { return "." + base + ".init-" }

// removeStaleTemps removes temporary files left by an Init that crashed
// (older than an hour, so a concurrent Init is never disturbed).
func removeStaleTemps(dir, base string) {
	matches, _ := filepath.Glob(filepath.Join(dir, escapeGlob(tempPrefix(base))+"*.tmp"))
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > time.Hour {
			_ = os.Remove(m)
		}
	}
}

func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// openBolt opens the vault file with bbolt without ever creating or
// initialising it, mapping errors (and panics) to the package's errors.
func openBolt(path string, readOnly bool, timeout time.Duration, noSync bool) (db *bolt.DB, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s", ErrNotExist, path)
	case err != nil:
		return nil, fmt.Errorf("vault: %w", err)
	case fi.IsDir():
		return nil, corruptf(path, "is a directory, not a vault file")
	case fi.Size() == 0:
		return nil, corruptf(path, "empty file")
	}
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	var file *os.File
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag&^os.O_CREATE, perm)
		if err != nil {
			return nil, err
		}
		// bbolt would initialise an empty file as a fresh database.
		if st, err := f.Stat(); err != nil || st.Size() == 0 {
			f.Close()
			return nil, errEmptyFile
		}
		file = f
		return f, nil
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				releaseFlock(file)
				file.Close() // the mapping made by Open is lost with the handle
			}
			db, err = nil, corruptf(path, "damaged file: %s", panicDetail(r))
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{
		Timeout:  timeout,
		ReadOnly: readOnly,
		NoSync:   noSync,
		OpenFile: openFile,
	})
	if err != nil {
		return nil, mapOpenError(path, err)
	}
	return db, nil
}

var errEmptyFile = errors.New("empty file")

// panicDetail describes a recovered panic from bbolt. A memory fault (with
// debug.SetPanicOnFault) means a page past the end of the file was read.
func panicDetail(r any) string {
	if _, ok := r.(interface{ Addr() uintptr }); ok {
		return "memory fault reading the file (truncated or damaged)"
	}
	return fmt.Sprint(r)
}

func mapOpenError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return &vaultError{sentinel: ErrLocked, msg: fmt.Sprintf("vault %s is locked by another process (timed out waiting for the file lock)", path)}
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %s", ErrNotExist, path)
	case errors.Is(err, errEmptyFile):
		return corruptf(path, "empty file")
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("vault: %w", err)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return corruptWrap(path, err, "not a valid bbolt database: %v", err)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("vault: %w", err)
	}
	return corruptWrap(path, err, "%v", err)
}

// guardedView runs fn in a bbolt read transaction, turning panics (bbolt on
// a damaged file, or a fault on a mapping past the end of a truncated file)
// into ErrCorrupt.
func guardedView(path string, db *bolt.DB, fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = corruptf(path, "damaged file: %s", panicDetail(r))
		}
	}()
	return db.View(fn)
}

// checkSize refuses a file shorter than the pages its meta page claims
// (a truncated file), before any of those pages is touched.
func checkSize(path string, tx *bolt.Tx) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if want := tx.Size(); fi.Size() < want {
		return corruptf(path, "file is truncated: %d bytes, the database needs %d", fi.Size(), want)
	}
	return nil
}

// readState reads the header, check value and slots with a short read-only
// (shared lock) open. It never writes.
func readState(path string, timeout time.Duration) (*state, error) {
	db, err := openBolt(path, true, timeout, false)
	if err != nil {
		return nil, err
	}
	var st *state
	err = guardedView(path, db, func(tx *bolt.Tx) error {
		if err := checkSize(path, tx); err != nil {
			return err
		}
		var err error
		st, err = readMeta(path, tx)
		return err
	})
	if cerr := closeBolt(db); err == nil && cerr != nil {
		err = fmt.Errorf("vault: closing %s: %w", path, cerr)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

func closeBolt(db *bolt.DB) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("vault: closing after damage: %v", r)
		}
	}()
	return db.Close()
}

// ReadHeader opens the file read-only (shared lock), reads the format
// version, vault id and slot list, and closes it. It never writes.
func ReadHeader(path string) (*Header, error) {
	path = absPath(path)
	st, err := readState(path, defaultTimeout)
	if err != nil {
		return nil, err
	}
	return st.header, nil
}

// Unlock reads the header and slots with a short read-only open, unwraps the
// vault key from the first slot the credentials open, verifies it against
// the stored check value and returns a Vault. It never writes the file, and
// the scrypt work happens with the file closed.
func Unlock(path string, creds Credentials, opts Options) (*Vault, error) {
	path = absPath(path)
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	st, err := readState(path, opts.Timeout)
	if err != nil {
		return nil, err
	}
	vk, err := unlockSlots(path, st.slots, creds)
	if err != nil {
		return nil, err
	}
	if !verifyCheck(vk, st.header.ID, st.check) {
		clear(vk)
		return nil, corruptf(path, "the unwrapped vault key does not match the check value")
	}
	v, err := newVault(path, st, vk, opts)
	if err != nil {
		clear(vk)
		return nil, err
	}
	return v, nil
}

func newVault(path string, st *state, vk []byte, opts Options) (*Vault, error) {
	idKey, err := crypto.DeriveKey(vk, "record id")
	if err != nil {
		return nil, err
	}
	markerKey, err := crypto.DeriveKey(vk, "marker")
	if err != nil {
		return nil, err
	}
	return &Vault{
		path:      path,
		id:        st.header.ID,
		opts:      opts,
		rand:      crand.Reader,
		vk:        vk,
		idKey:     idKey,
		markerKey: markerKey,
		bucketKey: map[string][]byte{},
		slots:     st.header.Slots,
	}, nil
}

// ID returns the vault's random 16-byte id.
func (v *Vault) ID() []byte { return bytes.Clone(v.id) }

// Path returns the absolute path of the vault file.
func (v *Vault) Path() string { return v.path }

// Slots lists the key slots as of Unlock (or the last ChangePassphrase).
func (v *Vault) Slots() []SlotInfo {
	v.slotsMu.Lock()
	defer v.slotsMu.Unlock()
	return append([]SlotInfo(nil), v.slots...)
}

// Close releases the file and zeroes the vault key. Later calls return
// ErrClosed; Close itself is idempotent.
func (v *Vault) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return nil
	}
	v.closed = true
	var err error
	if v.db != nil {
		err = closeBolt(v.db)
		v.db = nil
	}
	clear(v.vk)
	clear(v.idKey)
	clear(v.markerKey)
	v.keysMu.Lock()
	for k, b := range v.bucketKey {
		clear(b)
		delete(v.bucketKey, k)
	}
	v.keysMu.Unlock()
	return err
}

// acquire returns a bbolt handle suitable for a read (or write) transaction
// with v.mu read-locked; release unlocks it.
func (v *Vault) acquire(write bool) (*bolt.DB, func(), error) {
	for {
		v.mu.RLock()
		if v.closed {
			v.mu.RUnlock()
			return nil, nil, ErrClosed
		}
		if v.db != nil && (v.rw || !write) && !v.bad.Load() {
			return v.db, v.mu.RUnlock, nil
		}
		v.mu.RUnlock()

		v.mu.Lock()
		err := v.reopenLocked(write)
		v.mu.Unlock()
		if err != nil {
			return nil, nil, err
		}
	}
}

// reopenLocked (v.mu held) makes v.db a handle good for write (or read).
// A read-only handle is closed before a read-write one is opened: both in
// one process would wait on each other's flock.
func (v *Vault) reopenLocked(write bool) error {
	if v.closed {
		return ErrClosed
	}
	if v.db != nil && (v.rw || !write) && !v.bad.Load() {
		return nil
	}
	if v.db != nil {
		_ = closeBolt(v.db)
		v.db = nil
	}
	v.bad.Store(false)
	deadline := time.Now().Add(v.opts.Timeout)
	if write {
		// Probe read-only first: a truncated or foreign file is refused
		// before bbolt maps it read-write and loads (or rewrites) its freelist.
		probe, err := openBolt(v.path, true, v.opts.Timeout, v.opts.NoSync)
		if err != nil {
			return err
		}
		err = v.verifyHandle(probe)
		_ = closeBolt(probe)
		if err != nil {
			return err
		}
	}
	db, err := openBolt(v.path, !write, max(time.Until(deadline), 100*time.Millisecond), v.opts.NoSync)
	if err != nil {
		return err
	}
	if err := v.verifyHandle(db); err != nil {
		_ = closeBolt(db)
		return err
	}
	v.db, v.rw = db, write
	return nil
}

// verifyHandle checks that db is still this vault, in a supported format,
// and not truncated.
func (v *Vault) verifyHandle(db *bolt.DB) error {
	return guardedView(v.path, db, func(tx *bolt.Tx) error {
		if err := checkSize(v.path, tx); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return corruptf(v.path, "not a pkms vault (no meta bucket)")
		}
		if _, err := readFormat(v.path, meta); err != nil {
			return err
		}
		if !bytes.Equal(meta.Get(keyID), v.id) {
			return corruptf(v.path, "the file now holds a different vault (vault id changed)")
		}
		if tx.Bucket(bucketData) == nil {
			return corruptf(v.path, "no data bucket")
		}
		return nil
	})
}

// View runs fn in a read-only transaction.
func (v *Vault) View(fn func(*Tx) error) error { return v.run(false, fn) }

// Update runs fn in a read-write transaction: everything fn wrote is
// committed (and fsynced unless NoSync) if it returns nil, nothing if it
// returns an error. Do not call View or Update from inside fn.
func (v *Vault) Update(fn func(*Tx) error) error { return v.run(true, fn) }

type userPanic struct{ v any }

var errUserPanic = errors.New("vault: callback panicked")

func (v *Vault) run(write bool, fn func(*Tx) error) error {
	return v.runRaw(write, func(btx *bolt.Tx) (*userPanic, error) {
		tx := &Tx{v: v, btx: btx, writable: write}
		defer func() { tx.btx = nil }()
		up, err := callUser(func() error { return fn(tx) })
		if up != nil {
			return up, errUserPanic
		}
		if tx.failed != nil {
			// bbolt panicked inside a Tx method: never commit that tx.
			return nil, tx.failed
		}
		return nil, err
	})
}

// runRaw runs fn in a bbolt transaction on an acquired handle. A panic in
// fn's user code (reported through *userPanic) is re-raised after the
// transaction has been rolled back and the lock released; any other panic
// is bbolt on a damaged file and becomes ErrCorrupt.
func (v *Vault) runRaw(write bool, fn func(*bolt.Tx) (*userPanic, error)) error {
	db, release, err := v.acquire(write)
	if err != nil {
		return err
	}
	defer release()
	var up *userPanic
	err = func() (err error) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				v.bad.Store(true)
				err = corruptf(v.path, "damaged file: %s", panicDetail(r))
			}
		}()
		txf := func(btx *bolt.Tx) error {
			var err error
			up, err = fn(btx)
			return err
		}
		if write {
			return db.Update(txf)
		}
		return db.View(txf)
	}()
	if up != nil {
		panic(up.v)
	}
	return err
}

// callUser calls fn, capturing a panic so that it can be re-raised once the
// transaction is rolled back. runtime.Goexit (t.FailNow) passes through.
func callUser(fn func() error) (up *userPanic, err error) {
	done := false
	defer func() {
		if !done {
			if r := recover(); r != nil {
				up = &userPanic{r}
				err = errUserPanic
			}
		}
	}()
	err = fn()
	done = true
	return nil, err
}

// ChangePassphrase rewraps the passphrase slot (the first one, if a future
// version allows several) under newPass with a new scrypt salt, in one
// transaction; data records are not touched. The scrypt work is done before
// the file is locked. ErrNoPassphraseSlot if the vault has none.
func (v *Vault) ChangePassphrase(newPass []byte, workFactor int) error {
	hasPass := false
	for _, s := range v.Slots() {
		hasPass = hasPass || s.Kind == SlotPassphrase
	}
	if !hasPass {
		return ErrNoPassphraseSlot
	}
	v.mu.RLock()
	if v.closed {
		v.mu.RUnlock()
		return ErrClosed
	}
	vk := bytes.Clone(v.vk)
	v.mu.RUnlock()
	ns, err := passphraseSlot(vk, newPass, workFactor, time.Now().UTC())
	clear(vk)
	if err != nil {
		return err
	}
	var infos []SlotInfo
	err = v.runRaw(true, func(btx *bolt.Tx) (*userPanic, error) {
		meta := btx.Bucket(bucketMeta)
		if meta == nil {
			return nil, corruptf(v.path, "not a pkms vault (no meta bucket)")
		}
		sb := meta.Bucket(bucketSlots)
		if sb == nil {
			return nil, corruptf(v.path, "meta bucket has no slots bucket")
		}
		var all []*slot
		var target []byte
		c := sb.Cursor()
		for k, val := c.First(); k != nil; k, val = c.Next() {
			s, err := parseSlot(k, val)
			if err != nil {
				return nil, corruptWrap(v.path, err, "key slot: %v", err)
			}
			if s.Kind == SlotPassphrase && target == nil {
				target = bytes.Clone(k)
				ns.ID = s.ID
				ns.Label = s.Label
				s = ns
			}
			all = append(all, s)
		}
		if target == nil {
			return nil, ErrNoPassphraseSlot
		}
		enc, err := encodeSlot(ns)
		if err != nil {
			return nil, err
		}
		if err := sb.Put(target, enc); err != nil {
			return nil, err
		}
		infos = slotInfos(all)
		return nil, nil
	})
	if err != nil {
		return err
	}
	v.slotsMu.Lock()
	v.slots = infos
	v.slotsMu.Unlock()
	return nil
}
