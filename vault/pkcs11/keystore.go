package pkcs11

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Key store tokens. Besides guarding the vault key, a token can back a KMS
// custom key store: the KMS keys of the store are AES-256 secret keys
// generated inside the token (persistent, sensitive, never extractable),
// and every encryption with them runs AES-GCM inside the token. The vault
// holds only their metadata. Token (in keystore_cgo.go) is a logged-in
// session on such a token; it shares the module registry of the vault's
// token slots, so one process initialises each module once whatever uses it.

// ErrDecrypt: the token refused to decrypt (a modified ciphertext, or
// another key). Tokens report this in different ways (SoftHSM2 answers
// CKR_GENERAL_ERROR to a bad GCM tag), so any C_Decrypt failure that is not
// a lost session or token is reported as ErrDecrypt.
var ErrDecrypt = errors.New("the PKCS#11 token could not decrypt the ciphertext")

// TokenRef names a token: its label, or "slot:N" for the token in slot N
// (for tokens whose label is not unique or not known). It is what a custom
// key store's CloudHsmClusterId holds.
type TokenRef string

// slotRefPrefix marks a TokenRef naming a slot number.
const slotRefPrefix = "slot:"

// parse returns the slot number of a "slot:N" reference, or the label.
func (r TokenRef) parse() (slot uint, bySlot bool, label string, err error) {
	s := string(r)
	if n, ok := strings.CutPrefix(s, slotRefPrefix); ok {
		v, perr := strconv.ParseUint(n, 10, 32)
		if perr != nil {
			return 0, false, "", fmt.Errorf("pkcs11: %q is not slot:N with N a slot number", s)
		}
		return uint(v), true, "", nil
	}
	if err := checkLabel(s, maxTokenLen); err != nil {
		return 0, false, "", fmt.Errorf("pkcs11: invalid token label: %v", err)
	}
	return 0, false, s, nil
}

// TokenInfo describes a token found in a module.
type TokenInfo struct {
	Module string // the module path it was found through
	Label  string
	Serial string // CK_TOKEN_INFO serialNumber, trimmed
}

// KeyAttributes are the security attributes of a token key, read back to
// prove (in tests and after generation) that its value cannot leave.
type KeyAttributes struct {
	Sensitive, Extractable, Token bool
	// ValueReadable is true if the token handed out CKA_VALUE.
	ValueReadable bool
}

// FindTokenIn looks for the token ref in the given modules, in order, and
// returns the first that has it. It loads modules but does not log in.
// Errors wrap ErrNoCgo, ErrModuleUnavailable or ErrTokenNotFound.
func FindTokenIn(modules []string, ref TokenRef) (TokenInfo, error) {
	if len(modules) == 0 {
		return TokenInfo{}, fmt.Errorf("pkcs11: %w: no PKCS#11 module found at the usual paths (set PKMS_PKCS11_MODULE)", ErrModuleUnavailable)
	}
	var errs []error
	for _, m := range modules {
		info, err := FindToken(m, ref)
		if err == nil {
			return info, nil
		}
		if errors.Is(err, ErrNoCgo) {
			return TokenInfo{}, err
		}
		errs = append(errs, err)
	}
	return TokenInfo{}, errors.Join(errs...)
}

// SignScheme is how Token.Sign uses a token's private key.
type SignScheme int

const (
	// SignECDSA signs a digest with CKM_ECDSA; the answer is r ‖ s.
	SignECDSA SignScheme = iota + 1
	// SignPKCS1 signs a DigestInfo with CKM_RSA_PKCS (PKCS #1 v1.5).
	SignPKCS1
	// SignPSS signs a digest with CKM_RSA_PKCS_PSS, MGF1 with the digest's
	// hash and a salt as long as the digest.
	SignPSS
)
