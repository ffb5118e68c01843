package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/pocketkms/pkms/crypto"
)

// Slot MACs (format 3). A slot's public part (its id, kind, label, creation
// time and params) decides what Rekey wraps the next vault key to, so it is
// authenticated: HMAC-SHA-256 under DeriveKey(VK, "slot mac") over
//
//	"pkms slot v1" ‖ lp(vault id) ‖ lp(slot id) ‖ lp(kind) ‖ lp(label) ‖
//	lp(created, RFC 3339 UTC) ‖ uvarint(#params) ‖ (lp(name) ‖ lp(value))… by name ‖
//	SHA-256(age file)
//
// where lp(x) is uvarint(len(x)) ‖ x. The age file is covered too, so a slot
// is accepted or refused as a whole.

const (
	slotMACLabel  = "slot mac"
	slotMACDomain = "pkms slot v1"
)

// slotSigner computes and checks slot MACs for one vault key.
type slotSigner struct {
	key     []byte
	vaultID []byte
}

func newSlotSigner(vk, vaultID []byte) (*slotSigner, error) {
	key, err := crypto.DeriveKey(vk, slotMACLabel)
	if err != nil {
		return nil, err
	}
	return &slotSigner{key: key, vaultID: vaultID}, nil
}

// zero clears the MAC key.
func (g *slotSigner) zero() { clear(g.key) }

func (g *slotSigner) mac(s *slot) []byte {
	// The message is public; crypto.HMACSHA256 leaves no copy of the key.
	var m bytes.Buffer
	lp := func(b []byte) {
		m.Write(binary.AppendUvarint(nil, uint64(len(b))))
		m.Write(b)
	}
	m.Write([]byte(slotMACDomain))
	lp(g.vaultID)
	lp([]byte(s.ID))
	lp([]byte(s.Kind))
	lp([]byte(s.Label))
	lp([]byte(s.Created.UTC().Format(time.RFC3339Nano)))
	names := make([]string, 0, len(s.Params))
	for k := range s.Params {
		names = append(names, k)
	}
	slices.Sort(names)
	m.Write(binary.AppendUvarint(nil, uint64(len(names))))
	for _, k := range names {
		lp([]byte(k))
		lp([]byte(s.Params[k]))
	}
	h := sha256.Sum256(s.ageFile)
	m.Write(h[:])
	return crypto.HMACSHA256(g.key, m.Bytes())
}

// sign sets s.mac; s.ID must be set.
func (g *slotSigner) sign(s *slot) { s.mac = g.mac(s) }

// authentic reports whether s carries a valid MAC.
func (g *slotSigner) authentic(s *slot) bool {
	return len(s.mac) == sha256.Size && hmac.Equal(s.mac, g.mac(s))
}

// tampered lists the slots whose MAC is missing or wrong (none in a
// format 2 vault, whose slots carry no MAC yet).
func (g *slotSigner) tampered(slots []*slot, format int) []SlotInfo {
	if format < slotMACFormat {
		return nil
	}
	var out []SlotInfo
	for _, s := range slots {
		if !g.authentic(s) {
			out = append(out, s.SlotInfo.clone())
		}
	}
	return out
}

// slotsWithSigner reads the slots of sb and makes the signer of this
// vault's key for them; the caller zeroes the signer.
func (v *Vault) slotsWithSigner(sb *bolt.Bucket) ([]*slot, *slotSigner, error) {
	slots, err := readSlots(v.path, sb)
	if err != nil {
		return nil, nil, err
	}
	signer, err := newSlotSigner(v.keys.vk, v.id)
	if err != nil {
		return nil, nil, err
	}
	return slots, signer, nil
}

// tamperedError is ErrSlotTampered naming the slots.
func tamperedError(path string, bad []SlotInfo) error {
	names := make([]string, len(bad))
	for i, s := range bad {
		names[i] = fmt.Sprintf("%s (%s %q)", s.ID, s.Kind, s.Label)
	}
	return &vaultError{sentinel: ErrSlotTampered, msg: fmt.Sprintf(
		"vault %s: key slot %s failed authentication: its public parameters were modified outside pkms; "+
			"refusing to trust it (remove it with: pkms vault slots remove ID)", path, strings.Join(names, ", "))}
}

// slotProblems lists, for Verify, each slot of st whose MAC fails.
func (v *Vault) slotProblems(st *state) []RecordProblem {
	signer, err := newSlotSigner(v.keys.vk, v.id)
	if err != nil {
		return []RecordProblem{{Reason: "cannot derive the slot MAC key"}}
	}
	defer signer.zero()
	var out []RecordProblem
	for _, s := range signer.tampered(st.slots, st.header.FormatVersion) {
		out = append(out, RecordProblem{Reason: fmt.Sprintf("key slot %s (%s %q) failed authentication: its public parameters were modified", s.ID, s.Kind, s.Label)})
	}
	return out
}
