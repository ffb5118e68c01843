//go:build cgo

package pkcs11

import (
	"errors"
	"fmt"
	"sync"

	"filippo.io/age"
	p11 "github.com/miekg/pkcs11"
)

// Identity unwraps "pkms-p11-p256" stanzas with the token's private key. It
// touches the token only when a stanza carries its key tag: the module is
// loaded, the token found and the PIN asked on first use, and the session
// (and login) is kept until Close. Its methods are safe for concurrent use
// (they are serialised).
type Identity struct {
	kp      *keyParams
	moduleP string
	token   string
	pin     func() ([]byte, error)
	mu      sync.Mutex
	mod     *module // nil until first use
	sess    p11.SessionHandle
	hasSess bool
	closed  bool
}

var _ age.Identity = (*Identity)(nil)

// NewIdentity returns the Identity of a slot from its Params. A non-empty
// cfg.Module or cfg.TokenLabel overrides the one in p (the module may live
// elsewhere on another machine). It does not touch the token.
func NewIdentity(p Params, cfg Config) (*Identity, error) {
	kp, err := parseParams(p)
	if err != nil {
		return nil, err
	}
	id := &Identity{kp: kp, moduleP: kp.module, token: kp.token, pin: cfg.PIN}
	if cfg.Module != "" {
		id.moduleP = cfg.Module
	}
	if cfg.TokenLabel != "" {
		if err := checkLabel(cfg.TokenLabel, maxTokenLen); err != nil {
			return nil, fmt.Errorf("pkcs11: invalid token label: %v", err)
		}
		id.token = cfg.TokenLabel
	}
	switch {
	case kp.id == nil:
		return nil, fmt.Errorf("pkcs11: missing %s parameter", ParamKeyID)
	case id.moduleP == "":
		return nil, fmt.Errorf("pkcs11: no module: missing %s parameter and Config.Module", ParamModule)
	case id.token == "":
		return nil, fmt.Errorf("pkcs11: no token label: missing %s parameter and Config.TokenLabel", ParamTokenLabel)
	}
	return id, nil
}

// Unwrap implements age.Identity. Stanzas of other types or for other keys
// give age.ErrIncorrectIdentity without touching the token. For a stanza of
// this key it derives the shared secret on the token; errors then wrap
// ErrModuleUnavailable, ErrTokenNotFound, ErrKeyNotFound, ErrIncorrectPIN
// or ErrPINLocked. A malformed stanza of this type is an error.
func (i *Identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	sts, err := matching(stanzas, i.kp.tag)
	if err != nil {
		return nil, err
	}
	if len(sts) == 0 {
		return nil, age.ErrIncorrectIdentity
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed {
		return nil, errors.New("pkcs11: Unwrap on a closed Identity")
	}
	err = age.ErrIncorrectIdentity
	for _, st := range sts {
		secret, derr := i.derive(st.ephPoint)
		if derr != nil {
			return nil, derr
		}
		fileKey, oerr := st.open(secret, i.kp.pub.Bytes())
		clear(secret)
		if oerr == nil {
			return fileKey, nil
		}
		err = oerr
	}
	return nil, err
}

// Close ends the session and releases the module (finalising it if no other
// Identity uses it). It is idempotent.
func (i *Identity) Close() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed {
		return nil
	}
	i.closed = true
	var err error
	if i.hasSess {
		if cerr := i.mod.ctx.CloseSession(i.sess); cerr != nil && !staleSession(cerr) {
			err = fmt.Errorf("pkcs11: closing the session on %s: %w", where(i.mod, i.token), cerr)
		}
		i.hasSess = false
	}
	if i.mod != nil {
		i.mod.release()
		i.mod = nil
	}
	return err
}

// session returns the open session, opening one if needed.
func (i *Identity) session() (p11.SessionHandle, error) {
	if i.mod == nil {
		m, err := acquireModule(i.moduleP)
		if err != nil {
			return 0, err
		}
		i.mod = m
	}
	if i.hasSess {
		return i.sess, nil
	}
	slot, _, err := i.mod.findToken(i.token)
	if err != nil {
		return 0, err
	}
	// A read-only session may create session objects, which is all that
	// deriving needs.
	sh, err := i.mod.ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION)
	if err != nil {
		return 0, fmt.Errorf("pkcs11: opening a session on %s: %w", where(i.mod, i.token), tokenErr(err))
	}
	i.sess, i.hasSess = sh, true
	return sh, nil
}

func (i *Identity) dropSession() {
	if i.hasSess {
		_ = i.mod.ctx.CloseSession(i.sess)
		i.hasSess = false
	}
}

// derive returns the ECDH shared secret (X coordinate) of the token key and
// the ephemeral point. A stale session (token unplugged and plugged back) is
// reopened once.
func (i *Identity) derive(ephPoint []byte) ([]byte, error) {
	secret, err := i.deriveOnce(ephPoint)
	if err != nil && staleSession(err) {
		i.dropSession()
		secret, err = i.deriveOnce(ephPoint)
	}
	if err != nil && staleSession(err) {
		i.dropSession()
	}
	return secret, err
}

func (i *Identity) deriveOnce(ephPoint []byte) ([]byte, error) {
	sh, err := i.session()
	if err != nil {
		return nil, err
	}
	at := where(i.mod, i.token)
	// The login state is shared by every session on the token, another
	// Identity may change it at any time: read it before searching.
	loggedIn := i.mod.loggedIn(sh)
	key, err := i.findKey(sh)
	if errors.Is(err, ErrKeyNotFound) && !loggedIn {
		// Private objects are usually invisible before login.
		if err := i.mod.login(sh, i.token, i.pin); err != nil {
			return nil, err
		}
		loggedIn = true
		key, err = i.findKey(sh)
	}
	if err != nil {
		return nil, err
	}
	secret, err := i.deriveWith(sh, key, ephPoint)
	if isRV(err, p11.CKR_USER_NOT_LOGGED_IN) && !loggedIn {
		// Visible but usable only after login (YubiKey PIV, for one).
		if err := i.mod.login(sh, i.token, i.pin); err != nil {
			return nil, err
		}
		secret, err = i.deriveWith(sh, key, ephPoint)
	}
	if err != nil {
		return nil, fmt.Errorf("pkcs11: ECDH with key %x on %s: %w", i.kp.id, at, tokenErr(err))
	}
	return secret, nil
}

// findKey finds the private EC key with the slot's CKA_ID.
func (i *Identity) findKey(sh p11.SessionHandle) (p11.ObjectHandle, error) {
	at := where(i.mod, i.token)
	tmpl := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
		p11.NewAttribute(p11.CKA_ID, i.kp.id),
	}
	if err := i.mod.ctx.FindObjectsInit(sh, tmpl); err != nil {
		return 0, fmt.Errorf("pkcs11: searching %s: %w", at, tokenErr(err))
	}
	objs, _, err := i.mod.ctx.FindObjects(sh, 2)
	if ferr := i.mod.ctx.FindObjectsFinal(sh); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return 0, fmt.Errorf("pkcs11: searching %s: %w", at, tokenErr(err))
	}
	switch len(objs) {
	case 0:
		return 0, fmt.Errorf("pkcs11: %w: no private EC key with id %x on %s", ErrKeyNotFound, i.kp.id, at)
	case 1:
		return objs[0], nil
	default:
		return 0, fmt.Errorf("pkcs11: several private keys have id %x on %s", i.kp.id, at)
	}
}

// deriveWith runs C_DeriveKey (CKM_ECDH1_DERIVE, CKD_NULL) into a
// non-sensitive, extractable session secret, reads it and destroys it.
func (i *Identity) deriveWith(sh p11.SessionHandle, key p11.ObjectHandle, ephPoint []byte) ([]byte, error) {
	tmpl := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_SECRET_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_GENERIC_SECRET),
		p11.NewAttribute(p11.CKA_TOKEN, false),
		p11.NewAttribute(p11.CKA_SENSITIVE, false),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, true),
		p11.NewAttribute(p11.CKA_VALUE_LEN, secretSize),
	}
	params := p11.NewECDH1DeriveParams(p11.CKD_NULL, nil, ephPoint)
	mech := []*p11.Mechanism{p11.NewMechanism(p11.CKM_ECDH1_DERIVE, params)}
	obj, err := i.mod.ctx.DeriveKey(sh, mech, key, tmpl)
	if isRV(err, p11.CKR_MECHANISM_PARAM_INVALID) {
		// Some modules want the point DER-encoded as an OCTET STRING.
		der := append([]byte{0x04, byte(len(ephPoint))}, ephPoint...)
		params = p11.NewECDH1DeriveParams(p11.CKD_NULL, nil, der)
		mech = []*p11.Mechanism{p11.NewMechanism(p11.CKM_ECDH1_DERIVE, params)}
		obj, err = i.mod.ctx.DeriveKey(sh, mech, key, tmpl)
	}
	if err != nil {
		return nil, err
	}
	defer i.mod.ctx.DestroyObject(sh, obj)
	attrs, err := i.mod.ctx.GetAttributeValue(sh, obj, []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil)})
	if err != nil {
		return nil, err
	}
	secret := attrs[0].Value
	if len(secret) != secretSize {
		clear(secret)
		return nil, fmt.Errorf("derived secret has %d bytes, want %d", len(secret), secretSize)
	}
	return secret, nil
}
