package pkcs11

import "errors"

// Sentinel errors. They are returned wrapped with context (module path,
// token label, key id), never with the PIN; test them with errors.Is. They
// pass through age.Decrypt unchanged.
var (
	// ErrNoCgo: this binary was built without cgo, so no token can be used.
	ErrNoCgo = errors.New("pkms was built without cgo; PKCS#11 token slots need a cgo build (CGO_ENABLED=1)")

	// ErrModuleUnavailable: the PKCS#11 module could not be loaded or
	// initialised (missing .so, wrong architecture, module error).
	ErrModuleUnavailable = errors.New("PKCS#11 module unavailable")

	// ErrTokenNotFound: no present token carries the configured label (the
	// token is unplugged, or another one is). A caller can fall back to
	// another slot, such as a passphrase.
	ErrTokenNotFound = errors.New("PKCS#11 token not found")

	// ErrKeyNotFound: the token is there but holds no private key with the
	// slot's CKA_ID (after logging in).
	ErrKeyNotFound = errors.New("PKCS#11 key not found on the token")

	// ErrIncorrectPIN: the token refused the PIN (CKR_PIN_INCORRECT or
	// CKR_PIN_LEN_RANGE, which is wrapped too).
	ErrIncorrectPIN = errors.New("incorrect PIN for the PKCS#11 token")

	// ErrPINLocked: the token's PIN is locked (CKR_PIN_LOCKED), too many
	// wrong PINs were tried; it has to be unblocked with the token's tools.
	ErrPINLocked = errors.New("the PKCS#11 token's PIN is locked")
)

// Unavailable reports whether err means that token slots cannot be used here
// and now (no cgo, module not loadable, token absent), as opposed to a wrong
// PIN or a damaged slot. A caller unlocking a vault uses it to fall back to
// another slot, such as a passphrase.
func Unavailable(err error) bool {
	return errors.Is(err, ErrNoCgo) || errors.Is(err, ErrModuleUnavailable) || errors.Is(err, ErrTokenNotFound)
}
