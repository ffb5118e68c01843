package kms

import (
	"context"
	stdcrypto "crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/pocketkms/pkms/crypto"
	"github.com/pocketkms/pkms/vault/pkcs11"
)

// KMS keys in custom key stores: their AES-256 key lives in the store's
// token, the vault holds only metadata (the store, the token object's
// label, a key material id that ciphertexts name).

// tokenPool keeps one logged-in session per connected store for the life
// of the service, so that the agent and the server log in once; a one-shot
// command opens it on first use and closes it with the service.
type tokenPool struct {
	mu   sync.Mutex
	open map[string]*poolEntry
}

type poolEntry struct {
	tok *pkcs11.Token
	// what the session was opened with: a changed record reopens it.
	module, ref string
	pin         [32]byte
}

func pinDigest(pin []byte) [32]byte { return sha256.Sum256(pin) }

// get returns the session of store r, opening it (and logging in with the
// store's PIN) if needed.
func (p *tokenPool) get(r *keyStoreRecord) (*pkcs11.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.open[r.ID]; e != nil {
		if e.module == r.Module && e.ref == r.Token && e.pin == pinDigest(r.PIN) {
			return e.tok, nil
		}
		_ = e.tok.Close()
		delete(p.open, r.ID)
	}
	tok, err := pkcs11.OpenToken(r.Module, pkcs11.TokenRef(r.Token), r.PIN)
	if err != nil {
		return nil, err
	}
	if p.open == nil {
		p.open = map[string]*poolEntry{}
	}
	p.open[r.ID] = &poolEntry{tok: tok, module: r.Module, ref: r.Token, pin: pinDigest(r.PIN)}
	return tok, nil
}

// connect opens a fresh session for r: a login that proves the PIN.
func (p *tokenPool) connect(r *keyStoreRecord) error {
	p.drop(r.ID)
	_, err := p.get(r)
	return err
}

// drop closes the session of store id, if any.
func (p *tokenPool) drop(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.open[id]; e != nil {
		_ = e.tok.Close()
		delete(p.open, id)
	}
}

func (p *tokenPool) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, e := range p.open {
		_ = e.tok.Close()
		delete(p.open, id)
	}
}

// withToken runs fn on the logged-in session of store r, reopening it once
// if the session was lost (token replugged, module restarted).
func (s *Service) withToken(r *keyStoreRecord, fn func(*pkcs11.Token) error) error {
	for attempt := 0; ; attempt++ {
		tok, err := s.tokens.get(r)
		if err == nil {
			err = fn(tok)
		}
		if err != nil && attempt == 0 && errors.Is(err, pkcs11.ErrTokenNotFound) {
			s.tokens.drop(r.ID)
			continue
		}
		return err
	}
}

// connectedStore returns the store of a key in a custom key store; a store
// that is not connected makes the key unusable.
func (t *txn) connectedStore(k *keyRecord) (*keyStoreRecord, error) {
	r, err := t.loadStore(k.CustomKeyStoreID)
	if err != nil {
		return nil, err
	}
	if r.State != ConnectionStateConnected {
		t.s.tokens.drop(r.ID)
		return nil, newErr(KMSInvalidStateException, "%s is unavailable.", t.keyArn(k.KeyID))
	}
	return r, nil
}

// tokenKeyErr turns a token failure during a cryptographic operation into
// the exception AWS gives when the key material cannot be used.
func (t *txn) tokenKeyErr(k *keyRecord, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pkcs11.ErrNoCgo):
		return errNoPKCS11()
	case errors.Is(err, pkcs11.ErrDecrypt), errors.Is(err, crypto.ErrAuth):
		return &Error{Code: InvalidCiphertextException}
	}
	return newErr(KMSInvalidStateException, "%s is unavailable: %s (custom key store %s).", t.keyArn(k.KeyID), tokenReason(err), k.CustomKeyStoreID)
}

// tokenGCM does AES-GCM with a token key.
type tokenGCM struct {
	s     *Service
	r     *keyStoreRecord
	label string
}

func (g tokenGCM) Seal(nonce, plaintext, aad []byte) (out []byte, err error) {
	err = g.s.withToken(g.r, func(tok *pkcs11.Token) error {
		out, err = tok.SealGCM(g.label, nonce, plaintext, aad)
		return err
	})
	return out, err
}

func (g tokenGCM) Open(nonce, ciphertext, aad []byte) (out []byte, err error) {
	err = g.s.withToken(g.r, func(tok *pkcs11.Token) error {
		out, err = tok.OpenGCM(g.label, nonce, ciphertext, aad)
		return err
	})
	return out, err
}

// tokenEncrypt encrypts under a key in a custom key store, inside its token.
func (t *txn) tokenEncrypt(k *keyRecord, plaintext []byte, encCtx map[string]string) ([]byte, string, error) {
	r, err := t.connectedStore(k)
	if err != nil {
		return nil, "", err
	}
	defer r.wipe()
	var mid [crypto.MaterialIDSize]byte
	if _, err := hex.Decode(mid[:], []byte(k.CurrentMaterial)); err != nil {
		return nil, "", newErr(KMSInternalException, "key %s has a malformed key material id", k.KeyID)
	}
	blob, err := crypto.EncryptBlobWith(t.s.rand, tokenGCM{t.s, r, k.TokenLabel}, k.KeyID, mid, plaintext, encCtx)
	if err != nil {
		return nil, "", t.tokenKeyErr(k, err)
	}
	return blob, k.CurrentMaterial, nil
}

// tokenDecrypt decrypts a blob naming a key in a custom key store.
func (t *txn) tokenDecrypt(k *keyRecord, b *crypto.Blob, encCtx map[string]string) ([]byte, error) {
	if hex.EncodeToString(b.MaterialID[:]) != k.CurrentMaterial {
		return nil, &Error{Code: InvalidCiphertextException}
	}
	r, err := t.connectedStore(k)
	if err != nil {
		return nil, err
	}
	defer r.wipe()
	pt, err := b.DecryptWith(tokenGCM{t.s, r, k.TokenLabel}, encCtx)
	return pt, t.tokenKeyErr(k, err)
}

// inKeyStore applies the custom key store to a key read from the vault: a
// key whose store is not connected is Unavailable (unless it is pending
// deletion), without that state being written back (see saveKey).
func (t *txn) inKeyStore(k *keyRecord) (*keyRecord, error) {
	if k.State == KeyStatePendingDeletion || k.State == KeyStatePendingReplicaDeletion {
		return k, nil
	}
	r, err := t.loadStore(k.CustomKeyStoreID)
	if err != nil && CodeOf(err) != CustomKeyStoreNotFoundException {
		return nil, err
	}
	if r != nil && r.State == ConnectionStateConnected {
		return k, nil
	}
	c := *k
	c.storedState, c.State = k.State, KeyStateUnavailable
	return &c, nil
}

// keyStoreMetadata adds a key's store to its KeyMetadata.
func (t *txn) keyStoreMetadata(k *keyRecord, m *KeyMetadata) {
	m.CustomKeyStoreId = k.CustomKeyStoreID
	if r, err := t.loadStore(k.CustomKeyStoreID); err == nil {
		m.CloudHsmClusterId = r.Token
	}
}

// tokenKeyGone reports whether the token object of a usable key was
// deleted out of band: then the key reads Unavailable.
func (t *txn) tokenKeyGone(k *keyRecord) bool {
	if k.State != KeyStateEnabled && k.State != KeyStateDisabled {
		return false
	}
	r, err := t.loadStore(k.CustomKeyStoreID)
	if err != nil || r.State != ConnectionStateConnected {
		return false
	}
	defer r.wipe()
	var ok bool
	err = t.s.withToken(r, func(tok *pkcs11.Token) error {
		var err error
		ok, err = tok.HasKey(k.TokenLabel)
		return err
	})
	return err == nil && !ok
}

// tokenKey is a key generated in a token for CreateKey, before the key's
// record is written.
type tokenKey struct {
	store      *keyStoreRecord
	keyID      string
	label      string
	materialID string
	public     []byte // SubjectPublicKeyInfo of a token signing key
}

// tokenSigningSpecs are the key specs --pkms-token-signing makes.
var tokenSigningSpecs = []string{"ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048", "RSA_3072", "RSA_4096"}

func tokenSigning(in *CreateKeyInput) bool { return in.PkmsTokenSigning != nil && *in.PkmsTokenSigning }

// newTokenKey checks a CreateKey request for a custom key store and
// generates the key in the store's token. The caller writes the record,
// or calls discard if it cannot.
func (s *Service) newTokenKey(ctx context.Context, in *CreateKeyInput, spec KeySpec, usage KeyUsage, origin Origin) (*tokenKey, error) {
	switch {
	case origin == OriginExternalKeyStore:
		return nil, newErr(UnsupportedOperationException, "pkms supports custom key stores of type AWS_CLOUDHSM only, not external key stores (XKS).")
	case in.CustomKeyStoreId == "":
		return nil, newErr(ValidationException, "Origin %s requires a CustomKeyStoreId", origin)
	case origin != OriginAwsCloudhsm:
		return nil, newErr(UnsupportedOperationException, "A KMS key in custom key store %s must have Origin AWS_CLOUDHSM, not %s.", in.CustomKeyStoreId, origin)
	case tokenSigning(in):
		if usage != KeyUsageSignVerify || !contains(tokenSigningSpecs, string(spec)) {
			return nil, newErr(UnsupportedOperationException, "--pkms-token-signing makes SIGN_VERIFY keys of spec %s in the token; %s with %s is not supported.", strings.Join(tokenSigningSpecs, ", "), spec, usage)
		}
	case spec != KeySpecSymmetricDefault || usage != KeyUsageEncryptDecrypt:
		return nil, newErr(UnsupportedOperationException, "KMS keys in a custom key store must be SYMMETRIC_DEFAULT keys for ENCRYPT_DECRYPT; %s with %s is not supported (pkms's --pkms-token-signing allows signing keys in the token).", spec, usage)
	case in.PkmsExportable != nil && *in.PkmsExportable:
		return nil, newErr(UnsupportedOperationException, "The key material of a KMS key in a custom key store never leaves its token; it cannot be exportable.")
	}
	tk := &tokenKey{}
	err := s.view(ctx, func(t *txn) error {
		r, err := t.loadStore(in.CustomKeyStoreId)
		if err != nil {
			return err
		}
		if r.State != ConnectionStateConnected {
			return storeStateErr(r, "CreateKey")
		}
		tk.store = r
		if tk.keyID, err = newKeyID(s.rand); err != nil {
			return err
		}
		tk.label = t.keyArn(tk.keyID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var mid [crypto.MaterialIDSize]byte
	if _, err := io.ReadFull(s.rand, mid[:]); err != nil {
		return nil, err
	}
	tk.materialID = hex.EncodeToString(mid[:])
	err = s.withToken(tk.store, func(tok *pkcs11.Token) error {
		if tokenSigning(in) {
			var err error
			tk.public, err = tok.GenerateKeyPair(string(spec), tk.label, []byte(tk.keyID))
			return err
		}
		return tok.GenerateAES256(tk.label, []byte(tk.keyID))
	})
	if errors.Is(err, pkcs11.ErrNoCgo) {
		return nil, errNoPKCS11()
	}
	if err != nil {
		return nil, newErr(KMSInternalException, "pkms could not generate the key in the token of custom key store %s: %s.", tk.store.ID, tokenReason(err))
	}
	return tk, nil
}

// apply makes k a key of the store.
func (tk *tokenKey) apply(k *keyRecord) {
	k.CustomKeyStoreID, k.TokenLabel, k.CurrentMaterial = tk.store.ID, tk.label, tk.materialID
	if tk.public != nil {
		// The public key, for Verify and GetPublicKey; no secret.
		k.Materials = []material{{ID: tk.materialID, Public: tk.public, Created: k.Created}}
	}
}

// tokenSigner signs with a token signing key.
type tokenSigner struct {
	s     *Service
	r     *keyStoreRecord
	label string
}

func (g tokenSigner) sign(scheme pkcs11.SignScheme, h stdcrypto.Hash, input []byte) (sig []byte, err error) {
	err = g.s.withToken(g.r, func(tok *pkcs11.Token) error {
		sig, err = tok.Sign(g.label, scheme, h, input)
		return err
	})
	return sig, err
}

func (g tokenSigner) SignECDSA(digest []byte) ([]byte, error) {
	return g.sign(pkcs11.SignECDSA, 0, digest)
}
func (g tokenSigner) SignPKCS1v15(di []byte) ([]byte, error) { return g.sign(pkcs11.SignPKCS1, 0, di) }
func (g tokenSigner) SignPSS(h stdcrypto.Hash, digest []byte) ([]byte, error) {
	return g.sign(pkcs11.SignPSS, h, digest)
}

// tokenSign is Sign with a token signing key.
func (t *txn) tokenSign(k *keyRecord, in *SignInput) ([]byte, error) {
	r, err := t.connectedStore(k)
	if err != nil {
		return nil, err
	}
	defer r.wipe()
	sig, err := crypto.SignWith(string(k.Spec), tokenSigner{t.s, r, k.TokenLabel}, string(in.SigningAlgorithm), messageType(in.MessageType), in.Message)
	if err == nil {
		return sig, nil
	}
	for _, e := range []error{pkcs11.ErrNoCgo, pkcs11.ErrTokenNotFound, pkcs11.ErrKeyNotFound, pkcs11.ErrIncorrectPIN, pkcs11.ErrPINLocked, pkcs11.ErrModuleUnavailable} {
		if errors.Is(err, e) {
			return nil, t.tokenKeyErr(k, err)
		}
	}
	if ke := signError(err, in.SigningAlgorithm, in.MessageType); CodeOf(ke) != "" {
		return nil, ke
	}
	return nil, newErr(KMSInternalException, "The token of custom key store %s could not sign with %s.", r.ID, t.keyArn(k.KeyID))
}

// discard deletes the token key of a CreateKey that failed.
func (s *Service) discard(tk *tokenKey) {
	_ = s.withToken(tk.store, func(tok *pkcs11.Token) error { return tok.DestroyKey(tk.label) })
}

// rejectInKeyStore refuses what AWS does not allow with a key in a custom
// key store: the operations whose implement call says notInKeyStore (data
// key pairs).
func (t *txn) rejectInKeyStore(op string, k *keyRecord) error {
	if k == nil || k.CustomKeyStoreID == "" {
		return nil
	}
	if o, ok := operations[op]; ok && o.notInKeyStore {
		return newErr(UnsupportedOperationException, "%s is in a custom key store, which is not valid for %s.", t.keyArn(k.KeyID), op)
	}
	return nil
}

// tokenRandom is GenerateRandom with CustomKeyStoreId: bytes from the
// token's generator.
func (s *Service) tokenRandom(ctx context.Context, id string, n int) ([]byte, error) {
	var r *keyStoreRecord
	err := s.view(ctx, func(t *txn) error {
		var err error
		if r, err = t.loadStore(id); err != nil {
			return err
		}
		if r.State != ConnectionStateConnected {
			return storeStateErr(r, "GenerateRandom")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	defer r.wipe()
	var b []byte
	err = s.withToken(r, func(tok *pkcs11.Token) error {
		var err error
		b, err = tok.Random(n)
		return err
	})
	switch {
	case errors.Is(err, pkcs11.ErrNoCgo):
		return nil, errNoPKCS11()
	case err != nil:
		return nil, newErr(KMSInternalException, "The token of custom key store %s could not generate random bytes: %s.", id, tokenReason(err))
	}
	return b, nil
}

// purgedTokenKey is the token object of a key whose deletion window ended.
type purgedTokenKey struct {
	store *keyStoreRecord
	label string
}

// notePurgedTokenKey remembers the token object of key id, if it is in a
// connected custom key store, for destroyTokenKeys.
func (t *txn) notePurgedTokenKey(id string) error {
	var k keyRecord
	if err := getJSON(t, t.regional(bucketKeys), id, &k); err != nil || k.CustomKeyStoreID == "" {
		if errors.Is(err, ErrNoRecord) {
			return nil
		}
		return err
	}
	r, err := t.loadStore(k.CustomKeyStoreID)
	if err != nil || r.State != ConnectionStateConnected {
		return nil // best effort, as AWS: the object stays in the token
	}
	t.purgedTokenKeys = append(t.purgedTokenKeys, purgedTokenKey{store: r, label: k.TokenLabel})
	return nil
}

// destroyTokenKeys deletes the token objects of purged keys, as AWS makes
// a best-effort attempt to delete a deleted key's backing key. A failure
// leaves the object in the token, where the token's tools can delete it.
func (s *Service) destroyTokenKeys(keys []purgedTokenKey) {
	for _, k := range keys {
		_ = s.withToken(k.store, func(tok *pkcs11.Token) error { return tok.DestroyKey(k.label) })
		k.store.wipe()
	}
}
