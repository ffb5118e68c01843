package kms

// # The chain
//
// Events are records of the bucket "audit", numbered 1, 2, 3... in the
// order they were committed (the record id is the number, zero-padded).
// Each carries
//
//	mac(n) = HMAC-SHA-256(chain key, "pkms audit chain v1" ‖ 0 ‖ uint64be(n) ‖ mac(n-1) ‖ event JSON)
//
// with mac(0) 32 zero bytes, so editing, reordering, deleting or inserting
// an event changes every later MAC, and nobody without the key can
// recompute them. The head (the number and MAC of the last event, and the
// base: the last pruned event) lives in the config record "audithead" and
// moves in the same transaction as every event it covers, so truncating the
// tail is a head that points past the last event.
//
// The chain key is 32 random bytes in the config record "auditkey", made
// with the first event. Like every record it is sealed under a key derived
// from the vault key, so only the vault key reaches it; it is not derived
// from the vault key itself because then every vault rekey would have to
// recompute the whole chain, while a sealed record is simply resealed.
//
// Rolling the whole vault file back to an older copy rolls the chain back
// with it, consistently: nothing inside the file can show that. An anchor
// (the head's number and MAC, printed by pkms audit anchor and kept
// elsewhere) can: a vault that has gone back past it has fewer events, or a
// different MAC at that number.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pocketkms/pkms/crypto"
)

const (
	bucketAudit  = "audit"
	auditHeadID  = "audithead"
	auditKeyID   = "auditkey"
	chainLabel   = "pkms audit chain v1"
	anchorPrefix = "pkms-audit-v1"
)

// ChainPoint is a position in the chain: an event number, its MAC and its
// time.
type ChainPoint struct {
	Seq  uint64    `json:"seq"`
	MAC  []byte    `json:"mac"`
	Time time.Time `json:"time"`
}

// auditHead is the config record "audithead".
type auditHead struct {
	Head ChainPoint `json:"head"`
	Base ChainPoint `json:"base"` // the last pruned event (zero: none)
}

// auditRecord is one stored event.
type auditRecord struct {
	Seq   uint64          `json:"seq"`
	MAC   []byte          `json:"mac"`
	Event json.RawMessage `json:"event"`
}

type auditKeyRecord struct {
	Key []byte `json:"key"`
}

func auditRecordID(seq uint64) string { return fmt.Sprintf("%020d", seq) }

func chainMAC(key []byte, seq uint64, prev, event []byte) []byte {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], seq)
	return crypto.HMACSHA256(key, []byte(chainLabel), []byte{0}, n[:], prev, event)
}

func (p ChainPoint) mac() []byte {
	if p.Seq == 0 {
		return make([]byte, 32)
	}
	return p.MAC
}

func (t *txn) auditHead() (auditHead, error) {
	var h auditHead
	err := getJSON(t, bucketConfig, auditHeadID, &h)
	if errors.Is(err, ErrNoRecord) {
		return auditHead{}, nil
	}
	return h, err
}

// auditKey returns the chain key, made on first use when create is set.
// The caller clears it.
func (t *txn) auditKey(create bool) ([]byte, error) {
	var r auditKeyRecord
	err := getJSON(t, bucketConfig, auditKeyID, &r)
	if err == nil && len(r.Key) == crypto.KeySize {
		return r.Key, nil
	}
	if err != nil && !errors.Is(err, ErrNoRecord) {
		return nil, err
	}
	if !create {
		return nil, nil
	}
	r.Key = make([]byte, crypto.KeySize)
	if _, err := io.ReadFull(rand.Reader, r.Key); err != nil {
		return nil, err
	}
	return r.Key, putJSON(t, bucketConfig, auditKeyID, r)
}

// appendEvents adds events at the head of the chain, in this transaction.
func (t *txn) appendEvents(evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	h, err := t.auditHead()
	if err != nil {
		return err
	}
	key, err := t.auditKey(true)
	if err != nil {
		return err
	}
	defer clear(key)
	for i := range evs {
		ev := &evs[i]
		ev.RecipientAccountID, ev.UserIdentity.AccountID = t.account, t.account
		for j := range ev.Resources {
			ev.Resources[j].AccountID = t.account
		}
		b, err := marshalEvent(ev)
		if err != nil {
			return err
		}
		seq := h.Head.Seq + 1
		mac := chainMAC(key, seq, h.Head.mac(), b)
		if err := putJSON(t, bucketAudit, auditRecordID(seq), auditRecord{Seq: seq, MAC: mac, Event: b}); err != nil {
			return err
		}
		h.Head = ChainPoint{Seq: seq, MAC: mac, Time: ev.Time()}
	}
	return putJSON(t, bucketConfig, auditHeadID, h)
}

// ChainError is a break in the chain: the first event that does not
// verify, and why.
type ChainError struct {
	Seq       uint64 // the event's number in the chain
	EventID   string // its eventID, when it could be read
	EventName string
	Reason    string
}

func (e *ChainError) Error() string {
	s := "audit chain broken at event " + strconv.FormatUint(e.Seq, 10)
	if e.EventID != "" {
		s += " (" + e.EventName + " " + e.EventID + ")"
	}
	return s + ": " + e.Reason
}

// AuditStatus is what VerifyAudit found: the chain's head and base and how
// many events it holds.
type AuditStatus struct {
	Events uint64     // events held (head minus base)
	Head   ChainPoint // the last event
	Base   ChainPoint // the last pruned event (Seq 0: none pruned)
}

// walkChain reads the events base+1..head in order, checking each MAC
// against its predecessor; fn (optional) sees every event that verified.
func (t *txn) walkChain(h auditHead, fn func(seq uint64, ev *Event) error) error {
	key, err := t.auditKey(false)
	if err != nil {
		return err
	}
	defer clear(key)
	if key == nil && h.Head.Seq > 0 {
		return &ChainError{Seq: h.Base.Seq + 1, Reason: "the chain key is missing"}
	}
	prev := h.Base.mac()
	for seq := h.Base.Seq + 1; seq <= h.Head.Seq; seq++ {
		var r auditRecord
		if err := getJSON(t, bucketAudit, auditRecordID(seq), &r); errors.Is(err, ErrNoRecord) {
			return &ChainError{Seq: seq, Reason: "the event is missing (deleted, or the tail was truncated)"}
		} else if err != nil {
			var ke *Error
			if errors.As(err, &ke) {
				return &ChainError{Seq: seq, Reason: "the event record cannot be decoded"}
			}
			return err
		}
		var ev Event
		_ = json.Unmarshal(r.Event, &ev)
		bad := func(why string) error {
			return &ChainError{Seq: seq, EventID: ev.EventID, EventName: ev.EventName, Reason: why}
		}
		if r.Seq != seq {
			return bad(fmt.Sprintf("it is event %d stored in the place of event %d (events reordered)", r.Seq, seq))
		}
		want := chainMAC(key, seq, prev, r.Event)
		if !hmac.Equal(want, r.MAC) {
			return bad("its MAC does not match its contents and its predecessor (the event was edited, or one before it was replaced)")
		}
		prev = r.MAC
		if fn != nil {
			if err := fn(seq, &ev); err != nil {
				return err
			}
		}
	}
	if !bytes.Equal(prev, h.Head.mac()) {
		return &ChainError{Seq: h.Head.Seq, Reason: "the chain head does not match the last event"}
	}
	n, err := t.Count(bucketAudit)
	if err != nil {
		return err
	}
	if uint64(n) != h.Head.Seq-h.Base.Seq {
		return &ChainError{Seq: h.Head.Seq + 1, Reason: fmt.Sprintf("the vault holds %d event records where the chain has %d (records added outside the chain)", n, h.Head.Seq-h.Base.Seq)}
	}
	return nil
}

// VerifyAudit checks the whole chain in one read transaction; a break is a
// *ChainError naming the first bad event.
func (s *Service) VerifyAudit(ctx context.Context) (*AuditStatus, error) {
	var st *AuditStatus
	err := s.view(ctx, func(t *txn) error {
		h, err := t.auditHead()
		if err != nil {
			return err
		}
		if err := t.walkChain(h, nil); err != nil {
			return err
		}
		st = &AuditStatus{Events: h.Head.Seq - h.Base.Seq, Head: h.Head, Base: h.Base}
		return nil
	})
	return st, err
}

// Anchor is a chain head kept outside the vault.
type Anchor struct {
	Seq uint64
	MAC []byte
}

// String is the anchor's printed form, pkms-audit-v1:<seq>:<hex MAC>.
func (a Anchor) String() string {
	return anchorPrefix + ":" + strconv.FormatUint(a.Seq, 10) + ":" + hex.EncodeToString(a.MAC)
}

// ParseAnchor reads an anchor printed by pkms audit anchor.
func ParseAnchor(s string) (Anchor, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	bad := fmt.Errorf("invalid anchor %q: expected %s:<event count>:<64 hex digits>, as pkms audit anchor prints it", s, anchorPrefix)
	if len(parts) != 3 || parts[0] != anchorPrefix {
		return Anchor{}, bad
	}
	seq, err := strconv.ParseUint(parts[1], 10, 64)
	if err != nil {
		return Anchor{}, bad
	}
	mac, err := hex.DecodeString(parts[2])
	if err != nil || len(mac) != 32 || seq == 0 {
		return Anchor{}, bad
	}
	return Anchor{Seq: seq, MAC: mac}, nil
}

// CheckAnchor verifies the chain and proves that the vault has not gone
// back past a: it holds event a.Seq with the anchored MAC (or has pruned
// past it). Going back is a *ChainError.
func (s *Service) CheckAnchor(ctx context.Context, a Anchor) (*AuditStatus, error) {
	var st *AuditStatus
	err := s.view(ctx, func(t *txn) error {
		h, err := t.auditHead()
		if err != nil {
			return err
		}
		if h.Head.Seq < a.Seq {
			return &ChainError{Seq: h.Head.Seq, Reason: fmt.Sprintf("the vault has gone back past the anchor: its chain ends at event %d, the anchor is at event %d", h.Head.Seq, a.Seq)}
		}
		if a.Seq == h.Base.Seq && !hmac.Equal(a.MAC, h.Base.MAC) {
			return &ChainError{Seq: a.Seq, Reason: "the anchored event differs from the vault's (pruned) event with that number: another or a rolled-back vault"}
		}
		err = t.walkChain(h, func(seq uint64, ev *Event) error {
			if seq != a.Seq {
				return nil
			}
			var r auditRecord
			if err := getJSON(t, bucketAudit, auditRecordID(seq), &r); err != nil {
				return err
			}
			if !hmac.Equal(r.MAC, a.MAC) {
				return &ChainError{Seq: seq, EventID: ev.EventID, EventName: ev.EventName, Reason: "the event differs from the anchored one: another or a rolled-back and rewritten vault"}
			}
			return nil
		})
		if err != nil {
			return err
		}
		st = &AuditStatus{Events: h.Head.Seq - h.Base.Seq, Head: h.Head, Base: h.Base}
		return nil
	})
	return st, err
}

// PruneAudit deletes the oldest events, those before `before`, and records
// the last one deleted as the chain's base, so the rest of the chain still
// verifies from it. It returns how many events it deleted.
func (s *Service) PruneAudit(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.update(ctx, func(t *txn) error {
		n = 0
		h, err := t.auditHead()
		if err != nil {
			return err
		}
		if err := t.walkChain(h, nil); err != nil {
			return err // never prune a broken chain: it would hide the break
		}
		for seq := h.Base.Seq + 1; seq <= h.Head.Seq; seq++ {
			var r auditRecord
			if err := getJSON(t, bucketAudit, auditRecordID(seq), &r); err != nil {
				return err
			}
			var ev Event
			if err := json.Unmarshal(r.Event, &ev); err != nil {
				return err
			}
			if !ev.Time().Before(before) {
				break
			}
			if err := t.Delete(bucketAudit, auditRecordID(seq)); err != nil {
				return err
			}
			h.Base = ChainPoint{Seq: seq, MAC: r.MAC, Time: ev.Time()}
			n++
		}
		return putJSON(t, bucketConfig, auditHeadID, h)
	})
	return n, err
}
