package vault

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"

	"github.com/pocketkms/pkms/crypto"
)

// SlotKind names how a key slot is unlocked.
type SlotKind string

// Slot kinds. Later formats add "pkcs11" and "plugin"; a vault holding a slot
// of a kind this version does not know still opens through its other slots.
const (
	SlotPassphrase SlotKind = "passphrase"
	SlotIdentity   SlotKind = "identity"
)

// SlotInfo describes a key slot. It holds nothing secret.
type SlotInfo struct {
	ID      string
	Kind    SlotKind
	Label   string
	Created time.Time
}

// Limits on a stored slot entry; anything larger is corrupt.
const (
	maxSlotEntry  = 64 << 10
	maxSlotLabel  = 4096
	maxSlotKind   = 32
	defaultScrypt = 18 // age's default work factor
	maxScrypt     = 22 // age's default maximum when decrypting
)

// slot is one parsed key slot: its description and the age file that wraps
// the vault key.
type slot struct {
	SlotInfo
	ageFile []byte
}

// slotEntry is the stored (JSON) form of a slot, the value under its id in
// the meta/slots bucket. Params is reserved for kinds that need more than a
// label (a PKCS#11 URI, a plugin name); it is kept verbatim.
type slotEntry struct {
	Kind    string            `json:"kind"`
	Label   string            `json:"label"`
	Created time.Time         `json:"created"`
	Params  map[string]string `json:"params,omitempty"`
	Age     []byte            `json:"age"`
}

// slotKey is the bbolt key of a slot: its sequence number, big-endian.
func slotKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func encodeSlot(s *slot) ([]byte, error) {
	return json.Marshal(slotEntry{Kind: string(s.Kind), Label: s.Label, Created: s.Created.UTC(), Age: s.ageFile})
}

// parseSlot decodes and validates a stored slot. It never panics; every
// problem is returned as an error describing it (no secrets are involved:
// the age file is encrypted).
func parseSlot(key, value []byte) (*slot, error) {
	if len(key) != 8 {
		return nil, fmt.Errorf("slot key has %d bytes, want 8", len(key))
	}
	seq := binary.BigEndian.Uint64(key)
	if seq == 0 {
		return nil, errors.New("slot id 0")
	}
	id := strconv.FormatUint(seq, 10)
	if len(value) > maxSlotEntry {
		return nil, fmt.Errorf("slot %s: entry of %d bytes is too large", id, len(value))
	}
	var e slotEntry
	if err := json.Unmarshal(value, &e); err != nil {
		return nil, fmt.Errorf("slot %s: cannot decode entry: %v", id, err)
	}
	if !validKind(e.Kind) {
		return nil, fmt.Errorf("slot %s: invalid kind", id)
	}
	if len(e.Label) > maxSlotLabel || !utf8.ValidString(e.Label) || strings.IndexFunc(e.Label, unicode.IsControl) >= 0 {
		return nil, fmt.Errorf("slot %s: invalid label", id)
	}
	if len(e.Age) == 0 {
		return nil, fmt.Errorf("slot %s: empty age file", id)
	}
	if _, err := age.ExtractHeader(bytes.NewReader(e.Age)); err != nil {
		return nil, fmt.Errorf("slot %s: age file: %v", id, err)
	}
	return &slot{
		SlotInfo: SlotInfo{ID: id, Kind: SlotKind(e.Kind), Label: e.Label, Created: e.Created},
		ageFile:  e.Age,
	}, nil
}

func validKind(k string) bool {
	if k == "" || len(k) > maxSlotKind {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// wrapKey encrypts the vault key to recipients as a small age file.
func wrapKey(vk []byte, recipients ...age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recipients...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(vk); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unwrapKey decrypts a slot's age file with identities. It returns an error
// wrapping age.ErrIncorrectIdentity when no identity matches, and an
// ErrCorrupt-worthy error (errBadSlot) when the file decrypts to something
// that is not a vault key or fails authentication.
func unwrapKey(ageFile []byte, identities ...age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(ageFile), identities...)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, crypto.KeySize+1)
	n, err := io.ReadFull(r, buf)
	if err != io.ErrUnexpectedEOF || n != crypto.KeySize {
		clear(buf)
		if err == nil || err == io.ErrUnexpectedEOF || err == io.EOF {
			return nil, fmt.Errorf("%w: wrapped key is not %d bytes", errBadSlot, crypto.KeySize)
		}
		return nil, fmt.Errorf("%w: %v", errBadSlot, err)
	}
	return buf[:crypto.KeySize:crypto.KeySize], nil
}

var errBadSlot = errors.New("bad slot")

// passphraseSlot builds a passphrase slot (age scrypt, alone in its file).
func passphraseSlot(vk, pass []byte, workFactor int, now time.Time) (*slot, error) {
	if len(pass) == 0 {
		return nil, errors.New("vault: empty passphrase")
	}
	wf, err := scryptWorkFactor(workFactor)
	if err != nil {
		return nil, err
	}
	r, err := age.NewScryptRecipient(string(pass))
	if err != nil {
		return nil, fmt.Errorf("vault: passphrase: %v", err)
	}
	r.SetWorkFactor(wf)
	f, err := wrapKey(vk, r)
	if err != nil {
		return nil, fmt.Errorf("vault: wrapping passphrase slot: %v", err)
	}
	return &slot{SlotInfo: SlotInfo{Kind: SlotPassphrase, Label: "passphrase", Created: now}, ageFile: f}, nil
}

func scryptWorkFactor(wf int) (int, error) {
	switch {
	case wf == 0:
		return defaultScrypt, nil
	case wf < 1 || wf > maxScrypt:
		return 0, fmt.Errorf("vault: scrypt work factor %d out of range 1..%d", wf, maxScrypt)
	}
	return wf, nil
}

// identitySlot builds an identity slot for one age recipient string.
func identitySlot(vk []byte, recipient string, now time.Time) (*slot, error) {
	recipient = strings.TrimSpace(recipient)
	if recipient == "" || strings.ContainsAny(recipient, "\n\r#") {
		return nil, fmt.Errorf("vault: invalid recipient %q", recipient)
	}
	rs, err := age.ParseRecipients(strings.NewReader(recipient))
	if err != nil {
		return nil, fmt.Errorf("vault: recipient %q: %v", recipient, err)
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("vault: recipient %q: want exactly one recipient", recipient)
	}
	f, err := wrapKey(vk, rs[0])
	if err != nil {
		return nil, fmt.Errorf("vault: wrapping identity slot for %q: %v", recipient, err)
	}
	return &slot{SlotInfo: SlotInfo{Kind: SlotIdentity, Label: recipient, Created: now}, ageFile: f}, nil
}

// unlockSlots finds the vault key in slots with creds. Identities are tried
// against every non-passphrase slot first; then, if needed, the passphrase
// (asked at most once) against the passphrase slots.
func unlockSlots(path string, slots []*slot, creds Credentials) ([]byte, error) {
	var otherErrs []error
	if len(creds.Identities) > 0 {
		for _, s := range slots {
			if s.Kind == SlotPassphrase {
				continue
			}
			vk, err := unwrapKey(s.ageFile, creds.Identities...)
			if err == nil {
				return vk, nil
			}
			if errors.Is(err, errBadSlot) {
				return nil, corruptWrap(path, err, "key slot %s (%s): %v", s.ID, s.Kind, err)
			}
			if !errors.Is(err, age.ErrIncorrectIdentity) {
				// A token or plugin failing is not corruption; remember it in
				// case no other slot opens.
				otherErrs = append(otherErrs, fmt.Errorf("key slot %s (%s %q): %w", s.ID, s.Kind, s.Label, err))
			}
		}
	}
	var passSlots []*slot
	for _, s := range slots {
		if s.Kind == SlotPassphrase {
			passSlots = append(passSlots, s)
		}
	}
	if len(passSlots) > 0 && creds.Passphrase != nil {
		pass, err := creds.Passphrase()
		if err != nil {
			return nil, fmt.Errorf("vault: reading passphrase: %w", err)
		}
		if len(pass) == 0 {
			return nil, ErrIncorrectPassphrase
		}
		id, err := age.NewScryptIdentity(string(pass))
		if err != nil {
			return nil, ErrIncorrectPassphrase
		}
		for _, s := range passSlots {
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
	if len(otherErrs) > 0 {
		return nil, &vaultError{sentinel: ErrNoSlotMatched, msg: ErrNoSlotMatched.Error() + ": " + errors.Join(otherErrs...).Error(), cause: errors.Join(otherErrs...)}
	}
	return nil, ErrNoSlotMatched
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
