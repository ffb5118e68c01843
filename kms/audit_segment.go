package kms

// # How a segment is stored
//
// A segment (the events of one transaction, see audit_chain.go) is one
// vault record:
//
//	0x01 ‖ uvarint(first) ‖ uvarint(prev) ‖ uvarint(n) ‖ codec ‖ n × 32-byte MAC ‖ body
//
// where the body, once decoded by its codec (0: stored as is, 1: zstd),
// is the n events' JSON, each preceded by its length as a uvarint. The
// MACs are the chain's, over each event's JSON exactly as stored, so the
// encoding is not part of what the chain proves and can change without
// touching it.
//
// Why not JSON: a busy server group-commits thousands of events at once,
// and each CloudTrail record is some 800 bytes, mostly the same names and
// values again (event version, source, type, account, region, user, key
// ARNs). Written as they are they made the audit trail the most expensive
// part of an Encrypt: the commit copied megabytes through the page cache
// and the file grew by tens of megabytes a second. zstd at its fastest
// level stores a group commit in about a tenth of the space at under a
// microsecond an event (the standard library's DEFLATE took four times as
// long for a worse ratio), and the flush compresses before it takes the
// vault's write lock (only the MACs, which need the chain's head, are
// computed under it). A segment of a single event, the case of every
// state-changing call and one-shot command, is small and stored as is.
//
// Segments written before this encoding are JSON objects
// ({"first":..,"prev":..,"events":[{"mac":..,"event":..}]}) and are read
// as they are: their first byte is '{', never 0x01.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

const (
	segmentV2 = 0x01

	codecStored = 0
	codecZstd   = 1

	// compressAbove is the body size from which a segment is compressed.
	compressAbove = 4 << 10
	// maxSegmentBytes bounds a decompressed segment: a group commit holds
	// at most maxQueuedBytes and one more event; this is a sanity bound
	// against a damaged record, not a format limit.
	maxSegmentBytes = 1 << 30
	// keepQueueBytes is the size up to which the queue's buffer is kept
	// between flushes whatever it held; a larger one is kept only while
	// flushes fill a quarter of it.
	keepQueueBytes = 8 << 20
)

var errSegmentEncoding = errors.New("the event record cannot be decoded")

// segmentBody is the stored body of a segment, built from the events'
// JSON before the transaction that appends them.
type segmentBody struct {
	raws  [][]byte // each event's JSON, as its MAC covers it
	codec byte
	data  []byte
}

// appendFramed appends one event's JSON to a body's plain form: its
// length as a uvarint, then the JSON.
func appendFramed(plain, event []byte) []byte {
	plain = binary.AppendUvarint(plain, uint64(len(event)))
	return append(plain, event...)
}

// splitFramed cuts a body's plain form into its n events (slices of
// plain).
func splitFramed(plain []byte, n int) ([][]byte, error) {
	raws := make([][]byte, n)
	for i := range raws {
		size, k := binary.Uvarint(plain)
		if k <= 0 || size == 0 || size > uint64(len(plain)-k) {
			return nil, errSegmentEncoding
		}
		raws[i] = plain[k : k+int(size)]
		plain = plain[k+int(size):]
	}
	if len(plain) != 0 {
		return nil, errSegmentEncoding // bytes after the last event
	}
	return raws, nil
}

// compressor compresses segment bodies, reusing its encoder state from
// one group commit to the next. Not safe for concurrent use.
type compressor struct {
	enc *zstd.Encoder
}

// body makes the body of the n events framed in plain, which it keeps
// (and which must not change until the segment is stored); z nil, or a
// small segment, stores them uncompressed.
func (z *compressor) body(plain []byte, n int) (*segmentBody, error) {
	raws, err := splitFramed(plain, n)
	if err != nil {
		return nil, err
	}
	if z == nil || len(plain) < compressAbove {
		return &segmentBody{raws: raws, codec: codecStored, data: plain}, nil
	}
	if z.enc == nil {
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		z.enc = enc
	}
	return &segmentBody{raws: raws, codec: codecZstd, data: z.enc.EncodeAll(plain, nil)}, nil
}

// decoder decompresses segments; DecodeAll is safe for concurrent use.
var decoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxSegmentBytes))
})

// encodeSegment lays out a segment record.
func encodeSegment(first, prev uint64, macs [][]byte, b *segmentBody) []byte {
	out := make([]byte, 0, 1+3*binary.MaxVarintLen64+1+len(macs)*sha256.Size+len(b.data))
	out = append(out, segmentV2)
	out = binary.AppendUvarint(out, first)
	out = binary.AppendUvarint(out, prev)
	out = binary.AppendUvarint(out, uint64(len(macs)))
	out = append(out, b.codec)
	for _, m := range macs {
		out = append(out, m...)
	}
	return append(out, b.data...)
}

// decodeSegment reads a stored segment, in either encoding.
func decodeSegment(rec []byte) (*auditSegment, error) {
	if len(rec) > 0 && rec[0] == '{' {
		var seg auditSegment
		if err := json.Unmarshal(rec, &seg); err != nil {
			return nil, errSegmentEncoding
		}
		return &seg, nil
	}
	if len(rec) == 0 || rec[0] != segmentV2 {
		return nil, errSegmentEncoding
	}
	r := bytes.NewReader(rec[1:])
	var head [3]uint64
	for i := range head {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, errSegmentEncoding
		}
		head[i] = v
	}
	n := head[2]
	codec, err := r.ReadByte()
	if err != nil || n == 0 || n > uint64(r.Len())/sha256.Size {
		return nil, errSegmentEncoding
	}
	seg := &auditSegment{First: head[0], Prev: head[1], Events: make([]segmentEvent, n)}
	for i := range seg.Events {
		mac := make([]byte, sha256.Size)
		_, _ = io.ReadFull(r, mac) // the length was checked above
		seg.Events[i].MAC = mac
	}
	var body []byte
	switch codec {
	case codecStored:
		body = bytes.Clone(rec[len(rec)-r.Len():])
	case codecZstd:
		d, err := decoder()
		if err != nil {
			return nil, err
		}
		if body, err = d.DecodeAll(rec[len(rec)-r.Len():], nil); err != nil {
			return nil, errSegmentEncoding
		}
	default:
		return nil, errSegmentEncoding
	}
	raws, err := splitFramed(body, int(n))
	if err != nil {
		return nil, err
	}
	for i := range seg.Events {
		seg.Events[i].Event = raws[i]
	}
	return seg, nil
}
