package pkcs11

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// Config says how to reach a token.
type Config struct {
	// Module is the path of the PKCS#11 module (.so), for example
	// /usr/lib/x86_64-linux-gnu/libykcs11.so or
	// /usr/lib/softhsm/libsofthsm2.so.
	Module string
	// TokenLabel is the token's label (CK_TOKEN_INFO.label, trailing blanks
	// trimmed).
	TokenLabel string
	// PIN is called only when the token asks for a login, at most once per
	// login attempt. The caller prompts on /dev/tty or reads a file
	// descriptor; the returned bytes are zeroed after C_Login. It may be nil
	// for tokens that never need a login.
	PIN func() ([]byte, error)
}

// Params are the public facts a slot stores to find its key again. None of
// them is secret. The keys are the Param* constants; RecipientFromParams and
// NewIdentity refuse unknown keys and malformed values.
type Params map[string]string

// Keys of Params.
const (
	ParamModule     = "module"     // path of the PKCS#11 module
	ParamTokenLabel = "token"      // token label
	ParamKeyID      = "key_id"     // CKA_ID of the key pair, lowercase hex
	ParamKeyLabel   = "key_label"  // CKA_LABEL of the key pair
	ParamPublicKey  = "public_key" // uncompressed P-256 point, lowercase hex (130 digits)
)

// StanzaType is the age recipient stanza type written by Recipient and read
// by Identity.
const StanzaType = "pkms-p11-p256"

const (
	fileKeySize  = 16                  // age's file key size
	pointSize    = 65                  // uncompressed P-256 point
	secretSize   = 32                  // ECDH X coordinate
	tagSize      = 4                   // key tag bytes
	bodySize     = fileKeySize + 16    // sealed file key
	hkdfInfo     = StanzaType          // HKDF info string
	maxModuleLen = 4096                // path length limit
	maxTokenLen  = 32                  // CK_TOKEN_INFO.label is 32 bytes
	maxKeyIDLen  = 64                  // CKA_ID bytes
	maxLabelLen  = 256                 // CKA_LABEL bytes
	tagB64Len    = (tagSize*8 + 5) / 6 // 6
	pointB64Len  = (pointSize*8 + 5) / 6
)

var b64 = base64.RawStdEncoding.Strict()

// keyParams is a validated Params.
type keyParams struct {
	module, token, label string
	id                   []byte          // nil when absent
	pub                  *ecdh.PublicKey // never nil
	tag                  [tagSize]byte
}

func keyTag(point []byte) [tagSize]byte {
	sum := sha256.Sum256(point)
	return [tagSize]byte(sum[:tagSize])
}

// parseParams validates p. The public key is required; the other fields are
// checked when present.
func parseParams(p Params) (*keyParams, error) {
	kp := &keyParams{}
	for k, v := range p {
		switch k {
		case ParamModule:
			if v == "" || len(v) > maxModuleLen || strings.ContainsRune(v, 0) {
				return nil, fmt.Errorf("pkcs11: invalid %s parameter", k)
			}
			kp.module = v
		case ParamTokenLabel:
			if err := checkLabel(v, maxTokenLen); err != nil {
				return nil, fmt.Errorf("pkcs11: invalid %s parameter: %v", k, err)
			}
			kp.token = v
		case ParamKeyLabel:
			if err := checkLabel(v, maxLabelLen); err != nil {
				return nil, fmt.Errorf("pkcs11: invalid %s parameter: %v", k, err)
			}
			kp.label = v
		case ParamKeyID:
			id, err := hex.DecodeString(v)
			if err != nil || len(id) == 0 || len(id) > maxKeyIDLen || hex.EncodeToString(id) != v {
				return nil, fmt.Errorf("pkcs11: invalid %s parameter: want 1 to %d bytes in lowercase hex", k, maxKeyIDLen)
			}
			kp.id = id
		case ParamPublicKey:
			b, err := hex.DecodeString(v)
			if err != nil || hex.EncodeToString(b) != v {
				return nil, fmt.Errorf("pkcs11: invalid %s parameter: not lowercase hex", k)
			}
			pub, err := parsePoint(b)
			if err != nil {
				return nil, fmt.Errorf("pkcs11: invalid %s parameter: %v", k, err)
			}
			kp.pub = pub
		default:
			return nil, fmt.Errorf("pkcs11: unknown parameter %q", k)
		}
	}
	if kp.pub == nil {
		return nil, fmt.Errorf("pkcs11: missing %s parameter", ParamPublicKey)
	}
	kp.tag = keyTag(kp.pub.Bytes())
	return kp, nil
}

func checkLabel(s string, max int) error {
	switch {
	case s == "":
		return errors.New("empty")
	case len(s) > max:
		return fmt.Errorf("longer than %d bytes", max)
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return errors.New("not valid UTF-8 text")
	case strings.TrimRight(s, " ") != s:
		return errors.New("trailing blanks")
	}
	return nil
}

// parsePoint accepts only a 65-byte uncompressed point on P-256 (crypto/ecdh
// checks that it is on the curve and not the identity).
func parsePoint(b []byte) (*ecdh.PublicKey, error) {
	if len(b) != pointSize || b[0] != 4 {
		return nil, fmt.Errorf("want a %d-byte uncompressed P-256 point", pointSize)
	}
	pub, err := ecdh.P256().NewPublicKey(b)
	if err != nil {
		return nil, errors.New("not a point on P-256")
	}
	return pub, nil
}

func (kp *keyParams) params() Params {
	p := Params{ParamPublicKey: hex.EncodeToString(kp.pub.Bytes())}
	if kp.module != "" {
		p[ParamModule] = kp.module
	}
	if kp.token != "" {
		p[ParamTokenLabel] = kp.token
	}
	if kp.id != nil {
		p[ParamKeyID] = hex.EncodeToString(kp.id)
	}
	if kp.label != "" {
		p[ParamKeyLabel] = kp.label
	}
	return p
}

// Recipient wraps age file keys to a token's P-256 public key. It needs no
// token access (pure Go ECDH), so adding a slot, rekeying and exporting do
// not need the PIN, and it works in builds without cgo. It is immutable and
// safe for concurrent use.
//
// It is a plain age.Recipient without labels: see the package doc for how it
// mixes with other recipients.
type Recipient struct {
	kp *keyParams
}

var _ age.Recipient = (*Recipient)(nil)

// RecipientFromParams rebuilds the Recipient of a slot from its stored
// Params. Only ParamPublicKey is required.
func RecipientFromParams(p Params) (*Recipient, error) {
	kp, err := parseParams(p)
	if err != nil {
		return nil, err
	}
	return &Recipient{kp: kp}, nil
}

// Params returns the slot parameters (a fresh map the caller may keep).
func (r *Recipient) Params() Params { return r.kp.params() }

// Wrap implements age.Recipient: it seals fileKey (16 bytes) to the token's
// public key in one "pkms-p11-p256" stanza.
func (r *Recipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	if len(fileKey) != fileKeySize {
		return nil, fmt.Errorf("pkcs11: file key has %d bytes, want %d", len(fileKey), fileKeySize)
	}
	eph, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: generating ephemeral key: %w", err)
	}
	secret, err := eph.ECDH(r.kp.pub)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: ECDH: %w", err)
	}
	defer clear(secret)
	ephPoint := eph.PublicKey().Bytes()
	aead, err := wrapAEAD(secret, ephPoint, r.kp.pub.Bytes())
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, chacha20poly1305.NonceSize)
	return []*age.Stanza{{
		Type: StanzaType,
		Args: []string{b64.EncodeToString(r.kp.tag[:]), b64.EncodeToString(ephPoint)},
		Body: aead.Seal(nil, nonce, fileKey, nil),
	}}, nil
}

// wrapAEAD derives the wrapping key. The key is single-use (it depends on a
// fresh ephemeral key), so the zero nonce is safe, as in age.
func wrapAEAD(secret, ephPoint, tokenPoint []byte) (interface {
	Seal(dst, nonce, plaintext, ad []byte) []byte
	Open(dst, nonce, ciphertext, ad []byte) ([]byte, error)
}, error) {
	salt := make([]byte, 0, len(ephPoint)+len(tokenPoint))
	salt = append(salt, ephPoint...)
	salt = append(salt, tokenPoint...)
	key, err := hkdf.Key(sha256.New, secret, salt, hkdfInfo, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: HKDF: %w", err)
	}
	defer clear(key)
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: %w", err)
	}
	return aead, nil
}

// stanza is a parsed, validated "pkms-p11-p256" stanza.
type stanza struct {
	tag      [tagSize]byte
	ephPoint []byte // 65-byte uncompressed point, on the curve
	body     []byte // bodySize bytes
}

// errMalformed is wrapped by every stanza parsing error.
var errMalformed = errors.New("malformed " + StanzaType + " stanza")

// parseStanza validates a stanza of type StanzaType. It never panics.
func parseStanza(s *age.Stanza) (*stanza, error) {
	if s == nil || s.Type != StanzaType {
		return nil, fmt.Errorf("pkcs11: %w: wrong type", errMalformed)
	}
	if len(s.Args) != 2 {
		return nil, fmt.Errorf("pkcs11: %w: %d arguments, want 2", errMalformed, len(s.Args))
	}
	tag, err := decodeArg(s.Args[0], tagB64Len)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: %w: key tag: %v", errMalformed, err)
	}
	point, err := decodeArg(s.Args[1], pointB64Len)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: %w: ephemeral key: %v", errMalformed, err)
	}
	if _, err := parsePoint(point); err != nil {
		return nil, fmt.Errorf("pkcs11: %w: ephemeral key: %v", errMalformed, err)
	}
	if len(s.Body) != bodySize {
		return nil, fmt.Errorf("pkcs11: %w: body has %d bytes, want %d", errMalformed, len(s.Body), bodySize)
	}
	return &stanza{tag: [tagSize]byte(tag), ephPoint: point, body: s.Body}, nil
}

// decodeArg decodes canonical unpadded standard base64 of exactly wantLen
// characters.
func decodeArg(s string, wantLen int) ([]byte, error) {
	if len(s) != wantLen {
		return nil, fmt.Errorf("%d base64 characters, want %d", len(s), wantLen)
	}
	if strings.ContainsAny(s, "\r\n") { // the decoder would skip them
		return nil, errors.New("invalid base64")
	}
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, errors.New("invalid base64")
	}
	return b, nil
}

// open recovers the file key from st given the ECDH shared secret. A body
// that does not authenticate means the stanza was not sealed to this key
// (or was tampered with): age.ErrIncorrectIdentity, as age's X25519 does.
func (st *stanza) open(secret, tokenPoint []byte) ([]byte, error) {
	if len(secret) != secretSize {
		return nil, fmt.Errorf("pkcs11: shared secret has %d bytes, want %d", len(secret), secretSize)
	}
	aead, err := wrapAEAD(secret, st.ephPoint, tokenPoint)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, chacha20poly1305.NonceSize)
	fileKey, err := aead.Open(nil, nonce, st.body, nil)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: %w: the stanza does not open with the token key (tampered, or a different key with the same tag)", age.ErrIncorrectIdentity)
	}
	return fileKey, nil
}

// matching returns the parsed stanzas of our type whose tag is ours. A
// malformed stanza of our type is an error (as age does for its own types);
// stanzas of other types or for other keys are skipped.
func matching(stanzas []*age.Stanza, tag [tagSize]byte) ([]*stanza, error) {
	var out []*stanza
	for _, s := range stanzas {
		if s == nil || s.Type != StanzaType {
			continue
		}
		st, err := parseStanza(s)
		if err != nil {
			return nil, err
		}
		if st.tag == tag {
			out = append(out, st)
		}
	}
	return out, nil
}
