package kms

// # The chain
//
// Events are numbered 1, 2, 3... in the order they were committed. Each
// carries
//
//	mac(n) = HMAC-SHA-256(chain key, "pkms audit chain v1" ‖ 0 ‖ uint64be(n) ‖ mac(n-1) ‖ event JSON)
//
// with mac(0) 32 zero bytes, so editing, reordering, deleting or inserting
// an event changes every later MAC, and nobody without the key can
// recompute them. The events one transaction commits are stored together
// as one segment, a record of the bucket "audit" whose id is the number of
// its first event (zero-padded) and which names the previous segment's:
// the vault's record ids are keyed hashes, so every record lands at a
// random place in the file, and a record per event would make each group
// commit rewrite pages all over the trail, a cost growing with its length.
// The head (the number and MAC of the last event, its segment, and the
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
	Head    ChainPoint `json:"head"`
	Base    ChainPoint `json:"base"`    // the last pruned event (zero: none)
	Segment uint64     `json:"segment"` // the first event of the last segment
}

// auditSegment is one stored segment: the events of one transaction.
type auditSegment struct {
	First  uint64         `json:"first"`
	Prev   uint64         `json:"prev"` // the previous segment's first event (0: none)
	Events []segmentEvent `json:"events"`
}

type segmentEvent struct {
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

// appendEvent adds one event at the head of the chain, in this
// transaction, as a segment of its own.
func (t *txn) appendEvent(ev Event) error {
	raw, err := marshalEvent(&ev, t.account)
	if err != nil {
		return err
	}
	b, err := (*compressor)(nil).body(appendFramed(nil, raw), 1)
	if err != nil {
		return err
	}
	return t.appendSegment(b, ev.Time())
}

// appendSegment chains the events of b after the head and stores them as
// one segment; last is the last event's time.
func (t *txn) appendSegment(b *segmentBody, last time.Time) error {
	if len(b.raws) == 0 {
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
	first := h.Head.Seq + 1
	macs := make([][]byte, len(b.raws))
	for i, raw := range b.raws {
		seq := first + uint64(i)
		macs[i] = chainMAC(key, seq, h.Head.mac(), raw)
		h.Head = ChainPoint{Seq: seq, MAC: macs[i]}
	}
	h.Head.Time = last
	if err := t.Put(bucketAudit, auditRecordID(first), encodeSegment(first, h.Segment, macs, b)); err != nil {
		return err
	}
	h.Segment = first
	return putJSON(t, bucketConfig, auditHeadID, h)
}

// readSegment reads the segment whose first event is first.
func (t *txn) readSegment(first uint64) (*auditSegment, error) {
	rec, err := t.Get(bucketAudit, auditRecordID(first))
	if errors.Is(err, ErrNoRecord) {
		return nil, &ChainError{Seq: first, Reason: "the event is missing (deleted, or the tail was truncated)"}
	}
	if err != nil {
		return nil, err
	}
	seg, err := decodeSegment(rec)
	if err != nil {
		return nil, &ChainError{Seq: first, Reason: err.Error()}
	}
	if len(seg.Events) == 0 {
		return nil, &ChainError{Seq: first, Reason: "the event record holds no event"}
	}
	return seg, nil
}

// segments calls fn with the segments from the one holding event from
// (0: the head) back to the base, newest first.
func (t *txn) segmentsBack(h auditHead, from uint64, fn func(seg *auditSegment) error) error {
	for first := h.Segment; first > h.Base.Seq; {
		seg, err := t.readSegment(first)
		if err != nil {
			return err
		}
		if seg.First != first || seg.Prev >= first {
			return &ChainError{Seq: first, Reason: "the segments are out of order (events reordered)"}
		}
		if from == 0 || seg.First <= from {
			if err := fn(seg); err != nil {
				return err
			}
		}
		first = seg.Prev
	}
	return nil
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
// against its predecessor; fn (optional) sees every event that verified,
// with its MAC.
func (t *txn) walkChain(h auditHead, fn func(seq uint64, mac []byte, ev *Event) error) error {
	key, err := t.auditKey(false)
	if err != nil {
		return err
	}
	defer clear(key)
	if key == nil && h.Head.Seq > 0 {
		return &ChainError{Seq: h.Base.Seq + 1, Reason: "the chain key is missing"}
	}
	prev := h.Base.mac()
	segs, prevFirst := 0, uint64(0)
	seq := h.Base.Seq + 1
	for seq <= h.Head.Seq {
		seg, err := t.readSegment(seq)
		if err != nil {
			return err
		}
		if seg.First != seq || segs > 0 && seg.Prev != prevFirst {
			return &ChainError{Seq: seq, Reason: fmt.Sprintf("the record holds event %d, stored in the place of event %d (events reordered)", seg.First, seq)}
		}
		for i, se := range seg.Events {
			n := seq + uint64(i)
			var ev Event
			_ = json.Unmarshal(se.Event, &ev)
			if !hmac.Equal(chainMAC(key, n, prev, se.Event), se.MAC) {
				return &ChainError{Seq: n, EventID: ev.EventID, EventName: ev.EventName,
					Reason: "its MAC does not match its contents and its predecessor (the event was edited, or one before it was replaced)"}
			}
			prev = se.MAC
			if fn != nil {
				if err := fn(n, se.MAC, &ev); err != nil {
					return err
				}
			}
		}
		prevFirst = seq
		seq += uint64(len(seg.Events))
		segs++
	}
	if seq != h.Head.Seq+1 || !bytes.Equal(prev, h.Head.mac()) || h.Head.Seq > h.Base.Seq && prevFirst != h.Segment {
		return &ChainError{Seq: h.Head.Seq, Reason: "the chain head does not match the last event"}
	}
	n, err := t.Count(bucketAudit)
	if err != nil {
		return err
	}
	if n != segs {
		return &ChainError{Seq: h.Head.Seq + 1, Reason: fmt.Sprintf("the vault holds %d event records where the chain has %d (records added outside the chain)", n, segs)}
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
		err = t.walkChain(h, func(seq uint64, mac []byte, ev *Event) error {
			if seq != a.Seq {
				return nil
			}
			if !hmac.Equal(mac, a.MAC) {
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

// PruneAudit deletes the oldest events, those before `before` (whole
// segments: the events of one transaction go together), and records
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
		for seq := h.Base.Seq + 1; seq <= h.Head.Seq; {
			seg, err := t.readSegment(seq)
			if err != nil {
				return err
			}
			last := seg.Events[len(seg.Events)-1]
			var ev Event
			if err := json.Unmarshal(last.Event, &ev); err != nil {
				return err
			}
			if !ev.Time().Before(before) {
				break // whole segments only: one transaction's events go together
			}
			if err := t.Delete(bucketAudit, auditRecordID(seq)); err != nil {
				return err
			}
			seq += uint64(len(seg.Events))
			h.Base = ChainPoint{Seq: seq - 1, MAC: last.MAC, Time: ev.Time()}
			n += len(seg.Events)
		}
		if h.Base.Seq == h.Head.Seq {
			h.Segment = 0
		}
		return putJSON(t, bucketConfig, auditHeadID, h)
	})
	return n, err
}
