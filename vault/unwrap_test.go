package vault

import (
	"bytes"
	"errors"
	"testing"

	"filippo.io/age"
)

// unwrapKey opens what age.Encrypt wrote (it only takes age's header path)
// and refuses anything that is not one authenticated 32-byte payload.
func TestUnwrapKey(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	other, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	vk := bytes.Repeat([]byte{0x42}, 32)
	wrap := func(pt []byte) []byte {
		t.Helper()
		f, err := wrapKey(pt, id.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	good := wrap(vk)
	flipped := bytes.Clone(good)
	flipped[len(flipped)-1] ^= 1
	for _, tc := range []struct {
		name     string
		file     []byte
		ids      []age.Identity
		badSlot  bool
		noMatch  bool
		wantOpen bool
	}{
		{"intact", good, []age.Identity{id}, false, false, true},
		{"other identity first", good, []age.Identity{other, id}, false, false, true},
		{"no matching identity", good, []age.Identity{other}, false, true, false},
		{"31-byte payload", wrap(vk[:31]), []age.Identity{id}, true, false, false},
		{"33-byte payload", wrap(append(bytes.Clone(vk), 0)), []age.Identity{id}, true, false, false},
		{"empty payload", wrap(nil), []age.Identity{id}, true, false, false},
		{"payload flipped", flipped, []age.Identity{id}, true, false, false},
		{"payload truncated", good[:len(good)-1], []age.Identity{id}, true, false, false},
		{"trailing byte", append(bytes.Clone(good), 0), []age.Identity{id}, true, false, false},
		{"not age", []byte("hello"), []age.Identity{id}, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := unwrapKey(tc.file, tc.ids...)
			if tc.wantOpen {
				if err != nil || !bytes.Equal(got, vk) {
					t.Fatalf("unwrapKey = %x, %v; want the key", got, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("unwrapKey opened it: %x", got)
			}
			if errors.Is(err, errBadSlot) != tc.badSlot {
				t.Errorf("errBadSlot = %v, want %v (%v)", errors.Is(err, errBadSlot), tc.badSlot, err)
			}
			if errors.Is(err, age.ErrIncorrectIdentity) != tc.noMatch {
				t.Errorf("ErrIncorrectIdentity = %v, want %v (%v)", errors.Is(err, age.ErrIncorrectIdentity), tc.noMatch, err)
			}
		})
	}
}
