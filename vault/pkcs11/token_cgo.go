//go:build cgo

package pkcs11

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	p11 "github.com/miekg/pkcs11"
)

// A PKCS#11 module is process-wide state: dlopen returns the same library
// for the same file, C_Initialize may be called once until C_Finalize, and a
// C_Finalize ends every session of the process. So each module file is
// loaded and initialised once, shared by reference count between the
// Identities (and GenerateKey calls) using it, and finalised and unloaded
// when the last one is released.
type module struct {
	path  string // as configured, for errors
	key   string // resolved path, registry key
	ctx   *p11.Ctx
	refs  int
	owned bool // we initialised it, so we finalise it
}

var modules struct {
	sync.Mutex
	m map[string]*module
}

// acquireModule loads and initialises the module at path, or takes another
// reference on it.
func acquireModule(path string) (*module, error) {
	if path == "" {
		return nil, fmt.Errorf("pkcs11: %w: no module path configured", ErrModuleUnavailable)
	}
	key, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: %w: %v", ErrModuleUnavailable, err)
	}
	if key, err = filepath.Abs(key); err != nil {
		return nil, fmt.Errorf("pkcs11: %w: %v", ErrModuleUnavailable, err)
	}
	modules.Lock()
	defer modules.Unlock()
	if m := modules.m[key]; m != nil {
		m.refs++
		return m, nil
	}
	ctx := p11.New(key)
	if ctx == nil {
		return nil, fmt.Errorf("pkcs11: %w: cannot load %s", ErrModuleUnavailable, path)
	}
	m := &module{path: path, key: key, ctx: ctx, refs: 1, owned: true}
	if err := ctx.Initialize(); err != nil {
		if !isRV(err, p11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
			ctx.Destroy()
			return nil, fmt.Errorf("pkcs11: %w: C_Initialize of %s: %w", ErrModuleUnavailable, path, err)
		}
		m.owned = false // someone else in this process initialised it
	}
	if modules.m == nil {
		modules.m = make(map[string]*module)
	}
	modules.m[key] = m
	return m, nil
}

// release drops a reference; the last one finalises and unloads the module.
func (m *module) release() {
	modules.Lock()
	defer modules.Unlock()
	m.refs--
	if m.refs > 0 {
		return
	}
	delete(modules.m, m.key)
	if m.owned {
		_ = m.ctx.Finalize()
	}
	m.ctx.Destroy()
}

func isRV(err error, rv uint) bool {
	var e p11.Error
	return errors.As(err, &e) && uint(e) == rv
}

// trimLabel trims the blank (or, from sloppy modules, NUL) padding of a
// CK_TOKEN_INFO label.
func trimLabel(s string) string { return strings.TrimRight(s, " \x00") }

// findToken returns the slot of the one present token labelled label.
func (m *module) findToken(label string) (uint, p11.TokenInfo, error) {
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return 0, p11.TokenInfo{}, fmt.Errorf("pkcs11: module %s: C_GetSlotList: %w", m.path, err)
	}
	var found []uint
	var info p11.TokenInfo
	for _, s := range slots {
		ti, err := m.ctx.GetTokenInfo(s)
		if err != nil {
			continue // removed meanwhile, or not usable
		}
		if trimLabel(ti.Label) == label {
			found = append(found, s)
			info = ti
		}
	}
	switch len(found) {
	case 0:
		return 0, info, fmt.Errorf("pkcs11: %w: no token labelled %q in module %s", ErrTokenNotFound, label, m.path)
	case 1:
		return found[0], info, nil
	default:
		return 0, info, fmt.Errorf("pkcs11: %d tokens are labelled %q in module %s; relabel one", len(found), label, m.path)
	}
}

// where describes a token for error messages.
func where(m *module, label string) string {
	return fmt.Sprintf("token %q (module %s)", label, m.path)
}

// loggedIn reports whether the application is logged in as the user on the
// session's token (the login state is shared by all sessions of a token).
func (m *module) loggedIn(sh p11.SessionHandle) bool {
	si, err := m.ctx.GetSessionInfo(sh)
	if err != nil {
		return false
	}
	return si.State == p11.CKS_RO_USER_FUNCTIONS || si.State == p11.CKS_RW_USER_FUNCTIONS
}

// login logs the user in with a PIN from cfg.PIN, zeroing it afterwards.
func (m *module) login(sh p11.SessionHandle, label string, getPIN func() ([]byte, error)) error {
	if getPIN == nil {
		return fmt.Errorf("pkcs11: %s needs a PIN but no PIN source was configured", where(m, label))
	}
	pin, err := getPIN()
	if err != nil {
		return fmt.Errorf("pkcs11: reading the PIN for %s: %w", where(m, label), err)
	}
	defer clear(pin)
	// Pass the PIN without making an immutable Go copy that could not be
	// zeroed: the string aliases pin and is dead once Login returns (the
	// module binding copies it into a C buffer for the call).
	var s string
	if len(pin) > 0 {
		s = unsafe.String(&pin[0], len(pin))
	}
	err = m.ctx.Login(sh, p11.CKU_USER, s)
	switch {
	case err == nil, isRV(err, p11.CKR_USER_ALREADY_LOGGED_IN):
		return nil
	case isRV(err, p11.CKR_PIN_INCORRECT), isRV(err, p11.CKR_PIN_LEN_RANGE):
		return fmt.Errorf("pkcs11: %w for %s: %w", ErrIncorrectPIN, where(m, label), err)
	case isRV(err, p11.CKR_PIN_LOCKED):
		return fmt.Errorf("pkcs11: %w: %s: %w", ErrPINLocked, where(m, label), err)
	default:
		return fmt.Errorf("pkcs11: C_Login on %s: %w", where(m, label), tokenErr(err))
	}
}

// tokenErr marks errors that mean the token went away as ErrTokenNotFound.
func tokenErr(err error) error {
	if isRV(err, p11.CKR_DEVICE_REMOVED) || isRV(err, p11.CKR_TOKEN_NOT_PRESENT) {
		return fmt.Errorf("%w: %w", ErrTokenNotFound, err)
	}
	return err
}

// staleSession reports errors after which the session must be reopened.
func staleSession(err error) bool {
	for _, rv := range []uint{p11.CKR_SESSION_HANDLE_INVALID, p11.CKR_SESSION_CLOSED,
		p11.CKR_DEVICE_REMOVED, p11.CKR_TOKEN_NOT_PRESENT, p11.CKR_TOKEN_NOT_RECOGNIZED} {
		if isRV(err, rv) {
			return true
		}
	}
	return false
}

// ecParamsP256 is CKA_EC_PARAMS for P-256: the DER OID 1.2.840.10045.3.1.7.
var ecParamsP256 = []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}

// parseECPoint decodes CKA_EC_POINT: a DER OCTET STRING holding the
// uncompressed point (PKCS#11), or the bare point (some modules).
func parseECPoint(b []byte) ([]byte, error) {
	if len(b) == pointSize+2 && b[0] == 0x04 && b[1] == pointSize {
		b = b[2:]
	}
	if _, err := parsePoint(b); err != nil {
		return nil, fmt.Errorf("CKA_EC_POINT: %v", err)
	}
	return b, nil
}

// GenerateKey creates, in the token cfg.TokenLabel, a P-256 key pair whose
// private key is sensitive, non-extractable, CKA_DERIVE=true and
// CKA_TOKEN=true, with a fresh random 8-byte CKA_ID and the label
// "pkms vault slot <id hex>", and returns a Recipient for it. It logs in
// (asking cfg.PIN) if the token requires it. It reads the attributes back
// and refuses (deleting the pair) a token that did not honour
// non-extractability.
func GenerateKey(cfg Config) (*Recipient, error) {
	if err := checkLabel(cfg.TokenLabel, maxTokenLen); err != nil {
		return nil, fmt.Errorf("pkcs11: invalid token label: %v", err)
	}
	m, err := acquireModule(cfg.Module)
	if err != nil {
		return nil, err
	}
	defer m.release()
	slot, info, err := m.findToken(cfg.TokenLabel)
	if err != nil {
		return nil, err
	}
	at := where(m, cfg.TokenLabel)
	sh, err := m.ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: opening a session on %s: %w", at, tokenErr(err))
	}
	defer m.ctx.CloseSession(sh)

	loggedIn := m.loggedIn(sh)
	if !loggedIn && info.Flags&p11.CKF_LOGIN_REQUIRED != 0 {
		if err := m.login(sh, cfg.TokenLabel, cfg.PIN); err != nil {
			return nil, err
		}
		loggedIn = true
	}

	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("pkcs11: %w", err)
	}
	idHex := hex.EncodeToString(id)
	label := "pkms vault slot " + idHex
	pubTmpl := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PUBLIC_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, false),
		p11.NewAttribute(p11.CKA_EC_PARAMS, ecParamsP256),
		p11.NewAttribute(p11.CKA_ID, id),
		p11.NewAttribute(p11.CKA_LABEL, label),
	}
	privTmpl := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
		p11.NewAttribute(p11.CKA_DERIVE, true),
		p11.NewAttribute(p11.CKA_SIGN, false),
		p11.NewAttribute(p11.CKA_ID, id),
		p11.NewAttribute(p11.CKA_LABEL, label),
	}
	mech := []*p11.Mechanism{p11.NewMechanism(p11.CKM_EC_KEY_PAIR_GEN, nil)}
	pub, priv, err := m.ctx.GenerateKeyPair(sh, mech, pubTmpl, privTmpl)
	if isRV(err, p11.CKR_USER_NOT_LOGGED_IN) && !loggedIn {
		if err := m.login(sh, cfg.TokenLabel, cfg.PIN); err != nil {
			return nil, err
		}
		pub, priv, err = m.ctx.GenerateKeyPair(sh, mech, pubTmpl, privTmpl)
	}
	if err != nil {
		return nil, fmt.Errorf("pkcs11: generating a P-256 key pair on %s: %w", at, tokenErr(err))
	}
	r, err := checkGenerated(m, sh, pub, priv)
	if err != nil {
		_ = m.ctx.DestroyObject(sh, priv)
		_ = m.ctx.DestroyObject(sh, pub)
		return nil, fmt.Errorf("pkcs11: key generated on %s (deleted again): %w", at, err)
	}
	kp, err := parseParams(Params{
		ParamModule:     cfg.Module,
		ParamTokenLabel: cfg.TokenLabel,
		ParamKeyID:      idHex,
		ParamKeyLabel:   label,
		ParamPublicKey:  hex.EncodeToString(r),
	})
	if err != nil {
		_ = m.ctx.DestroyObject(sh, priv)
		_ = m.ctx.DestroyObject(sh, pub)
		return nil, err
	}
	return &Recipient{kp: kp}, nil
}

// checkGenerated reads the public point and checks that the private key
// came out as asked.
func checkGenerated(m *module, sh p11.SessionHandle, pub, priv p11.ObjectHandle) ([]byte, error) {
	attrs, err := m.ctx.GetAttributeValue(sh, pub, []*p11.Attribute{p11.NewAttribute(p11.CKA_EC_POINT, nil)})
	if err != nil {
		return nil, fmt.Errorf("reading CKA_EC_POINT: %w", err)
	}
	point, err := parseECPoint(attrs[0].Value)
	if err != nil {
		return nil, err
	}
	want := []struct {
		typ  uint
		name string
		val  bool
	}{
		{p11.CKA_SENSITIVE, "CKA_SENSITIVE", true},
		{p11.CKA_EXTRACTABLE, "CKA_EXTRACTABLE", false},
		{p11.CKA_DERIVE, "CKA_DERIVE", true},
		{p11.CKA_TOKEN, "CKA_TOKEN", true},
	}
	tmpl := make([]*p11.Attribute, len(want))
	for i, w := range want {
		tmpl[i] = p11.NewAttribute(w.typ, nil)
	}
	attrs, err = m.ctx.GetAttributeValue(sh, priv, tmpl)
	if err != nil {
		return nil, fmt.Errorf("reading the private key's attributes: %w", err)
	}
	for i, w := range want {
		v := attrs[i].Value
		if len(v) != 1 || (v[0] != 0) != w.val {
			return nil, fmt.Errorf("the token did not set %s=%v on the private key", w.name, w.val)
		}
	}
	return point, nil
}
