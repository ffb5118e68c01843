package vault

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"filippo.io/age"
)

// memVault is a Vault with fixed keys and no file, for fuzzing the record
// and slot parsers.
func memVault(t testing.TB) *Vault {
	t.Helper()
	vk := bytes.Repeat([]byte{7}, 32)
	st := &state{header: &Header{ID: bytes.Repeat([]byte{1}, idSize)}}
	v, err := newVault("fuzz.pkms", st, vk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Deterministic nonces: the fuzzing workers rebuild the seeds and must
	// get the same bytes as the coordinator.
	v.rand = zeroReader{}
	return v
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// fuzzIdentity is a fixed test identity, so that every fuzzing worker can
// unwrap the identity seed.
const fuzzIdentity = "AGE-SECRET-KEY-1C65KP5NS5YV2VR7DP4T47W630KD9FPQ0QCPHTQZUC03SC2K4EUTQHCYZ7N"

func FuzzOpenRecord(f *testing.F) {
	v := memVault(f)
	const bucket, id = "keys", "1234abcd-12ab-34cd-56ef-1234567890ab"
	rk, valid, err := v.sealRecord(bucket, id, []byte(`{"KeyId":"1234abcd"}`))
	if err != nil {
		f.Fatal(err)
	}
	// The seed corpus must exercise the success path, or the fuzz target
	// proves nothing.
	if gotID, pt, err := v.openRecord(bucket, rk, valid); err != nil || gotID != id || string(pt) != `{"KeyId":"1234abcd"}` {
		f.Fatalf("valid seed does not open: %v", err)
	}
	flipped := bytes.Clone(valid)
	flipped[len(flipped)-1] ^= 0x80
	_, other, _ := v.sealRecord("aliases", id, []byte("x"))
	_, empty, _ := v.sealRecord(bucket, id, nil)
	_, otherID, _ := v.sealRecord(bucket, "another-id", []byte("x"))
	for _, seed := range [][]byte{valid, flipped, other, empty, otherID, nil, {0}, make([]byte, 12), make([]byte, 28), make([]byte, 29), bytes.Repeat([]byte{0xff}, 200)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, sealed []byte) {
		gotID, pt, err := v.openRecord(bucket, rk, sealed)
		switch {
		case bytes.Equal(sealed, valid) || bytes.Equal(sealed, empty):
			if err != nil || gotID != id {
				t.Fatalf("valid record fails: %q, %v", gotID, err)
			}
		case err == nil:
			t.Fatalf("forged record opened: %q", pt)
		case !errors.Is(err, ErrCorrupt):
			t.Fatalf("error is not ErrCorrupt: %v", err)
		}
		// Wrong-length on-disk keys are refused, not indexed.
		if _, _, err := v.openRecord(bucket, sealed, valid); err == nil && !bytes.Equal(sealed, rk) {
			t.Fatal("record opened under another key")
		}
	})
}

func FuzzSlot(f *testing.F) {
	x, err := age.ParseX25519Identity(fuzzIdentity)
	if err != nil {
		f.Fatal(err)
	}
	vk := bytes.Repeat([]byte{9}, 32)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ps, err := passphraseSlot(vk, []byte("pw"), 2, now)
	if err != nil {
		f.Fatal(err)
	}
	is, err := recipientSlot(vk, x.Recipient().String(), "", nil, now)
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, s := range []*slot{ps, is} {
		enc, err := encodeSlot(s)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, enc)
	}
	// The identity seed must parse and unwrap, or the target proves nothing.
	s, err := parseSlot(slotKey(2), seeds[1])
	if err != nil {
		f.Fatal(err)
	}
	if got, err := unwrapKey(s.ageFile, x); err != nil || !bytes.Equal(got, vk) {
		f.Fatalf("identity seed does not unwrap: %v", err)
	}
	seeds = append(seeds,
		[]byte(`{}`), []byte(`null`), []byte(`{"kind":"identity","label":"x","age":""}`),
		[]byte(`{"kind":"Identity\n","label":"x","age":"YWdl"}`), []byte("\xff\xfe"), nil,
		bytes.Replace(seeds[1], []byte(`"kind":"identity"`), []byte(`"kind":"pkcs11"`), 1))
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry []byte) {
		s, err := parseSlot(slotKey(1), entry)
		if err != nil {
			if s != nil {
				t.Fatal("slot returned with an error")
			}
			return
		}
		if s.ID != "1" || s.Kind == "" {
			t.Fatalf("parsed slot %+v", s.SlotInfo)
		}
		// Unwrapping with an identity (never scrypt: a fuzzed work factor
		// could cost minutes) errors or yields exactly a 32-byte key.
		if got, err := unwrapKey(s.ageFile, x); err == nil && len(got) != 32 {
			t.Fatalf("unwrapped %d bytes", len(got))
		}
		_, _ = unlockSlots("fuzz", []*slot{s}, Credentials{Identities: []age.Identity{x}})
	})
}
