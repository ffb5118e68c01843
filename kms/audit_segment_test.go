package kms

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func testRaws(n int) [][]byte {
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = fmt.Appendf(nil, `{"eventName":"Encrypt","eventID":"%08d","requestParameters":{"keyId":"alias/x"}}`, i)
	}
	return raws
}

func testMACs(n int) [][]byte {
	macs := make([][]byte, n)
	for i := range macs {
		macs[i] = bytes.Repeat([]byte{byte(i + 1)}, sha256.Size)
	}
	return macs
}

// A segment reads back as it was written, stored or compressed, and a
// segment of the JSON encoding written before reads too.
func TestSegmentRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		z         *compressor
		wantCodec byte
	}{
		{"one event, stored", 1, nil, codecStored},
		{"small group, stored", 3, &compressor{}, codecStored},
		{"large group, compressed", 500, &compressor{}, codecZstd},
		{"large group without a compressor, stored", 500, nil, codecStored},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raws, macs := testRaws(tt.n), testMACs(tt.n)
			b, err := tt.z.body(framed(raws), len(raws))
			if err != nil {
				t.Fatal(err)
			}
			if b.codec != tt.wantCodec {
				t.Fatalf("codec %d, want %d", b.codec, tt.wantCodec)
			}
			rec := encodeSegment(7, 3, macs, b)
			seg, err := decodeSegment(rec)
			if err != nil {
				t.Fatal(err)
			}
			if seg.First != 7 || seg.Prev != 3 || len(seg.Events) != tt.n {
				t.Fatalf("segment first %d prev %d with %d events", seg.First, seg.Prev, len(seg.Events))
			}
			for i, e := range seg.Events {
				if !bytes.Equal(e.Event, raws[i]) || !bytes.Equal(e.MAC, macs[i]) {
					t.Fatalf("event %d: %s %x", i, e.Event, e.MAC)
				}
			}
			if tt.wantCodec == codecZstd {
				plain := 0
				for _, r := range raws {
					plain += len(r)
				}
				if len(b.data)*5 > plain {
					t.Errorf("compressed body %d bytes for %d bytes of events", len(b.data), plain)
				}
			}
		})
	}
	t.Run("JSON encoding of earlier versions", func(t *testing.T) {
		old := `{"first":4,"prev":1,"events":[{"mac":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=","event":{"eventName":"DescribeKey"}},` +
			`{"mac":"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=","event":{"eventName":"Encrypt"}}]}`
		seg, err := decodeSegment([]byte(old))
		if err != nil {
			t.Fatal(err)
		}
		if seg.First != 4 || seg.Prev != 1 || len(seg.Events) != 2 || string(seg.Events[1].Event) != `{"eventName":"Encrypt"}` || !bytes.Equal(seg.Events[1].MAC, testMACs(2)[1]) {
			t.Fatalf("old segment read as %+v", seg)
		}
	})
}

// A damaged segment is an error, never a panic or a wrong event.
func TestSegmentDecodeRejects(t *testing.T) {
	good := encodeSegment(1, 0, testMACs(2), mustBody(t, nil, testRaws(2)))
	zipped := encodeSegment(1, 0, testMACs(500), mustBody(t, &compressor{}, testRaws(500)))
	tests := []struct {
		name string
		rec  []byte
	}{
		{"empty", nil},
		{"unknown version", append([]byte{9}, good[1:]...)},
		{"truncated header", good[:2]},
		{"no events", encodeSegment(1, 0, nil, &segmentBody{})},
		{"truncated MACs", good[:10]},
		{"unknown codec", func() []byte { b := bytes.Clone(good); b[4] = 7; return b }()},
		{"truncated body", good[:len(good)-1]},
		{"trailing bytes", append(bytes.Clone(good), 0)},
		{"damaged compressed body", append(bytes.Clone(zipped[:len(zipped)-20]), bytes.Repeat([]byte{0xff}, 20)...)},
		{"broken JSON", []byte(`{"first":1,`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if seg, err := decodeSegment(tt.rec); !errors.Is(err, errSegmentEncoding) {
				t.Fatalf("decodeSegment = %+v, %v; want errSegmentEncoding", seg, err)
			}
		})
	}
}

// framed is raws in a segment body's plain form.
func framed(raws [][]byte) []byte {
	var plain []byte
	for _, r := range raws {
		plain = appendFramed(plain, r)
	}
	return plain
}

func mustBody(t testing.TB, z *compressor, raws [][]byte) *segmentBody {
	b, err := z.body(framed(raws), len(raws))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzDecodeSegment(f *testing.F) {
	f.Add(encodeSegment(1, 0, testMACs(2), mustBody(f, nil, testRaws(2))))
	f.Add(encodeSegment(9, 4, testMACs(200), mustBody(f, &compressor{}, testRaws(200))))
	f.Add([]byte(`{"first":1,"prev":0,"events":[]}`))
	f.Fuzz(func(t *testing.T, rec []byte) {
		seg, err := decodeSegment(rec)
		if err == nil && rec[0] == segmentV2 && len(seg.Events) == 0 {
			t.Fatal("a segment without events decoded")
		}
	})
}

// An edit inside a compressed group commit names the event, as it does in
// a stored one.
func TestAuditTamperInsideCompressedSegment(t *testing.T) {
	e := newEnv(t)    // group commit
	key := e.newKey() // event 1, its own segment
	const n = 40
	for i := 0; i < n; i++ {
		_, _ = e.call("DescribeKey", &DescribeKeyInput{KeyId: key}) // events 2..41, queued
	}
	if err := e.svc.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.store.mu.Lock()
	rec := e.store.data[bucketAudit][auditRecordID(2)]
	seg, err := decodeSegment(rec)
	if err != nil || len(seg.Events) != n || rec[0] != segmentV2 {
		e.store.mu.Unlock()
		t.Fatalf("segment 2: %v, %d events", err, len(seg.Events))
	}
	if bytes.Contains(rec, []byte(`"eventName":"DescribeKey"`)) {
		e.store.mu.Unlock()
		t.Fatal("segment 2 was stored uncompressed")
	}
	// Event 30 gets another eventName; the segment is compressed again.
	raws := make([][]byte, n)
	macs := make([][]byte, n)
	for i, se := range seg.Events {
		raws[i], macs[i] = se.Event, se.MAC
	}
	raws[28] = []byte(strings.Replace(string(raws[28]), `"DescribeKey"`, `"DescribeKez"`, 1))
	e.store.data[bucketAudit][auditRecordID(2)] = encodeSegment(seg.First, seg.Prev, macs, mustBody(t, &compressor{}, raws))
	e.store.gen++
	e.store.mu.Unlock()
	var ce *ChainError
	if _, err := e.svc.VerifyAudit(context.Background()); !errors.As(err, &ce) || ce.Seq != 30 || ce.EventName != "DescribeKez" {
		t.Fatalf("VerifyAudit = %v, want event 30 named", err)
	}
}

// failingWrites fails every Update while fail is set, after running
// during (calls that arrive while a write is under way).
type failingWrites struct {
	*retryingStore
	fail   atomic.Bool
	during func()
}

var errTestWrite = errors.New("test: the write failed")

func (f *failingWrites) Update(fn func(Tx) error) error {
	if f.fail.Load() {
		if f.during != nil {
			f.during()
		}
		return errTestWrite
	}
	return f.retryingStore.Update(fn)
}

// Events whose group commit failed stay queued, ahead of newer ones, and
// the next flush commits them all, in order.
func TestAuditFlushFailureKeepsOrder(t *testing.T) {
	e := newEnv(t)
	store := &failingWrites{retryingStore: &retryingStore{memStore: e.store}}
	svc := New(store, Options{GroupCommit: true})
	ctx := context.Background()
	random := func(n int32) {
		if _, err := svc.Invoke(ctx, "GenerateRandom", &GenerateRandomInput{NumberOfBytes: &n}); err != nil {
			t.Fatal(err)
		}
	}
	for n := int32(1); n <= 3; n++ {
		random(n)
	}
	store.fail.Store(true)
	store.during = func() { random(4) } // queued while the flush fails
	if err := svc.FlushAudit(ctx); !errors.Is(err, errTestWrite) {
		t.Fatalf("FlushAudit = %v, want the write's failure", err)
	}
	store.fail.Store(false)
	random(5)
	if err := svc.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := svc.VerifyAudit(ctx); err != nil || st.Events != 5 {
		t.Fatalf("VerifyAudit = %+v, %v; want 5 events", st, err)
	}
	var got []string
	err := svc.ExportAudit(ctx, time.Time{}, func(rec []byte) error {
		var ev Event
		if err := json.Unmarshal(rec, &ev); err != nil {
			return err
		}
		got = append(got, fmt.Sprint(ev.RequestParameters["numberOfBytes"]))
		return nil
	})
	if err != nil || strings.Join(got, " ") != "1 2 3 4 5" {
		t.Fatalf("exported numberOfBytes %v (%v), want 1 2 3 4 5", got, err)
	}
}

// A failed group commit is retried by itself, without a call to queue more.
func TestAuditFlushRetries(t *testing.T) {
	e := newEnv(t)
	store := &failingWrites{retryingStore: &retryingStore{memStore: e.store}}
	svc := New(store, Options{GroupCommit: true})
	ctx := context.Background()
	n := int32(8)
	if _, err := svc.Invoke(ctx, "GenerateRandom", &GenerateRandomInput{NumberOfBytes: &n}); err != nil {
		t.Fatal(err)
	}
	store.fail.Store(true)
	if err := svc.FlushAudit(ctx); !errors.Is(err, errTestWrite) {
		t.Fatalf("FlushAudit = %v, want the write's failure", err)
	}
	store.fail.Store(false)
	deadline := time.Now().Add(10 * AuditFlushDelay)
	for {
		st, err := svc.VerifyAudit(ctx)
		if err == nil && st.Events == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the failed flush was not retried: %+v, %v", st, err)
		}
		time.Sleep(AuditFlushDelay / 4)
	}
}

// An event larger than any the writer expects (a request with a huge
// encryption context, refused or not, logs it) is stored and read back:
// the reader's bounds are the writer's.
func TestAuditHugeEventVerifies(t *testing.T) {
	for _, mode := range commitModes {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.opts...)
			key := e.newKey()
			ec := map[string]string{"big": strings.Repeat("x", 3<<20)}
			_, _ = e.call("Encrypt", &EncryptInput{KeyId: key, Plaintext: []byte("p"), EncryptionContext: ec})
			if err := e.svc.FlushAudit(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st, err := e.svc.VerifyAudit(context.Background()); err != nil || st.Events != 2 {
				t.Fatalf("VerifyAudit = %+v, %v; want 2 events", st, err)
			}
		})
	}
}

// While the vault refuses the queued events, memory does not grow without
// bound: once the queue is full, calls fail instead of going unrecorded,
// and succeed again once the events are committed.
func TestAuditQueueBounded(t *testing.T) {
	e := newEnv(t)
	store := &failingWrites{retryingStore: &retryingStore{memStore: e.store}}
	svc := New(store, Options{GroupCommit: true})
	svc.auditq.limit = 4 << 10
	ctx := context.Background()
	n := int32(8)
	random := func() error {
		_, err := svc.Invoke(ctx, "GenerateRandom", &GenerateRandomInput{NumberOfBytes: &n})
		return err
	}
	if err := random(); err != nil {
		t.Fatal(err)
	}
	store.fail.Store(true)
	var err error
	calls := 0
	for ; calls < 100 && err == nil; calls++ {
		err = random()
	}
	if CodeOf(err) != KMSInternalException || !strings.Contains(err.Error(), "audit trail cannot be written") {
		t.Fatalf("after %d calls with the vault refusing writes: %v, want the queue to refuse", calls, err)
	}
	store.fail.Store(false)
	if err := svc.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := random(); err != nil {
		t.Fatalf("after the flush: %v", err)
	}
	if err := svc.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	// The first call, the loop's accepted ones, the one after the flush.
	if st, err := svc.VerifyAudit(ctx); err != nil || st.Events != uint64(1+calls-1+1) {
		t.Fatalf("VerifyAudit = %+v, %v; want %d events (the refused call unrecorded)", st, err, calls+1)
	}
}
