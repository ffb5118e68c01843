package vault

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"filippo.io/age"
)

// localToken stands in for a PKCS#11 token key (an outside slot kind): its
// stanzas are not X25519's, so only it opens them.
type localToken struct{ key *age.X25519Identity }

// localStanzaType marks the stanzas of a localToken.
const localStanzaType = "pkms-local-token"

func (l localToken) recipient() age.Recipient { return localRecipient{l.key.Recipient()} }

type localRecipient struct{ r *age.X25519Recipient }

func (f localRecipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	ss, err := f.r.Wrap(fileKey)
	for _, s := range ss {
		s.Type = localStanzaType
	}
	return ss, err
}

func (l localToken) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	var mine []*age.Stanza
	for _, s := range stanzas {
		if s.Type == localStanzaType {
			mine = append(mine, &age.Stanza{Type: "X25519", Args: s.Args, Body: s.Body})
		}
	}
	if len(mine) == 0 {
		return nil, age.ErrIncorrectIdentity
	}
	return l.key.Unwrap(mine)
}

func newToken(t testing.TB) localToken { return localToken{newX25519(t)} }

func tokenSpec(tok localToken, label string) SlotSpec {
	return SlotSpec{Kind: SlotPKCS11, Label: label, Params: map[string]string{"token": label, "key_id": "01"}, Recipient: tok.recipient()}
}

// tokenProvider answers SlotIdentity for the token whose label is given.
func tokenProvider(label string, tok localToken) func(SlotInfo) (age.Identity, error) {
	return func(s SlotInfo) (age.Identity, error) {
		if s.Params["token"] != label {
			return nil, nil
		}
		return tok, nil
	}
}

func TestSlotManagement(t *testing.T) {
	x := newX25519(t)
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	tok := newToken(t)
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	put(t, v, "keys", "k", "value")

	mustAdd := func(info SlotInfo, err error) SlotInfo {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	xi := mustAdd(v.AddRecipientSlot(x.Recipient().String(), "", nil))
	pqi := mustAdd(v.AddRecipientSlot(pq.Recipient().String(), "laptop (post-quantum)", nil))
	p2 := mustAdd(v.AddPassphraseSlot([]byte("second"), testWF, "backup passphrase"))
	tki := mustAdd(v.AddSlot(tokenSpec(tok, "token ABC")))

	want := []struct {
		id     string
		kind   SlotKind
		label  string
		params map[string]string
	}{
		{"1", SlotPassphrase, "passphrase", nil},
		{"2", SlotIdentity, x.Recipient().String(), map[string]string{ParamRecipient: x.Recipient().String()}},
		{"3", SlotIdentity, "laptop (post-quantum)", map[string]string{ParamRecipient: pq.Recipient().String()}},
		{"4", SlotPassphrase, "backup passphrase", nil},
		{"5", SlotPKCS11, "token ABC", map[string]string{"token": "token ABC", "key_id": "01"}},
	}
	got := v.Slots()
	if len(got) != len(want) {
		t.Fatalf("Slots = %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || g.Kind != w.kind || g.Label != w.label || len(g.Params) != len(w.params) || (len(w.params) > 0 && !reflect.DeepEqual(g.Params, w.params)) {
			t.Errorf("slot %d = %+v, want %+v", i, g, w)
		}
	}
	for i, info := range []SlotInfo{xi, pqi, p2, tki} {
		if !reflect.DeepEqual(info, got[i+1]) {
			t.Errorf("Add returned %+v, Slots has %+v", info, got[i+1])
		}
	}
	got[4].Params["token"] = "changed by the caller"
	if v.Slots()[4].Params["token"] != "token ABC" {
		t.Error("Slots shares its Params map with the caller")
	}
	v.Close() // releases the file lock
	if h, err := ReadHeader(path); err != nil || !reflect.DeepEqual(h.Slots, v.Slots()) {
		t.Fatalf("ReadHeader = %+v, %v; Vault has %+v", h, err, v.Slots())
	}
	raw, _ := os.ReadFile(path)
	for _, secret := range []string{x.String(), pq.String(), "second"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("secret %.20q... readable in the file", secret)
		}
	}

	// Every slot opens on its own.
	opens := []struct {
		name  string
		creds Credentials
	}{
		{"first passphrase", Credentials{Passphrase: passFn("pw")}},
		{"second passphrase", Credentials{Passphrase: passFn("second")}},
		{"x25519", Credentials{Identities: []age.Identity{x}}},
		{"post-quantum", Credentials{Identities: []age.Identity{pq}}},
		{"token", Credentials{SlotIdentity: tokenProvider("token ABC", tok)}},
	}
	for _, o := range opens {
		t.Run("unlock/"+o.name, func(t *testing.T) {
			v, err := Unlock(path, o.creds, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			if got, err := get(v, "keys", "k"); err != nil || got != "value" {
				t.Fatalf("Get = %q, %v", got, err)
			}
		})
	}

	// Removal.
	v = mustUnlock(t, path, "pw")
	if err := v.RemoveSlot(pqi.ID); err != nil {
		t.Fatal(err)
	}
	v.Close()
	if _, err := Unlock(path, Credentials{Identities: []age.Identity{pq}}, testOpts); !errors.Is(err, ErrNoSlotMatched) {
		t.Fatalf("removed slot still opens: %v", err)
	}
	v = mustUnlock(t, path, "pw")
	for _, id := range []string{"99", "abc", "", pqi.ID, "03"} {
		if err := v.RemoveSlot(id); !errors.Is(err, ErrSlotNotFound) {
			t.Errorf("RemoveSlot(%q) = %v, want ErrSlotNotFound", id, err)
		}
	}
	for _, id := range []string{"1", p2.ID, tki.ID} {
		if err := v.RemoveSlot(id); err != nil {
			t.Fatalf("RemoveSlot(%s): %v", id, err)
		}
	}
	before := fileHash(t, path)
	if err := v.RemoveSlot(xi.ID); !errors.Is(err, ErrLastSlot) {
		t.Fatalf("removing the last slot: %v, want ErrLastSlot", err)
	}
	if s := v.Slots(); len(s) != 1 || s[0].ID != xi.ID {
		t.Fatalf("Slots = %+v", s)
	}
	v.Close()
	if fileHash(t, path) != before {
		t.Error("refused RemoveSlot changed the file")
	}
	v, err = Unlock(path, Credentials{Identities: []age.Identity{x}}, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// Slot ids are never reused.
	if info, err := v.AddPassphraseSlot([]byte("again"), testWF, ""); err != nil || info.ID != "6" {
		t.Fatalf("new slot = %+v, %v; want id 6", info, err)
	}
}

func TestAddSlotErrors(t *testing.T) {
	x := newX25519(t)
	tok := newToken(t)
	spec := func(edit func(*SlotSpec)) SlotSpec {
		s := tokenSpec(tok, "t")
		edit(&s)
		return s
	}
	tests := []struct {
		name    string
		add     func(v *Vault) (SlotInfo, error)
		notIn   string // must not appear in the error
		wantErr error
	}{
		{name: "not a recipient", add: func(v *Vault) (SlotInfo, error) { return v.AddRecipientSlot("age1notarecipient", "", nil) }},
		{name: "secret key as recipient", add: func(v *Vault) (SlotInfo, error) { return v.AddRecipientSlot(x.String(), "", nil) }, notIn: x.String()},
		{name: "two recipients", add: func(v *Vault) (SlotInfo, error) {
			return v.AddRecipientSlot(x.Recipient().String()+"\n"+x.Recipient().String(), "", nil)
		}},
		{name: "ssh recipient", add: func(v *Vault) (SlotInfo, error) {
			return v.AddRecipientSlot("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG", "", nil)
		}},
		{name: "label with a newline", add: func(v *Vault) (SlotInfo, error) { return v.AddRecipientSlot(x.Recipient().String(), "a\nb", nil) }},
		{name: "empty passphrase", add: func(v *Vault) (SlotInfo, error) { return v.AddPassphraseSlot(nil, testWF, "") }},
		{name: "work factor", add: func(v *Vault) (SlotInfo, error) { return v.AddPassphraseSlot([]byte("p"), 23, "") }},
		{name: "built-in kind as spec", add: func(v *Vault) (SlotInfo, error) {
			return v.AddSlot(spec(func(s *SlotSpec) { s.Kind = SlotIdentity }))
		}},
		{name: "invalid kind", add: func(v *Vault) (SlotInfo, error) { return v.AddSlot(spec(func(s *SlotSpec) { s.Kind = "Bad Kind" })) }},
		{name: "no recipient", add: func(v *Vault) (SlotInfo, error) { return v.AddSlot(spec(func(s *SlotSpec) { s.Recipient = nil })) }},
		{name: "bad param name", add: func(v *Vault) (SlotInfo, error) {
			return v.AddSlot(spec(func(s *SlotSpec) { s.Params = map[string]string{"Key Id": "1"} }))
		}},
		{name: "control character in param", add: func(v *Vault) (SlotInfo, error) {
			return v.AddSlot(spec(func(s *SlotSpec) { s.Params = map[string]string{"k": "a\x1bb"} }))
		}},
		{name: "closed vault", add: func(v *Vault) (SlotInfo, error) {
			v.Close()
			return v.AddPassphraseSlot([]byte("p"), testWF, "")
		}, wantErr: ErrClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := initVault(t, "pw")
			v := mustUnlock(t, path, "pw")
			before := fileHash(t, path)
			_, err := tc.add(v)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.notIn != "" && strings.Contains(err.Error(), tc.notIn) {
				t.Errorf("error shows the secret: %v", err)
			}
			if fileHash(t, path) != before {
				t.Error("file changed")
			}
			if len(v.Slots()) != 1 {
				t.Errorf("Slots = %+v", v.Slots())
			}
		})
	}
}

// Unlock tries identity slots, then outside kinds, then the passphrase; a
// failing token falls back to the passphrase and is named if nothing opens.
func TestUnlockOrder(t *testing.T) {
	x, other := newX25519(t), newX25519(t)
	tok := newToken(t)
	path := tempVaultPath(t)
	if err := Init(path, InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: testWF, Recipients: []string{x.Recipient().String()},
		Slots: []SlotSpec{tokenSpec(tok, "T1")}, NoSync: true}); err != nil {
		t.Fatal(err)
	}
	absent := errors.New("token T1 is not present")
	tests := []struct {
		name       string
		ids        []age.Identity
		token      func(SlotInfo) (age.Identity, error)
		pass       string
		wantEvents string
		wantErr    error
		wantMsg    string
	}{
		{name: "identity first", ids: []age.Identity{x}, token: tokenProvider("T1", tok), pass: "pw", wantEvents: ""},
		{name: "token before passphrase", ids: []age.Identity{other}, token: tokenProvider("T1", tok), pass: "pw", wantEvents: "token"},
		{name: "absent token falls back", token: func(SlotInfo) (age.Identity, error) { return nil, absent }, pass: "pw", wantEvents: "token,passphrase"},
		{name: "skipped token", token: func(SlotInfo) (age.Identity, error) { return nil, nil }, pass: "pw", wantEvents: "token,passphrase"},
		{name: "wrong token falls back", token: tokenProvider("T1", newToken(t)), pass: "pw", wantEvents: "token,passphrase"},
		{name: "absent token, no passphrase", token: func(SlotInfo) (age.Identity, error) { return nil, absent },
			wantEvents: "token", wantErr: ErrNoSlotMatched, wantMsg: `key slot 3 (pkcs11 "T1"): token T1 is not present`},
		{name: "absent token, wrong passphrase", token: func(SlotInfo) (age.Identity, error) { return nil, absent }, pass: "bad",
			wantEvents: "token,passphrase", wantErr: ErrIncorrectPassphrase, wantMsg: "token T1 is not present"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var events []string
			creds := Credentials{Identities: tc.ids}
			if tc.token != nil {
				creds.SlotIdentity = func(s SlotInfo) (age.Identity, error) {
					events = append(events, "token")
					if s.Kind != SlotPKCS11 {
						t.Errorf("SlotIdentity asked for a %s slot", s.Kind)
					}
					return tc.token(s)
				}
			}
			if tc.pass != "" {
				creds.Passphrase = func() ([]byte, error) {
					events = append(events, "passphrase")
					return []byte(tc.pass), nil
				}
			}
			v, err := Unlock(path, creds, testOpts)
			if got := strings.Join(events, ","); got != tc.wantEvents {
				t.Errorf("events %q, want %q", got, tc.wantEvents)
			}
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				v.Close()
				return
			}
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want %v with %q", err, tc.wantErr, tc.wantMsg)
			}
			if !errors.Is(err, absent) {
				t.Errorf("the token's error is not kept for errors.Is: %v", err)
			}
		})
	}
}

func tempVaultPath(t testing.TB) string { return t.TempDir() + string(os.PathSeparator) + "vault.pkms" }
