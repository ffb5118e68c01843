package vault

import (
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"filippo.io/age/plugin"
	bolt "go.etcd.io/bbolt"

	"github.com/pocketkms/pkms/crypto"
)

// InitOptions configures Init and Import: the key slots of the new vault.
type InitOptions struct {
	Passphrase       []byte // nil: no passphrase slot
	ScryptWorkFactor int    // 0 means 18 (age's default); at most 22
	// Recipients are age recipient strings, one slot each, labelled with the
	// string: X25519 ("age1...") and post-quantum hybrid ("age1pq1...")
	// make identity slots, "age1<name>1..." plugin slots (age-plugin-<name>
	// runs during Init, prompting through PluginUI).
	Recipients []string
	PluginUI   *plugin.ClientUI
	Slots      []SlotSpec // slots of outside kinds (pkcs11)
	Rand       io.Reader  // nil: crypto/rand.Reader
	NoSync     bool       // tests only
	// Setup, if not nil, writes the first records of a new vault (the KMS
	// configuration) through a Vault open on it while it is still under
	// its temporary name: the vault appears at its path only once Setup has
	// succeeded, so a kill or a failure in between leaves no vault that
	// every later command would refuse. The Vault is closed afterwards;
	// its Path is the temporary one.
	Setup func(*Vault) error
}

// Init creates a new vault at path. See the package documentation for the
// format. Creation is atomic: the file is built (slots, then opts.Setup's
// records) under a temporary name in the same directory and hard-linked into
// place, so path either does not exist or holds a complete vault; ErrExists
// if path already exists.
func Init(path string, opts InitOptions) error { return create(path, opts, opts.Setup) }

// create is Init; fill, if not nil, writes the first records through a Vault
// open on the temporary file before it is linked into place (Import), so
// that a failure leaves nothing at path.
func create(path string, opts InitOptions, fill func(*Vault) error) (err error) {
	path = absPath(path)
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%w: %s", ErrExists, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("vault: %w", err)
	}
	if opts.Passphrase == nil && len(opts.Recipients) == 0 && len(opts.Slots) == 0 {
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
		s, err := recipientSlot(vk, r, "", opts.PluginUI, now)
		if err != nil {
			return err
		}
		slots = append(slots, s)
	}
	for _, spec := range opts.Slots {
		s, err := specSlot(vk, spec, now)
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
		signer, err := newSlotSigner(vk, id)
		if err != nil {
			return err
		}
		defer signer.zero()
		for _, s := range slots {
			if err := putNewSlot(sb, s, signer); err != nil {
				return err
			}
		}
		if _, err = tx.CreateBucket(bucketData); err != nil {
			return err
		}
		ks, err := newKeySet(vk)
		if err != nil {
			return err
		}
		defer ks.zero()
		raw, err := sealSummary(ks, id, summary{})
		if err != nil {
			return err
		}
		return meta.Put(keySummary, raw)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("vault: writing %s: %w", tmp, err)
	}
	if fill != nil {
		st := &state{header: &Header{Path: tmp, ID: id, FormatVersion: FormatVersion, Slots: slotInfos(slots)}}
		v, err := newVault(tmp, st, vk, Options{NoSync: opts.NoSync, Timeout: time.Second})
		if err != nil {
			return err
		}
		v.rand = rnd
		err = fill(v)
		if cerr := v.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
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

// putNewSlot stores s under the next slot id and sets s.ID. Ids come from
// the bucket's sequence, so a removed slot's id is never reused.
func putNewSlot(sb *bolt.Bucket, s *slot, signer *slotSigner) error {
	seq, err := sb.NextSequence()
	if err != nil {
		return err
	}
	s.ID = strconv.FormatUint(seq, 10)
	return putSlot(sb, s, signer)
}

// putSlot stores s under its id with a fresh MAC, replacing any slot there.
func putSlot(sb *bolt.Bucket, s *slot, signer *slotSigner) error {
	seq, err := parseSlotID(s.ID)
	if err != nil {
		return err
	}
	signer.sign(s)
	enc, err := encodeSlot(s)
	if err != nil {
		return err
	}
	return sb.Put(slotKey(seq), enc)
}

func parseSlotID(id string) (uint64, error) {
	seq, err := strconv.ParseUint(id, 10, 64)
	if err != nil || seq == 0 {
		return 0, fmt.Errorf("%w: %q", ErrSlotNotFound, id)
	}
	return seq, nil
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
