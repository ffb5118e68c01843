package vault

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"filippo.io/age"
	"filippo.io/age/plugin"
	bolt "go.etcd.io/bbolt"
)

// unlockSlots finds the vault key in slots with creds, trying the methods
// that need nobody first (see Credentials). A method that fails softly (a
// token or plugin error) is remembered and the search goes on; a slot that
// decrypts to something other than a vault key is ErrCorrupt at once.
func unlockSlots(path string, slots []*slot, creds Credentials) ([]byte, error) {
	var failures []error
	// try opens s with ids: the key, or nil to go on.
	try := func(s *slot, ids ...age.Identity) ([]byte, error) {
		vk, err := unwrapKey(s.ageFile, ids...)
		switch {
		case err == nil:
			return vk, nil
		case errors.Is(err, errBadSlot):
			return nil, corruptWrap(path, err, "key slot %s (%s): %v", s.ID, s.Kind, err)
		case !errors.Is(err, age.ErrIncorrectIdentity):
			failures = append(failures, slotFailure(s, err))
		}
		return nil, nil
	}
	native, plugins := splitIdentities(creds.Identities)

	// 1. Identity slots, with the native identities only: a plugin identity
	// would start its plugin for every X25519 stanza.
	if len(native) > 0 {
		for _, s := range slotsOf(slots, SlotIdentity) {
			if vk, err := try(s, native...); vk != nil || err != nil {
				return vk, err
			}
		}
	}
	// tryPassphrase asks the passphrase and tries it on every passphrase
	// slot; tried is false if there is nothing to try. It runs once, at
	// step 1b or 4.
	tryPassphrase := func() (vk []byte, err error, tried bool) {
		pass := slotsOf(slots, SlotPassphrase)
		if len(pass) == 0 || creds.Passphrase == nil {
			return nil, nil, false
		}
		vk, err = unlockPassphrase(path, pass, creds.Passphrase)
		if err != nil && len(failures) > 0 && !errors.Is(err, ErrCorrupt) {
			// A wrong or unobtainable passphrase after failed slots: say
			// why those failed too (a wrong PIN, a missing plugin).
			return nil, slotsError(err, failures), true
		}
		return vk, err, true
	}
	// 1b. A passphrase at hand goes before anything that may prompt.
	var passErr error
	if creds.PassphraseFirst {
		vk, err, tried := tryPassphrase()
		switch {
		case tried && err == nil:
			return vk, nil
		case tried && errors.Is(err, ErrCorrupt):
			return nil, err
		case tried:
			passErr = err
		}
	}
	// 2. Outside kinds (pkcs11), through the caller.
	if creds.SlotIdentity != nil {
		for _, s := range slots {
			if s.Kind.builtin() {
				continue
			}
			id, err := creds.SlotIdentity(s.SlotInfo.clone())
			if err != nil {
				failures = append(failures, slotFailure(s, err))
				continue
			}
			if id == nil {
				continue
			}
			if vk, err := try(s, id); vk != nil || err != nil {
				return vk, err
			}
		}
	}
	// 3. Plugin slots: the plugin identities given for that plugin, else an
	// identity without data (the plugin finds its token itself).
	for _, s := range slotsOf(slots, SlotPlugin) {
		name := s.Params[ParamPlugin]
		ids := plugins[name]
		if len(ids) == 0 && creds.PluginUI != nil {
			id, err := plugin.NewIdentityWithoutData(name, creds.PluginUI)
			if err != nil {
				failures = append(failures, slotFailure(s, err))
				continue
			}
			ids = []age.Identity{id}
		}
		if len(ids) == 0 {
			continue
		}
		if vk, err := try(s, ids...); vk != nil || err != nil {
			return vk, err
		}
	}
	// 4. The passphrase, asked at most once, against every passphrase slot.
	if !creds.PassphraseFirst {
		if vk, err, tried := tryPassphrase(); tried {
			return vk, err
		}
	}
	if passErr != nil {
		if len(failures) == 0 {
			return nil, passErr
		}
		failures = append([]error{fmt.Errorf("passphrase slots: %w", passErr)}, failures...)
	}
	if len(failures) > 0 {
		return nil, slotsError(ErrNoSlotMatched, failures)
	}
	return nil, ErrNoSlotMatched
}

func unlockPassphrase(path string, slots []*slot, passphrase func() ([]byte, error)) ([]byte, error) {
	pass, err := passphrase()
	if err != nil {
		return nil, fmt.Errorf("vault: reading passphrase: %w", err)
	}
	defer clear(pass)
	if len(pass) == 0 {
		return nil, ErrIncorrectPassphrase
	}
	id, err := age.NewScryptIdentity(string(pass))
	if err != nil {
		return nil, ErrIncorrectPassphrase
	}
	for _, s := range slots {
		vk, err := unwrapKey(s.ageFile, id)
		if err == nil {
			return vk, nil
		}
		if !errors.Is(err, age.ErrIncorrectIdentity) {
			return nil, corruptWrap(path, err, "passphrase slot %s: %v", s.ID, err)
		}
	}
	return nil, ErrIncorrectPassphrase
}

// splitIdentities separates plugin identities, by plugin name, from the rest.
func splitIdentities(ids []age.Identity) (native []age.Identity, plugins map[string][]age.Identity) {
	plugins = map[string][]age.Identity{}
	for _, id := range ids {
		if p, ok := id.(*plugin.Identity); ok {
			plugins[p.Name()] = append(plugins[p.Name()], p)
		} else if id != nil {
			native = append(native, id)
		}
	}
	return native, plugins
}

func slotsOf(slots []*slot, kind SlotKind) []*slot {
	var out []*slot
	for _, s := range slots {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func slotFailure(s *slot, err error) error {
	return fmt.Errorf("key slot %s (%s %q): %w", s.ID, s.Kind, s.Label, err)
}

// slotsError is sentinel with the failures of the slots tried appended to
// its message and kept for errors.As (PluginNotFoundError).
func slotsError(sentinel error, failures []error) error {
	cause := errors.Join(failures...)
	msg := sentinel.Error() + "; "
	for i, f := range failures {
		if i > 0 {
			msg += "; "
		}
		msg += f.Error()
	}
	return &vaultError{sentinel: sentinel, msg: msg, cause: cause}
}

// currentVK returns a copy of the vault key (the caller clears it).
func (v *Vault) currentVK() ([]byte, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.closed {
		return nil, ErrClosed
	}
	return bytes.Clone(v.keys.vk), nil
}

func (v *Vault) isClosed() bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.closed
}

// newSlotWith builds a slot for the current vault key with build; the
// expensive part (scrypt, a plugin run) happens before the file is locked.
func (v *Vault) newSlotWith(build func(vk []byte, now time.Time) (*slot, error)) (*slot, error) {
	vk, err := v.currentVK()
	if err != nil {
		return nil, err
	}
	defer clear(vk)
	return build(vk, time.Now().UTC())
}

// updateSlots runs fn on the parsed slots in one write transaction, after
// checking that the file is still under this Vault's key (a slot must never
// wrap a key the records no longer use), then refreshes Slots.
//
// fn gets the slots whose MAC fails (bad) and decides: adding a slot next
// to one an attacker may have pointed at their own recipient is refused
// (ErrSlotTampered), removing one trusts nothing, and rewrapping the
// passphrase slot replaces all of it.
func (v *Vault) updateSlots(fn func(sb *bolt.Bucket, slots []*slot, signer *slotSigner, bad []SlotInfo) error) error {
	var infos, tampered []SlotInfo
	err := v.runRaw(true, func(btx *bolt.Tx) (*userPanic, error) {
		if err := v.upgrade(btx); err != nil {
			return nil, err
		}
		meta, sb, err := v.metaBuckets(btx)
		if err != nil {
			return nil, err
		}
		if err := v.checkCurrentKey(meta); err != nil {
			return nil, err
		}
		slots, signer, err := v.slotsWithSigner(sb)
		if err != nil {
			return nil, err
		}
		defer signer.zero()
		if err := fn(sb, slots, signer, signer.tampered(slots, FormatVersion)); err != nil {
			return nil, err
		}
		if slots, err = readSlots(v.path, sb); err != nil {
			return nil, err
		}
		infos, tampered = slotInfos(slots), signer.tampered(slots, FormatVersion)
		return nil, nil
	})
	if err != nil {
		return err
	}
	v.setSlots(infos, tampered)
	return nil
}

// checkSlots returns ErrSlotTampered if a slot of the vault, as btx sees
// it, fails its MAC: Rekey and Export refuse to run then.
func (v *Vault) checkSlots(btx *bolt.Tx) error {
	meta, sb, err := v.metaBuckets(btx)
	if err != nil {
		return err
	}
	format, err := readFormat(v.path, meta)
	if err != nil {
		return err
	}
	slots, signer, err := v.slotsWithSigner(sb)
	if err != nil {
		return err
	}
	defer signer.zero()
	if bad := signer.tampered(slots, format); len(bad) > 0 {
		return tamperedError(v.path, bad)
	}
	return nil
}

func (v *Vault) metaBuckets(btx *bolt.Tx) (meta, slots *bolt.Bucket, err error) {
	meta = btx.Bucket(bucketMeta)
	if meta == nil {
		return nil, nil, corruptf(v.path, "not a pkms vault (no meta bucket)")
	}
	slots = meta.Bucket(bucketSlots)
	if slots == nil {
		return nil, nil, corruptf(v.path, "meta bucket has no slots bucket")
	}
	return meta, slots, nil
}

// addSlot stores a slot built by build under a new slot id.
func (v *Vault) addSlot(build func(vk []byte, now time.Time) (*slot, error)) (SlotInfo, error) {
	s, err := v.newSlotWith(build)
	if err != nil {
		return SlotInfo{}, err
	}
	err = v.updateSlots(func(sb *bolt.Bucket, _ []*slot, signer *slotSigner, bad []SlotInfo) error {
		if len(bad) > 0 {
			return tamperedError(v.path, bad)
		}
		return putNewSlot(sb, s, signer)
	})
	if err != nil {
		return SlotInfo{}, err
	}
	return s.SlotInfo.clone(), nil
}

// AddPassphraseSlot adds a passphrase slot (age scrypt at workFactor; 0
// means 18). label "" means "passphrase". Unlock asks for one passphrase
// and tries it on every passphrase slot.
func (v *Vault) AddPassphraseSlot(pass []byte, workFactor int, label string) (SlotInfo, error) {
	return v.addSlot(func(vk []byte, now time.Time) (*slot, error) {
		s, err := passphraseSlot(vk, pass, workFactor, now)
		if err != nil {
			return nil, err
		}
		if label != "" {
			if err := validLabel(label); err != nil {
				return nil, err
			}
			s.Label = label
		}
		return s, nil
	})
}

// AddRecipientSlot adds a slot for an age recipient string: an identity slot
// for X25519 ("age1...") and post-quantum hybrid ("age1pq1...") recipients,
// a plugin slot for "age1<name>1..." (age-plugin-<name> is run now to wrap
// the key, prompting through ui; a missing binary is PluginNotFoundError).
// label "" means the recipient string.
func (v *Vault) AddRecipientSlot(recipient, label string, ui *plugin.ClientUI) (SlotInfo, error) {
	return v.addSlot(func(vk []byte, now time.Time) (*slot, error) {
		return recipientSlot(vk, recipient, label, ui, now)
	})
}

// AddSlot adds a slot of an outside kind (pkcs11): the key is wrapped to
// spec.Recipient and spec.Params are stored in plaintext for the caller to
// find the token again (Credentials.SlotIdentity, RekeyOptions.SlotRecipient).
func (v *Vault) AddSlot(spec SlotSpec) (SlotInfo, error) {
	return v.addSlot(func(vk []byte, now time.Time) (*slot, error) { return specSlot(vk, spec, now) })
}

// RemoveSlot deletes the slot with the given id. It refuses to remove the
// last slot (ErrLastSlot). Removing a slot does not change the vault key:
// if the credential may have leaked together with a copy of the file, run
// Rekey as well.
func (v *Vault) RemoveSlot(id string) error {
	return v.updateSlots(func(sb *bolt.Bucket, slots []*slot, _ *slotSigner, _ []SlotInfo) error {
		for _, s := range slots {
			if s.ID != id {
				continue
			}
			if len(slots) == 1 {
				return fmt.Errorf("%w (slot %s)", ErrLastSlot, id)
			}
			seq, _ := parseSlotID(id)
			return sb.Delete(slotKey(seq))
		}
		return fmt.Errorf("%w: %q", ErrSlotNotFound, id)
	})
}

// ChangePassphrase rewraps the first passphrase slot under newPass with a
// new scrypt salt, keeping its id and label, in one transaction; data
// records are not touched. The scrypt work is done before the file is
// locked. ErrNoPassphraseSlot if the vault has none. If that slot failed
// its MAC it is replaced whole (label "passphrase"), which repairs it; any
// other tampered slot stops the change (ErrSlotTampered).
func (v *Vault) ChangePassphrase(newPass []byte, workFactor int) error {
	if v.isClosed() {
		return ErrClosed
	}
	if len(slotsOfInfo(v.Slots(), SlotPassphrase)) == 0 {
		return ErrNoPassphraseSlot
	}
	ns, err := v.newSlotWith(func(vk []byte, now time.Time) (*slot, error) {
		return passphraseSlot(vk, newPass, workFactor, now)
	})
	if err != nil {
		return err
	}
	return v.updateSlots(func(sb *bolt.Bucket, slots []*slot, signer *slotSigner, bad []SlotInfo) error {
		pass := slotsOf(slots, SlotPassphrase)
		if len(pass) == 0 {
			return ErrNoPassphraseSlot
		}
		ns.ID, ns.Label = pass[0].ID, pass[0].Label
		// The rewrapped slot keeps nothing of the old one but its id and
		// label, so a tampered passphrase slot may be rewrapped (the only
		// repair of a vault whose single slot was tampered with), with its
		// default label; any other tampered slot stops the change.
		var others []SlotInfo
		for _, b := range bad {
			if b.ID == ns.ID {
				ns.Label = "passphrase"
			} else {
				others = append(others, b)
			}
		}
		if len(others) > 0 {
			return tamperedError(v.path, others)
		}
		return putSlot(sb, ns, signer)
	})
}

func slotsOfInfo(infos []SlotInfo, kind SlotKind) []SlotInfo {
	var out []SlotInfo
	for _, s := range infos {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}
