package vault

import (
	"bytes"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"filippo.io/age/plugin"
	bolt "go.etcd.io/bbolt"
)

const defaultTimeout = 30 * time.Second

// Header is the plaintext part of a vault: readable without unlocking.
type Header struct {
	Path          string
	ID            []byte
	FormatVersion int
	Slots         []SlotInfo
}

// Credentials are what Unlock may use to open a key slot. Unlock tries the
// methods that need nobody first and the passphrase last: identity slots
// with Identities, then outside-kind (pkcs11) slots with SlotIdentity, then
// plugin slots, then the passphrase slots. A method that fails (token
// absent, plugin missing, wrong PIN) does not stop the search; if nothing
// opens, the error is ErrNoSlotMatched and its message names each failure.
type Credentials struct {
	// Identities are tried against identity slots (X25519 and post-quantum
	// hybrid). Plugin identities among them (*plugin.Identity, e.g. parsed
	// from an AGE-PLUGIN-... identity stub that age-plugin-tpm or -se need)
	// are used for plugin slots of the same plugin.
	Identities []age.Identity
	// SlotIdentity returns the identity that opens a slot of an outside kind
	// (pkcs11), typically after finding its token. Returning nil, or
	// (nil, nil), skips the slot; an error is remembered and the next slot
	// tried. nil: such slots are skipped.
	SlotIdentity func(SlotInfo) (age.Identity, error)
	// PluginUI is how age plugins ask for a PIN and show messages such as
	// "touch your token". nil: plugin slots are tried only with plugin
	// identities from Identities.
	PluginUI *plugin.ClientUI
	// Passphrase is called at most once, only if no other slot opened and
	// the vault has a passphrase slot.
	Passphrase func() ([]byte, error)
	// PassphraseFirst says the passphrase is at hand (a file or descriptor,
	// not a prompt): it is tried right after Identities, before token and
	// plugin slots, which may ask for a PIN or a touch. If it does not open
	// a slot, the search goes on.
	PassphraseFirst bool
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

	keys *keySet  // replaced, under mu, by Rekey
	sc   sumCache // the content summary last authenticated, and the shards checked

	slotsMu  sync.Mutex
	slots    []SlotInfo
	tampered []SlotInfo // slots whose MAC does not verify (format 3)

	batch batcher // writes waiting for a group commit (see Batch)
}

func absPath(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
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
	defer clear(vk)
	if !verifyCheck(vk, st.header.ID, st.check, st.header.FormatVersion) {
		return nil, corruptf(path, "the unwrapped vault key does not match the check value")
	}
	return newVault(path, st, vk, opts)
}

// newVault builds the Vault for a key that opened the check value, and
// checks every slot's MAC right away: a tampered slot does not stop the
// owner (TamperedSlots lists it), but what would trust it is refused. It
// copies vk into the vault's locked key set; the caller clears vk.
func newVault(path string, st *state, vk []byte, opts Options) (*Vault, error) {
	signer, err := newSlotSigner(vk, st.header.ID)
	if err != nil {
		return nil, err
	}
	defer signer.zero()
	keys, err := newKeySet(vk)
	if err != nil {
		return nil, err
	}
	return &Vault{
		path:     path,
		id:       st.header.ID,
		opts:     opts,
		rand:     crand.Reader,
		keys:     keys,
		slots:    st.header.Slots,
		tampered: signer.tampered(st.slots, st.header.FormatVersion),
	}, nil
}

// ID returns the vault's random 16-byte id.
func (v *Vault) ID() []byte { return bytes.Clone(v.id) }

// Path returns the absolute path of the vault file.
func (v *Vault) Path() string { return v.path }

// Slots lists the key slots as of Unlock or the last slot change made
// through this Vault, ordered by id.
func (v *Vault) Slots() []SlotInfo {
	v.slotsMu.Lock()
	defer v.slotsMu.Unlock()
	out := make([]SlotInfo, len(v.slots))
	for i, s := range v.slots {
		out[i] = s.clone()
	}
	return out
}

// TamperedSlots lists the key slots whose MAC did not verify at Unlock (or
// at the last slot change through this Vault): their public parameters were
// changed outside pkms. Callers warn, naming each; RemoveSlot removes one.
func (v *Vault) TamperedSlots() []SlotInfo {
	v.slotsMu.Lock()
	defer v.slotsMu.Unlock()
	out := make([]SlotInfo, len(v.tampered))
	for i, s := range v.tampered {
		out[i] = s.clone()
	}
	return out
}

func (v *Vault) setSlots(infos, tampered []SlotInfo) {
	v.slotsMu.Lock()
	v.slots, v.tampered = infos, tampered
	v.slotsMu.Unlock()
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
	v.keys.zero()
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
		err = v.verifyHandle(probe, true)
		_ = closeBolt(probe)
		if err != nil {
			return err
		}
	}
	db, err := openBolt(v.path, !write, max(time.Until(deadline), 100*time.Millisecond), v.opts.NoSync)
	if err != nil {
		return err
	}
	if err := v.verifyHandle(db, false); err != nil {
		_ = closeBolt(db)
		return err
	}
	v.db, v.rw = db, write
	return nil
}

// verifyHandle checks that db is still this vault, in a supported format,
// not truncated, of a sound page structure (checkPages; only the meta part
// with metaOnly, enough for a probe before a read-write open), and still
// under this Vault's key (no other process rekeyed it since Unlock: the
// records would then fail to open as if corrupt).
func (v *Vault) verifyHandle(db *bolt.DB, metaOnly bool) error {
	return guardedView(v.path, db, func(tx *bolt.Tx) error {
		if err := checkSize(v.path, tx); err != nil {
			return err
		}
		if err := checkStructure(v.path, tx, metaOnly); err != nil {
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
		return v.checkCurrentKey(meta)
	})
}

// checkCurrentKey returns ErrRekeyed unless the check value in meta opens
// under this Vault's key. Every slot change checks it inside its write
// transaction, so that a slot never wraps a key the file no longer uses.
func (v *Vault) checkCurrentKey(meta *bolt.Bucket) error {
	format, err := readFormat(v.path, meta)
	if err != nil {
		return err
	}
	if !openCheck(v.keys.checkKey, v.id, meta.Get(keyCheck), format) {
		return &vaultError{sentinel: ErrRekeyed, msg: fmt.Sprintf("vault %s was rekeyed since it was unlocked (or its check value is damaged); unlock it again", v.path)}
	}
	return nil
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
	var done *Tx
	err := v.runRaw(write, func(btx *bolt.Tx) (*userPanic, error) {
		tx, up, _, err := v.inTx(btx, write, fn, nil)
		done = tx
		return up, err
	})
	if err == nil && done != nil {
		v.remember(&done.ts, done.gen)
	}
	return err
}

// inTx runs a caller's fn as a Tx inside the bbolt transaction btx: a write
// first upgrades a format 2 vault, and writes the content summary back after
// fn succeeded. Every path that hands a Tx to a caller goes through it (and,
// once btx committed, calls v.remember(&tx.ts, tx.gen) with the returned tx).
// A panic of fn is returned, to be re-raised once btx is rolled back (err is
// then errUserPanic). untouched reports that btx is as it was before fn
// (nothing written, no bbolt failure), so a group commit may go on with it.
// carry is the summary view of the Tx that ran before in the same btx (a
// group commit), nil for the first: its updates are in btx, not in the
// Vault's cache of the last committed generation.
func (v *Vault) inTx(btx *bolt.Tx, write bool, fn func(*Tx) error, carry *txSummary) (done *Tx, up *userPanic, untouched bool, err error) {
	if write {
		if err := v.upgrade(btx); err != nil {
			return nil, nil, false, err
		}
	}
	tx := &Tx{v: v, btx: btx, writable: write, gen: uint64(btx.ID())}
	if carry != nil && carry.loaded {
		tx.ts = *carry
		tx.ts.dirty = false // already written into btx
	}
	defer func() { tx.btx = nil; tx.ts.dropSummer() }()
	up, err = callUser(func() error { return fn(tx) })
	untouched = !tx.wrote && tx.failed == nil
	switch {
	case up != nil:
		return nil, up, untouched, errUserPanic
	case tx.failed != nil:
		// bbolt panicked inside a Tx method: never commit that tx.
		return nil, nil, false, tx.failed
	}
	if err == nil && write {
		if err = tx.flushSummary(); err != nil {
			untouched = false
		}
	}
	if err != nil {
		return nil, nil, untouched, err
	}
	return tx, nil, untouched, nil
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
	return v.txOn(db, write, fn)
}

// txOn runs fn in one bbolt transaction on db (see runRaw); the caller
// holds v.mu.
func (v *Vault) txOn(db *bolt.DB, write bool, fn func(*bolt.Tx) (*userPanic, error)) error {
	var up *userPanic
	err := func() (err error) {
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
