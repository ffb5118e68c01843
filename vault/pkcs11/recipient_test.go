package pkcs11

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"strings"
	"testing"

	"filippo.io/age"
)

// softIdentity unwraps like Identity but with the private key in memory: it
// checks the stanza format and the crypto without a token.
type softIdentity struct {
	priv *ecdh.PrivateKey
}

func (s *softIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	pub := s.priv.PublicKey().Bytes()
	sts, err := matching(stanzas, keyTag(pub))
	if err != nil {
		return nil, err
	}
	err = age.ErrIncorrectIdentity
	for _, st := range sts {
		eph, perr := ecdh.P256().NewPublicKey(st.ephPoint)
		if perr != nil {
			return nil, perr
		}
		secret, derr := s.priv.ECDH(eph)
		if derr != nil {
			return nil, derr
		}
		fk, oerr := st.open(secret, pub)
		if oerr == nil {
			return fk, nil
		}
		err = oerr
	}
	return nil, err
}

func newSoft(t testing.TB) (*softIdentity, *Recipient) {
	t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return softFrom(t, priv)
}

// fixedSoft uses a fixed key, so that every fuzz worker sees the same one.
func fixedSoft(t testing.TB) (*softIdentity, *Recipient) {
	t.Helper()
	priv, err := ecdh.P256().NewPrivateKey(bytes.Repeat([]byte{0x42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return softFrom(t, priv)
}

func softFrom(t testing.TB, priv *ecdh.PrivateKey) (*softIdentity, *Recipient) {
	t.Helper()
	r, err := RecipientFromParams(Params{
		ParamPublicKey:  hex.EncodeToString(priv.PublicKey().Bytes()),
		ParamKeyID:      "0102030405060708",
		ParamTokenLabel: "pkms-test",
		ParamModule:     "/nonexistent/module.so",
		ParamKeyLabel:   "pkms vault slot 0102030405060708",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &softIdentity{priv: priv}, r
}

func encrypt(t testing.TB, secret []byte, rs ...age.Recipient) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rs...)
	if err != nil {
		t.Fatalf("age.Encrypt: %v", err)
	}
	if _, err := w.Write(secret); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decrypt(file []byte, ids ...age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(file), ids...)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestSoftRoundTrip(t *testing.T) {
	id, r := newSoft(t)
	secret := make([]byte, 32)
	rand.Read(secret)
	got, err := decrypt(encrypt(t, secret, r), id)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	if !bytes.Equal(got, secret) {
		t.Fatal("round trip changed the secret")
	}

	// Another key's identity does not match.
	other, _ := newSoft(t)
	_, err = decrypt(encrypt(t, secret, r), other)
	if !errors.Is(err, age.ErrIncorrectIdentity) {
		t.Fatalf("other key: got %v, want ErrIncorrectIdentity", err)
	}
}

func TestWrapFileKeySize(t *testing.T) {
	_, r := newSoft(t)
	for _, n := range []int{0, 15, 17, 32} {
		if _, err := r.Wrap(make([]byte, n)); err == nil {
			t.Errorf("Wrap accepted a %d-byte file key", n)
		}
	}
	ss, err := r.Wrap(make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].Type != StanzaType || len(ss[0].Args) != 2 ||
		len(ss[0].Args[0]) != 6 || len(ss[0].Args[1]) != 87 || len(ss[0].Body) != 32 {
		t.Fatalf("unexpected stanza shape: %+v", ss)
	}
}

// The recipient mixes like age's X25519: with classic recipients, not with
// post-quantum or passphrase ones.
func TestMixing(t *testing.T) {
	id, r := newSoft(t)
	x, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	hy, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := age.NewScryptRecipient("passphrase")
	if err != nil {
		t.Fatal(err)
	}
	sc.SetWorkFactor(10) // age wraps before comparing labels
	secret := []byte("0123456789abcdef0123456789abcdef")
	file := encrypt(t, secret, r, x.Recipient())
	for name, ident := range map[string]age.Identity{"token": id, "x25519": x} {
		if got, err := decrypt(file, ident); err != nil || !bytes.Equal(got, secret) {
			t.Errorf("mixed with X25519, decrypt with %s: %v", name, err)
		}
	}
	for name, other := range map[string]age.Recipient{"hybrid": hy.Recipient(), "scrypt": sc} {
		if _, err := age.Encrypt(io.Discard, r, other); err == nil {
			t.Errorf("age.Encrypt mixed the token recipient with %s", name)
		}
	}
}

func TestParamsRoundTrip(t *testing.T) {
	id, r := newSoft(t)
	p := r.Params()
	r2, err := RecipientFromParams(p)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(p, r2.Params()) {
		t.Fatalf("params changed: %v vs %v", p, r2.Params())
	}
	p[ParamKeyID] = "ff" // the returned map is the caller's
	if r.Params()[ParamKeyID] == "ff" {
		t.Fatal("Params returned shared state")
	}
	s1, _ := r.Wrap(make([]byte, 16))
	s2, _ := r2.Wrap(make([]byte, 16))
	if s1[0].Args[0] != s2[0].Args[0] {
		t.Fatal("round-tripped recipient has another key tag")
	}
	secret := []byte("the vault key, thirty-two bytes!")
	if got, err := decrypt(encrypt(t, secret, r2), id); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("decrypt after round trip: %v", err)
	}
}

func TestParamsInvalid(t *testing.T) {
	priv, _ := ecdh.P256().GenerateKey(rand.Reader)
	good := hex.EncodeToString(priv.PublicKey().Bytes())
	offCurve := "04" + strings.Repeat("11", 64)
	compressed := "02" + good[2:66]
	tests := []struct {
		name string
		p    Params
	}{
		{"empty", Params{}},
		{"no public key", Params{ParamKeyID: "01"}},
		{"bad hex", Params{ParamPublicKey: "zz"}},
		{"uppercase hex", Params{ParamPublicKey: strings.ToUpper(good)}},
		{"short point", Params{ParamPublicKey: good[:128]}},
		{"compressed point", Params{ParamPublicKey: compressed}},
		{"off curve", Params{ParamPublicKey: offCurve}},
		{"unknown key", Params{ParamPublicKey: good, "pin": "1234"}},
		{"empty key id", Params{ParamPublicKey: good, ParamKeyID: ""}},
		{"odd key id", Params{ParamPublicKey: good, ParamKeyID: "123"}},
		{"long key id", Params{ParamPublicKey: good, ParamKeyID: strings.Repeat("00", 65)}},
		{"long token label", Params{ParamPublicKey: good, ParamTokenLabel: strings.Repeat("x", 33)}},
		{"padded token label", Params{ParamPublicKey: good, ParamTokenLabel: "pkms "}},
		{"empty module", Params{ParamPublicKey: good, ParamModule: ""}},
		{"NUL in module", Params{ParamPublicKey: good, ParamModule: "/a\x00b"}},
		{"bad UTF-8 label", Params{ParamPublicKey: good, ParamKeyLabel: "\xff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := RecipientFromParams(tt.p); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if _, err := RecipientFromParams(Params{ParamPublicKey: good}); err != nil {
		t.Fatalf("minimal params refused: %v", err)
	}
}

// malformedStanzas returns stanzas of our type that must be refused, built
// from a valid stanza for r.
func malformedStanzas(t testing.TB, r *Recipient) map[string]*age.Stanza {
	t.Helper()
	ss, err := r.Wrap(make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	v := ss[0]
	tag, eph := v.Args[0], v.Args[1]
	offCurve := b64.EncodeToString(append([]byte{4}, bytes.Repeat([]byte{0x11}, 64)...))
	compressed := b64.EncodeToString(append([]byte{2}, bytes.Repeat([]byte{0x11}, 32)...))
	infinity := b64.EncodeToString(make([]byte, 65))
	mk := func(args []string, body []byte) *age.Stanza {
		return &age.Stanza{Type: StanzaType, Args: args, Body: body}
	}
	// A tag with non-canonical trailing bits decodes to the same bytes
	// under a lenient decoder.
	lastTag := tag[:5] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", tag[5])^1])
	return map[string]*age.Stanza{
		"no args":              mk(nil, v.Body),
		"one arg":              mk([]string{tag}, v.Body),
		"three args":           mk([]string{tag, eph, "x"}, v.Body),
		"empty tag":            mk([]string{"", eph}, v.Body),
		"short tag":            mk([]string{tag[:4], eph}, v.Body),
		"long tag":             mk([]string{tag + "AA", eph}, v.Body),
		"padded tag":           mk([]string{tag + "==", eph}, v.Body),
		"non-canonical tag":    mk([]string{lastTag, eph}, v.Body),
		"bad base64 tag":       mk([]string{"!!!!!!", eph}, v.Body),
		"newline in tag":       mk([]string{tag[:3] + "\n" + tag[3:5], eph}, v.Body),
		"short ephemeral":      mk([]string{tag, eph[:86]}, v.Body),
		"long ephemeral":       mk([]string{tag, eph + "A"}, v.Body),
		"compressed ephemeral": mk([]string{tag, compressed}, v.Body),
		"off-curve ephemeral":  mk([]string{tag, offCurve}, v.Body),
		"zero ephemeral":       mk([]string{tag, infinity}, v.Body),
		"bad base64 ephemeral": mk([]string{tag, strings.Repeat("*", 87)}, v.Body),
		"empty body":           mk([]string{tag, eph}, nil),
		"short body":           mk([]string{tag, eph}, v.Body[:31]),
		"long body":            mk([]string{tag, eph}, append(bytes.Clone(v.Body), 0)),
	}
}

func TestMalformedStanzas(t *testing.T) {
	id, r := newSoft(t)
	for name, s := range malformedStanzas(t, r) {
		t.Run(name, func(t *testing.T) {
			if _, err := parseStanza(s); !errors.Is(err, errMalformed) {
				t.Errorf("parseStanza: got %v, want errMalformed", err)
			}
			fk, err := id.Unwrap([]*age.Stanza{s})
			if err == nil || fk != nil {
				t.Errorf("Unwrap accepted it")
			}
		})
	}
	// A well-formed stanza whose body was tampered with does not match.
	ss, _ := r.Wrap(make([]byte, 16))
	ss[0].Body[0] ^= 1
	if _, err := id.Unwrap(ss); !errors.Is(err, age.ErrIncorrectIdentity) {
		t.Errorf("tampered body: got %v, want ErrIncorrectIdentity", err)
	}
	// Other stanza types, and nil entries, are skipped.
	if _, err := id.Unwrap([]*age.Stanza{nil, {Type: "X25519", Args: []string{"x"}}}); !errors.Is(err, age.ErrIncorrectIdentity) {
		t.Errorf("foreign stanzas: got %v, want ErrIncorrectIdentity", err)
	}
}

func FuzzParseStanza(f *testing.F) {
	id, r := fixedSoft(f)
	ss, err := r.Wrap(make([]byte, 16))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ss[0].Args[0]+" "+ss[0].Args[1], ss[0].Body)
	for _, s := range malformedStanzas(f, r) {
		f.Add(strings.Join(s.Args, " "), s.Body)
	}
	f.Add("", []byte{})
	f.Fuzz(func(t *testing.T, args string, body []byte) {
		s := &age.Stanza{Type: StanzaType, Args: strings.Split(args, " "), Body: body}
		st, err := parseStanza(s)
		if err == nil {
			if len(st.ephPoint) != pointSize || len(st.body) != bodySize {
				t.Fatalf("accepted wrong sizes: %d, %d", len(st.ephPoint), len(st.body))
			}
			// Accepted encodings are canonical.
			if b64.EncodeToString(st.tag[:]) != s.Args[0] || b64.EncodeToString(st.ephPoint) != s.Args[1] {
				t.Fatal("accepted a non-canonical encoding")
			}
		} else if !errors.Is(err, errMalformed) {
			t.Fatalf("error does not wrap errMalformed: %v", err)
		}
		fk, err := id.Unwrap([]*age.Stanza{s})
		if (err == nil) != (fk != nil) || (fk != nil && len(fk) != fileKeySize) {
			t.Fatalf("Unwrap returned %x, %v", fk, err)
		}
	})
}
