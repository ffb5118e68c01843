package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"
)

// editSlot rewrites the stored JSON of slot seq with edit, as someone who can
// write the file but holds no key would.
func editSlot(t testing.TB, path string, seq uint64, edit func(map[string]any)) {
	t.Helper()
	editBolt(t, path, func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketMeta).Bucket(bucketSlots)
		var e map[string]any
		if err := json.Unmarshal(sb.Get(slotKey(seq)), &e); err != nil {
			return err
		}
		edit(e)
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return sb.Put(slotKey(seq), b)
	})
}

// A slot's public part is authenticated: any change to it (the recipient
// above all, which the next rekey would wrap the vault key to) is found at
// unlock, and everything that would trust the slot is refused, while the
// owner keeps access and can remove the slot.
func TestSlotTampered(t *testing.T) {
	owner := newX25519(t)
	attacker := newX25519(t)
	other := newX25519(t)
	otherSlotAge := func(t *testing.T) string { // a slot's age file from another vault
		p := initVault(t, "", other.Recipient().String())
		var out string
		db, err := bolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_ = db.View(func(tx *bolt.Tx) error {
			var e map[string]any
			_ = json.Unmarshal(tx.Bucket(bucketMeta).Bucket(bucketSlots).Get(slotKey(1)), &e)
			out = e["age"].(string)
			return nil
		})
		return out
	}
	tests := []struct {
		name string
		edit func(t *testing.T, e map[string]any)
	}{
		{"recipient swapped", func(t *testing.T, e map[string]any) {
			e["params"].(map[string]any)["recipient"] = attacker.Recipient().String()
		}},
		{"label changed", func(t *testing.T, e map[string]any) { e["label"] = "backup" }},
		{"created changed", func(t *testing.T, e map[string]any) { e["created"] = time.Unix(0, 0).UTC().Format(time.RFC3339) }},
		{"param added", func(t *testing.T, e map[string]any) { e["params"].(map[string]any)["plugin"] = "x" }},
		{"mac removed", func(t *testing.T, e map[string]any) { delete(e, "mac") }},
		{"mac garbled", func(t *testing.T, e map[string]any) { e["mac"] = "AAAA" }},
		{"age file replaced", func(t *testing.T, e map[string]any) { e["age"] = otherSlotAge(t) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := initVault(t, "pw", owner.Recipient().String()) // slot 1 passphrase, slot 2 identity
			v := mustUnlock(t, path, "pw")
			put(t, v, "keys", "a", "1")
			v.Close()
			editSlot(t, path, 2, func(e map[string]any) { tc.edit(t, e) })

			// The owner's passphrase slot still opens the vault; the
			// tampered slot is named.
			v = mustUnlock(t, path, "pw")
			bad := v.TamperedSlots()
			if len(bad) != 1 || bad[0].ID != "2" {
				t.Fatalf("TamperedSlots = %+v, want slot 2", bad)
			}
			if got, err := get(v, "keys", "a"); err != nil || got != "1" {
				t.Fatalf("owner lost access: %q, %v", got, err)
			}
			// Everything that would trust the slot is refused, changing nothing.
			before := fileHash(t, path)
			refused := map[string]error{
				"Rekey":  v.Rekey(RekeyOptions{Passphrase: func(SlotInfo) ([]byte, error) { return []byte("pw"), nil }}),
				"Export": v.Export(io.Discard, []age.Recipient{other.Recipient()}, false),
				"AddRecipientSlot": func() error {
					_, err := v.AddRecipientSlot(other.Recipient().String(), "", nil)
					return err
				}(),
				"ChangePassphrase": v.ChangePassphrase([]byte("new"), testWF),
			}
			for op, err := range refused {
				if !errors.Is(err, ErrSlotTampered) || !strings.Contains(err.Error(), "key slot 2 ") {
					t.Errorf("%s: %v, want ErrSlotTampered naming slot 2", op, err)
				}
			}
			if fileHash(t, path) != before {
				t.Error("a refused operation changed the file")
			}
			rep, err := v.Verify(nil)
			if err != nil || rep.OK() || !strings.Contains(rep.Problems[0].Reason, "key slot 2 ") {
				t.Errorf("Verify: %+v, %v", rep, err)
			}

			// The owner removes the slot; then everything works again and
			// the new vault key is never wrapped to the attacker.
			if err := v.RemoveSlot("2"); err != nil {
				t.Fatalf("RemoveSlot: %v", err)
			}
			if bad := v.TamperedSlots(); len(bad) != 0 {
				t.Errorf("TamperedSlots after removal = %+v", bad)
			}
			if err := v.Rekey(RekeyOptions{Passphrase: func(SlotInfo) ([]byte, error) { return []byte("pw"), nil }}); err != nil {
				t.Fatalf("Rekey after removal: %v", err)
			}
			v.Close()
			if _, err := Unlock(path, Credentials{Identities: []age.Identity{attacker}}, testOpts); !errors.Is(err, ErrNoSlotMatched) {
				t.Errorf("attacker unlock after rekey: %v", err)
			}
			v = mustUnlock(t, path, "pw")
			if got, err := get(v, "keys", "a"); err != nil || got != "1" {
				t.Errorf("after rekey: %q, %v", got, err)
			}
		})
	}
}

// A slot MAC is bound to its slot: copying a valid slot entry (MAC and all)
// over another id is caught.
func TestSlotMACBoundToID(t *testing.T) {
	x := newX25519(t)
	path := initVault(t, "pw", x.Recipient().String())
	editBolt(t, path, func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketMeta).Bucket(bucketSlots)
		return sb.Put(slotKey(2), bytes.Clone(sb.Get(slotKey(1))))
	})
	v := mustUnlock(t, path, "pw")
	if bad := v.TamperedSlots(); len(bad) != 1 || bad[0].ID != "2" {
		t.Errorf("TamperedSlots = %+v, want slot 2", bad)
	}
}

// copyV2 copies the format 2 vault of testdata (written by the release
// before slot MACs) to a temporary directory.
func copyV2(t *testing.T) (string, age.Identity) {
	t.Helper()
	b, err := os.ReadFile("testdata/v2/vault.pkms")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vault.pkms")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	idText, err := os.ReadFile("testdata/v2/identity.txt")
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(idText))
	if err != nil {
		t.Fatal(err)
	}
	return path, ids[0]
}

// A format 2 vault opens and reads as before; its first write upgrades it
// to format 3, signing its slots; from then on a changed slot is caught and
// setting the format back to 2 makes the vault fail to open.
func TestFormat2Upgrade(t *testing.T) {
	path, id := copyV2(t)
	creds := Credentials{Identities: []age.Identity{id}}
	v, err := Unlock(path, creds, testOpts)
	if err != nil {
		t.Fatalf("Unlock format 2: %v", err)
	}
	if h, _ := ReadHeader(path); h.FormatVersion != 2 {
		t.Fatalf("format %d before any write", h.FormatVersion)
	}
	if got, err := get(v, "keys", "k1"); err != nil || got != "one" {
		t.Fatalf("read format 2: %q, %v", got, err)
	}
	if len(v.TamperedSlots()) != 0 {
		t.Fatal("format 2 slots reported tampered")
	}
	put(t, v, "keys", "k3", "three")
	v.Close()
	if h, _ := ReadHeader(path); h.FormatVersion != FormatVersion {
		t.Fatalf("format %d after a write, want %d", h.FormatVersion, FormatVersion)
	}
	v, err = Unlock(path, Credentials{Passphrase: passFn("v2 passphrase")}, testOpts)
	if err != nil {
		t.Fatalf("Unlock upgraded: %v", err)
	}
	for _, r := range [][2]string{{"k1", "one"}, {"k2", "two"}, {"k3", "three"}} {
		if got, err := get(v, "keys", r[0]); err != nil || got != r[1] {
			t.Errorf("%s: %q, %v", r[0], got, err)
		}
	}
	if len(v.TamperedSlots()) != 0 {
		t.Error("upgraded slots reported tampered")
	}
	v.Close()

	editSlot(t, path, 2, func(e map[string]any) { e["label"] = "swapped" })
	v, err = Unlock(path, creds, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if bad := v.TamperedSlots(); len(bad) != 1 || bad[0].ID != "2" {
		t.Errorf("TamperedSlots = %+v", bad)
	}
	v.Close()

	// Back to format 2, where slots carry no MAC: refused.
	editBolt(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyFormat, []byte("2")) })
	if _, err := Unlock(path, creds, testOpts); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Unlock after a downgrade: %v, want ErrCorrupt", err)
	}
}

// A vault whose only slot, the passphrase slot, was tampered with cannot
// remove it; ChangePassphrase replaces it whole, which repairs the vault.
func TestTamperedPassphraseSlotRepair(t *testing.T) {
	path := initVault(t, "pw")
	editSlot(t, path, 1, func(e map[string]any) { e["label"] = "evil" })
	v := mustUnlock(t, path, "pw")
	if len(v.TamperedSlots()) != 1 {
		t.Fatal("tampered slot not found")
	}
	if err := v.RemoveSlot("1"); !errors.Is(err, ErrLastSlot) {
		t.Fatalf("RemoveSlot: %v", err)
	}
	if err := v.ChangePassphrase([]byte("new"), testWF); err != nil {
		t.Fatalf("ChangePassphrase: %v", err)
	}
	if bad := v.TamperedSlots(); len(bad) != 0 {
		t.Errorf("still tampered: %+v", bad)
	}
	if s := v.Slots(); len(s) != 1 || s[0].Label != "passphrase" {
		t.Errorf("slots = %+v", s)
	}
	v.Close()
	v = mustUnlock(t, path, "new")
	if len(v.TamperedSlots()) != 0 {
		t.Error("tampered after reopening")
	}
	if err := v.Rekey(RekeyOptions{Passphrase: func(SlotInfo) ([]byte, error) { return []byte("new"), nil }}); err != nil {
		t.Errorf("Rekey after the repair: %v", err)
	}
}
