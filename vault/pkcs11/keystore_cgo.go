//go:build cgo

package pkcs11

import (
	"errors"
	"fmt"
	"sync"

	p11 "github.com/miekg/pkcs11"
)

// gcmTagBits is the AES-GCM tag length used with token keys (128 bits, as
// pkms's own ciphertexts).
const gcmTagBits = 128

// locate finds the slot of the token ref in m.
func (m *module) locate(ref TokenRef) (uint, p11.TokenInfo, error) {
	slot, bySlot, label, err := ref.parse()
	if err != nil {
		return 0, p11.TokenInfo{}, err
	}
	if !bySlot {
		return m.findToken(label)
	}
	ti, err := m.ctx.GetTokenInfo(slot)
	if err != nil {
		return 0, ti, fmt.Errorf("pkcs11: %w: no token in slot %d of module %s", ErrTokenNotFound, slot, m.path)
	}
	return slot, ti, nil
}

// FindToken reports whether the token ref is present in module, without
// logging in.
func FindToken(module string, ref TokenRef) (TokenInfo, error) {
	defer lockTokens()()
	m, err := acquireModule(module)
	if err != nil {
		return TokenInfo{}, err
	}
	defer m.release()
	_, ti, err := m.locate(ref)
	if err != nil {
		return TokenInfo{}, err
	}
	return TokenInfo{Module: module, Label: trimLabel(ti.Label), Serial: trimLabel(ti.SerialNumber)}, nil
}

// Token is a logged-in read-write session on a token that backs a custom
// key store. Its methods are serialised (a PKCS#11 session is not safe for
// concurrent use). Close logs out, closes the session and releases the
// module.
type Token struct {
	mu      sync.Mutex
	m       *module
	sh      p11.SessionHandle
	info    TokenInfo
	handles map[string]p11.ObjectHandle // by CKA_LABEL
	closed  bool
}

// OpenToken finds the token ref in module, opens a session and logs the
// user in with pin. The caller keeps (and zeroes) pin. Errors wrap
// ErrModuleUnavailable, ErrTokenNotFound, ErrIncorrectPIN or ErrPINLocked.
func OpenToken(module string, ref TokenRef, pin []byte) (*Token, error) {
	defer lockTokens()()
	m, err := acquireModule(module)
	if err != nil {
		return nil, err
	}
	slot, ti, err := m.locate(ref)
	if err != nil {
		m.release()
		return nil, err
	}
	sh, err := m.ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
	if err != nil {
		m.release()
		return nil, fmt.Errorf("pkcs11: opening a session on %s: %w", where(m, string(ref)), tokenErr(err))
	}
	if !m.loggedIn(sh) {
		given := false
		err := m.login(sh, string(ref), func() ([]byte, error) {
			if given {
				return nil, errors.New("PIN asked twice")
			}
			given = true
			// login zeroes what it is given: hand it a copy.
			return append([]byte(nil), pin...), nil
		})
		if err != nil {
			_ = m.ctx.CloseSession(sh)
			m.release()
			return nil, err
		}
	}
	return &Token{m: m, sh: sh, handles: map[string]p11.ObjectHandle{},
		info: TokenInfo{Module: module, Label: trimLabel(ti.Label), Serial: trimLabel(ti.SerialNumber)}}, nil
}

// Info describes the token.
func (t *Token) Info() TokenInfo { return t.info }

// Close ends the session; it is idempotent.
func (t *Token) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	// No C_Logout: the login is shared by every session of the process on
	// this token (a vault token slot may use it too); closing the last
	// session ends it.
	_ = t.m.ctx.CloseSession(t.sh)
	t.m.release()
	return nil
}

// fail wraps a token error, marking a lost session or token as
// ErrTokenNotFound so that the caller reopens or reports the token absent.
func (t *Token) fail(what string, err error) error {
	if staleSession(err) || isRV(err, p11.CKR_USER_NOT_LOGGED_IN) {
		return fmt.Errorf("pkcs11: %s on %s: %w: %w", what, where(t.m, t.info.Label), ErrTokenNotFound, err)
	}
	return fmt.Errorf("pkcs11: %s on %s: %w", what, where(t.m, t.info.Label), err)
}

func (t *Token) check() error {
	if t.closed {
		return errors.New("pkcs11: use of a closed Token")
	}
	return nil
}

// find returns the key labelled label: a secret key, else (for a key
// pair) the private key.
func (t *Token) find(label string) (p11.ObjectHandle, error) {
	if h, ok := t.handles[label]; ok {
		return h, nil
	}
	for _, class := range []uint{p11.CKO_SECRET_KEY, p11.CKO_PRIVATE_KEY} {
		hs, err := t.findObjects(class, label)
		if err != nil {
			return 0, err
		}
		switch len(hs) {
		case 0:
			continue
		case 1:
			t.handles[label] = hs[0]
			return hs[0], nil
		default:
			return 0, fmt.Errorf("pkcs11: more than one key is labelled %q on %s", label, where(t.m, t.info.Label))
		}
	}
	return 0, fmt.Errorf("pkcs11: %w: no key labelled %q on %s", ErrKeyNotFound, label, where(t.m, t.info.Label))
}

// findObjects lists (up to two of) the objects of a class with a label.
func (t *Token) findObjects(class uint, label string) ([]p11.ObjectHandle, error) {
	tmpl := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, class),
		p11.NewAttribute(p11.CKA_LABEL, label),
	}
	if err := t.m.ctx.FindObjectsInit(t.sh, tmpl); err != nil {
		return nil, t.fail("C_FindObjectsInit", err)
	}
	hs, _, err := t.m.ctx.FindObjects(t.sh, 2)
	_ = t.m.ctx.FindObjectsFinal(t.sh)
	if err != nil {
		return nil, t.fail("C_FindObjects", err)
	}
	return hs, nil
}

// withKey runs fn on the key labelled label, finding it again once if a
// remembered handle went stale (the object was deleted and maybe remade).
func (t *Token) withKey(label string, fn func(p11.ObjectHandle) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(); err != nil {
		return err
	}
	_, cached := t.handles[label]
	h, err := t.find(label)
	if err != nil {
		return err
	}
	err = fn(h)
	if cached && (isRV(err, p11.CKR_OBJECT_HANDLE_INVALID) || isRV(err, p11.CKR_KEY_HANDLE_INVALID)) {
		delete(t.handles, label)
		if h, err = t.find(label); err != nil {
			return err
		}
		err = fn(h)
	}
	return err
}

// GenerateAES256 creates a persistent AES-256 key, sensitive and never
// extractable, usable only to encrypt and decrypt, with the given CKA_LABEL
// and CKA_ID. It reads the attributes back and destroys a key the token did
// not make as asked.
func (t *Token) GenerateAES256(label string, id []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(); err != nil {
		return err
	}
	tmpl := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_SECRET_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_AES),
		p11.NewAttribute(p11.CKA_VALUE_LEN, 32),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
		p11.NewAttribute(p11.CKA_ENCRYPT, true),
		p11.NewAttribute(p11.CKA_DECRYPT, true),
		p11.NewAttribute(p11.CKA_WRAP, false),
		p11.NewAttribute(p11.CKA_UNWRAP, false),
		p11.NewAttribute(p11.CKA_SIGN, false),
		p11.NewAttribute(p11.CKA_VERIFY, false),
		p11.NewAttribute(p11.CKA_DERIVE, false),
		p11.NewAttribute(p11.CKA_LABEL, label),
		p11.NewAttribute(p11.CKA_ID, id),
	}
	h, err := t.m.ctx.GenerateKey(t.sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_AES_KEY_GEN, nil)}, tmpl)
	if err != nil {
		return t.fail("generating an AES-256 key", err)
	}
	a, err := t.attributes(h)
	if err == nil && (!a.Sensitive || a.Extractable || !a.Token || a.ValueReadable) {
		err = errors.New("the token did not make the key sensitive, non-extractable and persistent")
	}
	if err != nil {
		_ = t.m.ctx.DestroyObject(t.sh, h)
		return fmt.Errorf("pkcs11: key generated on %s (deleted again): %w", where(t.m, t.info.Label), err)
	}
	t.handles[label] = h
	return nil
}

// attributes reads a key's security attributes and tries to read its value.
func (t *Token) attributes(h p11.ObjectHandle) (KeyAttributes, error) {
	attrs, err := t.m.ctx.GetAttributeValue(t.sh, h, []*p11.Attribute{
		p11.NewAttribute(p11.CKA_SENSITIVE, nil),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, nil),
		p11.NewAttribute(p11.CKA_TOKEN, nil),
	})
	if err != nil {
		return KeyAttributes{}, fmt.Errorf("reading the key's attributes: %w", err)
	}
	b := func(i int) bool { v := attrs[i].Value; return len(v) == 1 && v[0] != 0 }
	a := KeyAttributes{Sensitive: b(0), Extractable: b(1), Token: b(2)}
	v, err := t.m.ctx.GetAttributeValue(t.sh, h, []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil)})
	if err == nil && len(v) == 1 && len(v[0].Value) > 0 {
		a.ValueReadable = true
		clear(v[0].Value)
	}
	return a, nil
}

// Attributes reads the security attributes of the key labelled label.
func (t *Token) Attributes(label string) (KeyAttributes, error) {
	var a KeyAttributes
	err := t.withKey(label, func(h p11.ObjectHandle) error {
		var err error
		a, err = t.attributes(h)
		return err
	})
	return a, err
}

// HasKey reports whether the token holds a secret key labelled label.
func (t *Token) HasKey(label string) (bool, error) {
	err := t.withKey(label, func(h p11.ObjectHandle) error {
		// A remembered handle may be stale: ask the object itself.
		_, err := t.m.ctx.GetObjectSize(t.sh, h)
		return err
	})
	if errors.Is(err, ErrKeyNotFound) {
		return false, nil
	}
	if isRV(err, p11.CKR_OBJECT_HANDLE_INVALID) {
		return false, nil
	}
	return err == nil, err
}

// SealGCM encrypts plaintext with AES-GCM under the key labelled label,
// with the given 12-byte nonce and additional data, inside the token, and
// returns ciphertext ‖ tag.
func (t *Token) SealGCM(label string, nonce, plaintext, aad []byte) ([]byte, error) {
	var out []byte
	err := t.withKey(label, func(h p11.ObjectHandle) error {
		params := p11.NewGCMParams(nonce, aad, gcmTagBits)
		defer params.Free()
		if err := t.m.ctx.EncryptInit(t.sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_AES_GCM, params)}, h); err != nil {
			return err
		}
		var err error
		out, err = t.m.ctx.Encrypt(t.sh, plaintext)
		return err
	})
	if err != nil && !errors.Is(err, ErrKeyNotFound) && !errors.Is(err, ErrTokenNotFound) {
		return nil, t.fail("AES-GCM encryption", err)
	}
	return out, err
}

// OpenGCM reverses SealGCM inside the token. A ciphertext the token does
// not authenticate is ErrDecrypt.
func (t *Token) OpenGCM(label string, nonce, ciphertext, aad []byte) ([]byte, error) {
	var out []byte
	err := t.withKey(label, func(h p11.ObjectHandle) error {
		params := p11.NewGCMParams(nonce, aad, gcmTagBits)
		defer params.Free()
		if err := t.m.ctx.DecryptInit(t.sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_AES_GCM, params)}, h); err != nil {
			return err
		}
		var err error
		out, err = t.m.ctx.Decrypt(t.sh, ciphertext)
		return err
	})
	switch {
	case err == nil, errors.Is(err, ErrKeyNotFound), errors.Is(err, ErrTokenNotFound):
		return out, err
	case staleSession(err), isRV(err, p11.CKR_USER_NOT_LOGGED_IN), isRV(err, p11.CKR_OBJECT_HANDLE_INVALID), isRV(err, p11.CKR_KEY_HANDLE_INVALID):
		return nil, t.fail("AES-GCM decryption", err)
	default:
		return nil, fmt.Errorf("pkcs11: %w", ErrDecrypt)
	}
}

// DestroyKey deletes the key labelled label from the token; a key that is
// already gone is not an error.
func (t *Token) DestroyKey(label string) error {
	err := t.withKey(label, func(h p11.ObjectHandle) error {
		if err := t.m.ctx.DestroyObject(t.sh, h); err != nil {
			return err
		}
		delete(t.handles, label)
		// The public half of a key pair, if any.
		pubs, err := t.findObjects(p11.CKO_PUBLIC_KEY, label)
		for _, p := range pubs {
			_ = t.m.ctx.DestroyObject(t.sh, p)
		}
		return err
	})
	if errors.Is(err, ErrKeyNotFound) {
		return nil
	}
	if err != nil && !errors.Is(err, ErrTokenNotFound) {
		return t.fail("C_DestroyObject", err)
	}
	return err
}

// Random returns n bytes from the token's random number generator.
func (t *Token) Random(n int) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(); err != nil {
		return nil, err
	}
	b, err := t.m.ctx.GenerateRandom(t.sh, n)
	if err != nil {
		return nil, t.fail("C_GenerateRandom", err)
	}
	if len(b) != n {
		return nil, fmt.Errorf("pkcs11: C_GenerateRandom on %s returned %d bytes, want %d", where(t.m, t.info.Label), len(b), n)
	}
	return b, nil
}
