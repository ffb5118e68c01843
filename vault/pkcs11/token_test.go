//go:build cgo

package pkcs11

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"filippo.io/age"
	p11 "github.com/miekg/pkcs11"
)

const (
	testLabel = "pkms-test"
	testPIN   = "1234"
	testSOPIN = "5678"
)

// softhsmModule finds SoftHSM2's module, or skips the test.
func softhsmModule(t *testing.T) string {
	t.Helper()
	m := os.Getenv("PKMS_SOFTHSM2_MODULE")
	if m == "" {
		m = SoftHSMModule()
	}
	if m == "" {
		t.Skip("SoftHSM2's PKCS#11 module not found (install softhsm2, or set PKMS_SOFTHSM2_MODULE to libsofthsm2.so)")
	}
	if _, err := exec.LookPath("softhsm2-util"); err != nil {
		t.Skip("SoftHSM2 module found but softhsm2-util is not in PATH; install softhsm2 (apt-get install softhsm2)")
	}
	return m
}

// pinFrom returns a PIN callback giving pin and counting its calls; the
// returned slices are kept so a test can check they were zeroed.
type pinSource struct {
	pin   string
	calls atomic.Int32
	mu    sync.Mutex
	given [][]byte
}

func (p *pinSource) get() ([]byte, error) {
	p.calls.Add(1)
	b := []byte(p.pin)
	p.mu.Lock()
	p.given = append(p.given, b)
	p.mu.Unlock()
	return b, nil
}

func (p *pinSource) allZeroed(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.given {
		if !bytes.Equal(b, make([]byte, len(b))) {
			t.Error("a PIN buffer was not zeroed after login")
		}
	}
}

// newToken creates a fresh SoftHSM2 token labelled pkms-test (user PIN 1234)
// in a temporary directory of its own, and returns a Config for it.
func newToken(t *testing.T) (Config, *pinSource) {
	t.Helper()
	module := softhsmModule(t)
	modules.Lock()
	leaked := len(modules.m)
	modules.Unlock()
	if leaked != 0 {
		t.Fatalf("%d PKCS#11 module(s) still loaded by an earlier test (an Identity was not closed)", leaked)
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", testLabel,
		"--pin", testPIN, "--so-pin", testSOPIN).CombinedOutput()
	if err != nil {
		t.Fatalf("softhsm2-util --init-token: %v\n%s", err, out)
	}
	ps := &pinSource{pin: testPIN}
	return Config{Module: module, TokenLabel: testLabel, PIN: ps.get}, ps
}

func newIdentity(t *testing.T, p Params, cfg Config) *Identity {
	t.Helper()
	id, err := NewIdentity(p, cfg)
	if err != nil {
		t.Fatalf("NewIdentity: %v", err)
	}
	t.Cleanup(func() {
		if err := id.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return id
}

func generate(t *testing.T, cfg Config) *Recipient {
	t.Helper()
	r, err := GenerateKey(cfg)
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	return r
}

func randomSecret(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTokenRoundTrip(t *testing.T) {
	cfg, ps := newToken(t)
	r := generate(t, cfg)
	genCalls := ps.calls.Load()
	if genCalls != 1 {
		t.Errorf("GenerateKey asked the PIN %d times, want 1", genCalls)
	}
	p := r.Params()
	if p[ParamModule] != cfg.Module || p[ParamTokenLabel] != testLabel ||
		len(p[ParamKeyID]) != 16 || p[ParamKeyLabel] != "pkms vault slot "+p[ParamKeyID] || len(p[ParamPublicKey]) != 130 {
		t.Errorf("unexpected params %v", p)
	}

	secret := randomSecret(t)
	file := encrypt(t, secret, r)
	if ps.calls.Load() != genCalls {
		t.Error("wrapping asked for the PIN")
	}

	id := newIdentity(t, p, Config{PIN: ps.get})
	if ps.calls.Load() != genCalls {
		t.Error("NewIdentity asked for the PIN")
	}
	for round := range 2 {
		got, err := decrypt(file, id)
		if err != nil {
			t.Fatalf("round %d: decrypt: %v", round, err)
		}
		if !bytes.Equal(got, secret) {
			t.Fatalf("round %d: wrong secret", round)
		}
	}
	if n := ps.calls.Load() - genCalls; n != 1 {
		t.Errorf("two decryptions asked the PIN %d times, want 1 (the login is kept)", n)
	}
	ps.allZeroed(t)

	// Close is idempotent, and a closed Identity refuses to work.
	if err := id.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := decrypt(file, id); err == nil {
		t.Error("a closed Identity decrypted")
	}
}

func TestTokenWrongPIN(t *testing.T) {
	cfg, ps := newToken(t)
	r := generate(t, cfg)
	file := encrypt(t, randomSecret(t), r)

	const wrong = "97531"
	bad := &pinSource{pin: wrong}
	id := newIdentity(t, r.Params(), Config{PIN: bad.get})
	_, err := decrypt(file, id)
	if !errors.Is(err, ErrIncorrectPIN) {
		t.Fatalf("got %v, want ErrIncorrectPIN", err)
	}
	if !isRV(err, p11.CKR_PIN_INCORRECT) {
		t.Errorf("error does not wrap CKR_PIN_INCORRECT: %v", err)
	}
	if Unavailable(err) {
		t.Error("a wrong PIN counts as Unavailable")
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("error contains the PIN: %v", err)
	}
	if !strings.Contains(err.Error(), testLabel) {
		t.Errorf("error does not name the token: %v", err)
	}
	bad.allZeroed(t)

	// The same Identity works once given the right PIN.
	bad.pin = ps.pin
	if _, err := decrypt(file, id); err != nil {
		t.Fatalf("retry with the right PIN: %v", err)
	}
}

func TestTokenPINSourceError(t *testing.T) {
	cfg, _ := newToken(t)
	r := generate(t, cfg)
	file := encrypt(t, randomSecret(t), r)
	errNoTTY := errors.New("no terminal")
	id := newIdentity(t, r.Params(), Config{PIN: func() ([]byte, error) { return nil, errNoTTY }})
	if _, err := decrypt(file, id); !errors.Is(err, errNoTTY) {
		t.Fatalf("got %v, want the PIN source's error", err)
	}
	id2 := newIdentity(t, r.Params(), Config{})
	if _, err := decrypt(file, id2); err == nil || !strings.Contains(err.Error(), "no PIN source") {
		t.Fatalf("nil PIN source: got %v", err)
	}
}

func TestTokenNotFound(t *testing.T) {
	cfg, ps := newToken(t)
	r := generate(t, cfg)
	file := encrypt(t, randomSecret(t), r)
	calls := ps.calls.Load()

	id := newIdentity(t, r.Params(), Config{TokenLabel: "absent token", PIN: ps.get})
	_, err := decrypt(file, id)
	if !errors.Is(err, ErrTokenNotFound) || !Unavailable(err) {
		t.Fatalf("got %v, want ErrTokenNotFound", err)
	}
	if !strings.Contains(err.Error(), "absent token") || !strings.Contains(err.Error(), cfg.Module) {
		t.Errorf("error lacks the label or module: %v", err)
	}
	if ps.calls.Load() != calls {
		t.Error("the PIN was asked for an absent token")
	}

	absent := cfg
	absent.TokenLabel = "absent token"
	if _, err := GenerateKey(absent); !errors.Is(err, ErrTokenNotFound) {
		t.Fatalf("GenerateKey: got %v, want ErrTokenNotFound", err)
	}
}

func TestTokenModuleUnavailable(t *testing.T) {
	cfg, _ := newToken(t)
	r := generate(t, cfg)
	file := encrypt(t, randomSecret(t), r)
	missing := filepath.Join(t.TempDir(), "libmissing.so")
	notALib := filepath.Join(t.TempDir(), "notalib.so")
	if err := os.WriteFile(notALib, []byte("not a shared object"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{missing, notALib} {
		id := newIdentity(t, r.Params(), Config{Module: m, PIN: cfg.PIN})
		if _, err := decrypt(file, id); !errors.Is(err, ErrModuleUnavailable) || !Unavailable(err) {
			t.Errorf("module %s: got %v, want ErrModuleUnavailable", m, err)
		}
		bad := cfg
		bad.Module = m
		if _, err := GenerateKey(bad); !errors.Is(err, ErrModuleUnavailable) {
			t.Errorf("GenerateKey with module %s: got %v", m, err)
		}
	}
}

func TestTokenOtherKey(t *testing.T) {
	cfg, ps := newToken(t)
	a := generate(t, cfg)
	b := generate(t, cfg)
	file := encrypt(t, randomSecret(t), a)
	calls := ps.calls.Load()

	id := newIdentity(t, b.Params(), Config{PIN: ps.get})
	_, err := decrypt(file, id)
	var noMatch *age.NoIdentityMatchError
	if !errors.As(err, &noMatch) || !errors.Is(err, age.ErrIncorrectIdentity) {
		t.Fatalf("got %v, want age.NoIdentityMatchError", err)
	}
	if ps.calls.Load() != calls {
		t.Error("the token was used for a stanza of another key")
	}
	// Direct Unwrap says ErrIncorrectIdentity too.
	ss, _ := a.Wrap(make([]byte, 16))
	if _, err := id.Unwrap(ss); !errors.Is(err, age.ErrIncorrectIdentity) {
		t.Fatalf("Unwrap: got %v", err)
	}
}

func TestTokenKeyNotFound(t *testing.T) {
	cfg, ps := newToken(t)
	r := generate(t, cfg)
	file := encrypt(t, randomSecret(t), r)
	p := r.Params()
	p[ParamKeyID] = "00000000000000ff"
	id := newIdentity(t, p, Config{PIN: ps.get})
	_, err := decrypt(file, id)
	if !errors.Is(err, ErrKeyNotFound) || Unavailable(err) {
		t.Fatalf("got %v, want ErrKeyNotFound", err)
	}
	if !strings.Contains(err.Error(), "00000000000000ff") {
		t.Errorf("error does not name the key id: %v", err)
	}
}

// A key under the right id that is not the slot's key (the token was
// reinitialised, say) does not open the stanza.
func TestTokenKeyMismatch(t *testing.T) {
	cfg, ps := newToken(t)
	a := generate(t, cfg)
	b := generate(t, cfg)
	file := encrypt(t, randomSecret(t), a)
	p := a.Params()
	p[ParamKeyID] = b.Params()[ParamKeyID]
	id := newIdentity(t, p, Config{PIN: ps.get})
	if _, err := decrypt(file, id); !errors.Is(err, age.ErrIncorrectIdentity) {
		t.Fatalf("got %v, want ErrIncorrectIdentity", err)
	}
}

func TestTokenParamsRoundTrip(t *testing.T) {
	cfg, ps := newToken(t)
	r := generate(t, cfg)
	r2, err := RecipientFromParams(r.Params())
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := r.Wrap(make([]byte, 16))
	s2, _ := r2.Wrap(make([]byte, 16))
	if s1[0].Args[0] != s2[0].Args[0] {
		t.Fatal("key tags differ")
	}
	secret := randomSecret(t)
	id := newIdentity(t, r2.Params(), Config{PIN: ps.get})
	got, err := decrypt(encrypt(t, secret, r2), id)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("decrypt: %v", err)
	}
}

// The private key really is sensitive and non-extractable on the token.
func TestTokenPrivateKeyAttributes(t *testing.T) {
	cfg, _ := newToken(t)
	r := generate(t, cfg)
	id, err := hex.DecodeString(r.Params()[ParamKeyID])
	if err != nil {
		t.Fatal(err)
	}

	m, err := acquireModule(cfg.Module)
	if err != nil {
		t.Fatal(err)
	}
	defer m.release()
	slot, _, err := m.findToken(testLabel)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := m.ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION)
	if err != nil {
		t.Fatal(err)
	}
	defer m.ctx.CloseSession(sh)
	if err := m.ctx.Login(sh, p11.CKU_USER, testPIN); err != nil {
		t.Fatal(err)
	}
	defer m.ctx.Logout(sh)

	find := func(class uint) []p11.ObjectHandle {
		if err := m.ctx.FindObjectsInit(sh, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_CLASS, class), p11.NewAttribute(p11.CKA_ID, id),
		}); err != nil {
			t.Fatal(err)
		}
		objs, _, err := m.ctx.FindObjects(sh, 10)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.ctx.FindObjectsFinal(sh); err != nil {
			t.Fatal(err)
		}
		return objs
	}
	privs := find(p11.CKO_PRIVATE_KEY)
	if len(privs) != 1 {
		t.Fatalf("found %d private keys with the id", len(privs))
	}
	if n := len(find(p11.CKO_SECRET_KEY)); n != 0 {
		t.Errorf("%d secret keys left with the id", n)
	}

	want := []struct {
		name string
		typ  uint
		val  bool
	}{
		{"CKA_EXTRACTABLE", p11.CKA_EXTRACTABLE, false},
		{"CKA_SENSITIVE", p11.CKA_SENSITIVE, true},
		{"CKA_NEVER_EXTRACTABLE", p11.CKA_NEVER_EXTRACTABLE, true},
		{"CKA_ALWAYS_SENSITIVE", p11.CKA_ALWAYS_SENSITIVE, true},
		{"CKA_DERIVE", p11.CKA_DERIVE, true},
		{"CKA_TOKEN", p11.CKA_TOKEN, true},
		{"CKA_PRIVATE", p11.CKA_PRIVATE, true},
		{"CKA_SIGN", p11.CKA_SIGN, false},
	}
	for _, w := range want {
		attrs, err := m.ctx.GetAttributeValue(sh, privs[0], []*p11.Attribute{p11.NewAttribute(w.typ, nil)})
		if err != nil {
			t.Errorf("%s: %v", w.name, err)
			continue
		}
		if v := attrs[0].Value; len(v) != 1 || (v[0] != 0) != w.val {
			t.Errorf("%s = %x, want %v", w.name, v, w.val)
		}
	}
	attrs, err := m.ctx.GetAttributeValue(sh, privs[0], []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil)})
	if err == nil && len(attrs) == 1 && len(attrs[0].Value) > 0 {
		t.Fatal("the private key's value could be read")
	}
	if err != nil && !isRV(err, p11.CKR_ATTRIBUTE_SENSITIVE) {
		t.Errorf("reading CKA_VALUE: got %v, want CKR_ATTRIBUTE_SENSITIVE", err)
	}
}

func TestTokenMalformedStanzas(t *testing.T) {
	cfg, ps := newToken(t)
	r := generate(t, cfg)
	calls := ps.calls.Load()
	id := newIdentity(t, r.Params(), Config{PIN: ps.get})
	tests := malformedStanzas(t, r)
	// Structurally valid but tampered, and a valid stanza with a different
	// but well-formed ephemeral key: both reach the token and do not open.
	ss, _ := r.Wrap(make([]byte, 16))
	ss[0].Body[5] ^= 0x80
	other, _ := r.Wrap(make([]byte, 16))
	swapped := &age.Stanza{Type: StanzaType, Args: []string{ss[0].Args[0], other[0].Args[1]}, Body: ss[0].Body}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			fk, err := id.Unwrap([]*age.Stanza{s})
			if err == nil || fk != nil {
				t.Fatal("accepted")
			}
			if errors.Is(err, age.ErrIncorrectIdentity) {
				t.Errorf("malformed stanza reported as another key's: %v", err)
			}
		})
	}
	if ps.calls.Load() != calls {
		t.Error("malformed stanzas reached the token")
	}
	for name, s := range map[string]*age.Stanza{"tampered": ss[0], "swapped ephemeral": swapped} {
		if _, err := id.Unwrap([]*age.Stanza{s}); !errors.Is(err, age.ErrIncorrectIdentity) {
			t.Errorf("%s: got %v, want ErrIncorrectIdentity", name, err)
		}
	}
}

// Identities sharing a module work concurrently, and closing one does not
// finalise the module under the other.
func TestTokenConcurrentIdentities(t *testing.T) {
	cfg, ps := newToken(t)
	a := generate(t, cfg)
	b := generate(t, cfg)
	sa, sb := randomSecret(t), randomSecret(t)
	fa, fb := encrypt(t, sa, a), encrypt(t, sb, b)
	ida, err := NewIdentity(a.Params(), Config{PIN: ps.get})
	if err != nil {
		t.Fatal(err)
	}
	idb := newIdentity(t, b.Params(), Config{PIN: ps.get})

	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Go(func() {
			file, id, want := fa, ida, sa
			if i%2 == 1 {
				file, id, want = fb, idb, sb
			}
			got, err := decrypt(file, id)
			if err == nil && !bytes.Equal(got, want) {
				err = errors.New("wrong secret")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := ida.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := decrypt(fb, idb); err != nil || !bytes.Equal(got, sb) {
		t.Fatalf("after closing the other Identity: %v", err)
	}
}
