package vault

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"slices"

	"filippo.io/age"
	"filippo.io/age/plugin"
	bolt "go.etcd.io/bbolt"

	"github.com/pocketkms/pkms/crypto"
)

// RekeyOptions supplies what Rekey needs to rewrap each slot for the new
// vault key. Identity and plugin slots are rewrapped from the recipient
// stored in the slot and need nothing here (a plugin is run, through
// PluginUI).
type RekeyOptions struct {
	// Passphrase returns the passphrase of a passphrase slot. It is checked
	// against the slot (a typo would otherwise lock the slot for good) and
	// the slot keeps its scrypt work factor. A passphrase that does not
	// open the slot is asked for again, up to passphraseTries times in all,
	// so a caller can offer the passphrase it unlocked with first and then
	// ask. nil: a vault with a passphrase slot cannot be rekeyed.
	Passphrase func(SlotInfo) ([]byte, error)
	// SlotRecipient returns the recipient of a slot of an outside kind
	// (pkcs11), rebuilt from its Params. nil: such slots cannot be rewrapped.
	SlotRecipient func(SlotInfo) (age.Recipient, error)
	// PluginUI answers plugin prompts while plugin slots are rewrapped.
	PluginUI *plugin.ClientUI
	// Progress, if not nil, is called as records are resealed (done of
	// total), about 200 times at most, from inside the write transaction:
	// it must be quick and must not use the Vault.
	Progress func(done, total int)
}

// Rekey replaces the vault key: every record is resealed under keys derived
// from a new random key (with new on-disk keys), every slot is rewrapped and
// the check value replaced, all in one bbolt write transaction, so a crash
// or kill at any point leaves either the old vault or the new one, whole.
// Slots are rewrapped before the file is locked (scrypt, plugins); if any
// slot cannot be, nothing is written. A record that does not open stops the
// rekey (ErrCorrupt; see Verify), and so does a bucket that differs from
// the content summary. A key slot that fails its MAC (ErrSlotTampered)
// stops it before anything is done: the new key would be wrapped to
// whatever recipient that slot now names. Afterwards this Vault uses the
// new key; other processes must unlock again (ErrRekeyed).
func (v *Vault) Rekey(opts RekeyOptions) error {
	// 1. The slots as they are now, and the work done outside the lock.
	var before []*slot
	var beforeRaw [][]byte
	err := v.runRaw(false, func(btx *bolt.Tx) (*userPanic, error) {
		meta, sb, err := v.metaBuckets(btx)
		if err != nil {
			return nil, err
		}
		if err := v.checkCurrentKey(meta); err != nil {
			return nil, err
		}
		if err := v.checkSlots(btx); err != nil {
			return nil, err // never wrap the new key to a tampered recipient
		}
		before, beforeRaw, err = readSlotsRaw(v.path, sb)
		return nil, err
	})
	if err != nil {
		return err
	}
	oldVK, err := v.currentVK()
	if err != nil {
		return err
	}
	defer clear(oldVK)
	newVK := make([]byte, crypto.KeySize)
	if _, err := io.ReadFull(v.rand, newVK); err != nil {
		return fmt.Errorf("vault: reading randomness: %w", err)
	}
	defer clear(newVK)
	newKeys, err := newKeySet(newVK)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			newKeys.zero()
		}
	}()
	after := make([]*slot, len(before))
	for i, s := range before {
		if after[i], err = rewrapSlot(s, oldVK, newVK, opts); err != nil {
			return fmt.Errorf("vault: rekey: cannot rewrap key slot %s (%s %q), nothing was changed: %w", s.ID, s.Kind, s.Label, err)
		}
	}
	check, err := makeCheck(v.rand, newVK, v.id)
	if err != nil {
		return err
	}

	// 2. One write transaction, with every other goroutine of this process
	// kept out until the new keys are in place.
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reopenLocked(true); err != nil {
		return err
	}
	var prog *progressFunc
	err = v.txOn(v.db, true, func(btx *bolt.Tx) (*userPanic, error) {
		meta, sb, err := v.metaBuckets(btx)
		if err != nil {
			return nil, err
		}
		if err := v.checkCurrentKey(meta); err != nil {
			return nil, err
		}
		_, nowRaw, err := readSlotsRaw(v.path, sb)
		if err != nil {
			return nil, err
		}
		if !slices.EqualFunc(nowRaw, beforeRaw, bytes.Equal) {
			return nil, errors.New("vault: rekey: the key slots changed while the new ones were prepared; nothing was changed, run it again")
		}
		data := btx.Bucket(bucketData)
		if data == nil {
			return nil, corruptf(v.path, "no data bucket")
		}
		if err := v.checkSummary(btx); err != nil {
			return nil, err
		}
		prog = newProgress(opts.Progress, countEntries(data))
		if err := v.reseal(data, newKeys, prog); err != nil {
			return prog.panicked, err
		}
		signer, err := newSlotSigner(newKeys.vk, v.id)
		if err != nil {
			return nil, err
		}
		defer signer.zero()
		for _, s := range after {
			if err := putSlot(sb, s, signer); err != nil {
				return nil, err
			}
		}
		m, err := newSummer(newKeys)
		if err != nil {
			return nil, err
		}
		if err := v.putSummary(meta, newKeys, computeSummary(data, m)); err != nil {
			return nil, err
		}
		if err := meta.Put(keyFormat, formatBytes(FormatVersion)); err != nil {
			return nil, err
		}
		return nil, meta.Put(keyCheck, check)
	})
	if err != nil {
		return err
	}
	committed = true
	old := v.keys
	v.keys = newKeys
	old.zero()
	v.setSlots(slotInfos(after), nil)
	return nil
}

// reseal moves every record to newKeys in place: the entries are listed
// first (a bucket must not change under a cursor), then each is opened with
// the current keys, sealed again under its new on-disk key and its old key
// deleted. Old and new on-disk keys are HMACs under unrelated keys; a
// collision would be refused rather than overwrite a record.
func (v *Vault) reseal(data *bolt.Bucket, newKeys *keySet, prog *progressFunc) error {
	type ref struct {
		bucket string
		key    []byte
	}
	var refs []ref
	if err := walkEntries(data, func(e entry) error {
		if e.stray || e.sealed == nil { // not a record: openEntry says why
			_, _, err := v.openEntry(v.keys, e)
			return err
		}
		refs = append(refs, ref{e.bucket, bytes.Clone(e.key)})
		return nil
	}); err != nil {
		return err
	}
	if err := prog.report(0); err != nil {
		return err
	}
	for i, r := range refs {
		b := data.Bucket([]byte(r.bucket))
		id, value, err := v.openEntry(v.keys, entry{bucket: r.bucket, key: r.key, sealed: b.Get(r.key)})
		if err != nil {
			return err
		}
		rk, sealed, err := v.sealWith(newKeys, r.bucket, id, value)
		clear(value)
		if err != nil {
			return err
		}
		if b.Get(rk) != nil {
			return fmt.Errorf("vault: rekey: new record key collides in bucket %q; run it again", r.bucket)
		}
		if err := b.Put(rk, sealed); err != nil {
			return err
		}
		if err := b.Delete(r.key); err != nil {
			return err
		}
		if err := prog.report(i + 1); err != nil {
			return err
		}
	}
	return nil
}

// rewrapSlot returns s (same id, label, creation time and params) wrapping
// newVK instead of oldVK.
func rewrapSlot(s *slot, oldVK, newVK []byte, opts RekeyOptions) (*slot, error) {
	var r age.Recipient
	switch s.Kind {
	case SlotPassphrase:
		return rewrapPassphrase(s, oldVK, newVK, opts.Passphrase)
	case SlotIdentity, SlotPlugin:
		rs, kind, params, err := parseRecipient(s.Params[ParamRecipient], opts.PluginUI)
		if err != nil {
			return nil, fmt.Errorf("stored recipient: %w", err)
		}
		if kind != s.Kind || params[ParamPlugin] != s.Params[ParamPlugin] {
			return nil, errors.New("stored recipient does not match the slot kind")
		}
		r = rs
	default:
		if opts.SlotRecipient == nil {
			return nil, fmt.Errorf("no recipient provider for %s slots", s.Kind)
		}
		rs, err := opts.SlotRecipient(s.SlotInfo.clone())
		if err != nil {
			return nil, err
		}
		if rs == nil {
			return nil, errors.New("no recipient")
		}
		r = rs
	}
	f, err := wrapKey(newVK, r)
	if err != nil {
		return nil, err
	}
	return &slot{SlotInfo: s.SlotInfo.clone(), ageFile: f}, nil
}

// passphraseTries is how many times Rekey asks for the passphrase of one
// slot before giving up: a vault may have passphrase slots with different
// passphrases, and a person may mistype.
const passphraseTries = 3

func rewrapPassphrase(s *slot, oldVK, newVK []byte, passphrase func(SlotInfo) ([]byte, error)) (*slot, error) {
	if passphrase == nil {
		return nil, errors.New("its passphrase is needed")
	}
	for range passphraseTries {
		ns, err := rewrapPassphraseOnce(s, oldVK, newVK, passphrase)
		if !errors.Is(err, ErrIncorrectPassphrase) {
			return ns, err
		}
	}
	return nil, ErrIncorrectPassphrase
}

func rewrapPassphraseOnce(s *slot, oldVK, newVK []byte, passphrase func(SlotInfo) ([]byte, error)) (*slot, error) {
	pass, err := passphrase(s.SlotInfo.clone())
	if err != nil {
		return nil, fmt.Errorf("reading passphrase: %w", err)
	}
	defer clear(pass)
	id, err := age.NewScryptIdentity(string(pass))
	if err != nil {
		return nil, ErrIncorrectPassphrase
	}
	got, err := unwrapKey(s.ageFile, id)
	if err != nil {
		if errors.Is(err, age.ErrIncorrectIdentity) {
			return nil, ErrIncorrectPassphrase
		}
		return nil, err
	}
	same := subtle.ConstantTimeCompare(got, oldVK) == 1
	clear(got)
	if !same {
		return nil, errors.New("the slot does not hold the current vault key")
	}
	wf, err := slotWorkFactor(s.ageFile)
	if err != nil {
		return nil, err
	}
	ns, err := passphraseSlot(newVK, pass, wf, s.Created)
	if err != nil {
		return nil, err
	}
	ns.SlotInfo = s.SlotInfo.clone()
	return ns, nil
}

// readSlotsRaw is readSlots that also returns each slot's stored bytes, to
// detect a change between two transactions.
func readSlotsRaw(path string, sb *bolt.Bucket) ([]*slot, [][]byte, error) {
	slots, err := readSlots(path, sb)
	if err != nil {
		return nil, nil, err
	}
	var raw [][]byte
	c := sb.Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		raw = append(raw, append(bytes.Clone(k), val...))
	}
	return slots, raw, nil
}
