// Package pkcs11 lets a PKCS#11 token (a YubiKey PIV applet through ykcs11
// or OpenSC, a network or PCIe HSM, SoftHSM2 in tests) guard the vault key,
// expressed as an age Recipient/Identity pair so that the vault's slot code
// treats a token slot as one more age slot. It is also the one PKCS#11
// layer of KMS custom key stores (Token, in keystore*.go): keys generated
// in a token and used there. Both share one module registry.
//
// # Why
//
// A passphrase or an age identity file can be copied and then attacked or
// used offline. A key generated inside a token as sensitive and
// non-extractable (CKA_SENSITIVE=true, CKA_EXTRACTABLE=false) never leaves
// it: whoever wants the vault key needs the token itself and its PIN, and
// the token's own retry counter limits PIN guessing. The token key is a P-256
// key pair (the curve every PKCS#11 token supports for ECDH) with
// CKA_DERIVE=true; the vault key is wrapped to its public key by ECDH with
// an ephemeral key, exactly like age's X25519 recipient does with Curve25519.
// Wrapping therefore needs only the public key and no token access (adding a
// slot, rekeying and exporting never ask for the PIN); only unwrapping uses
// the token, through C_DeriveKey with CKM_ECDH1_DERIVE.
//
// Because the wrap is an age stanza, the slot is an ordinary small age file
// and the vault's slot machinery (one age file per slot, header MAC, file key
// handling) is reused unchanged.
//
// The PIN is obtained through Config.PIN only when the token asks for a
// login: it never appears in argv, in the environment, in Params or in an
// error, and the caller's bytes are zeroed right after C_Login (the
// binding's transient C copy made for the call is freed, not zeroed).
//
// # Stanza format
//
// The recipient stanza has the type "pkms-p11-p256", two arguments and a
// body:
//
//	-> pkms-p11-p256 TAG EPHEMERAL
//	BODY
//
// where:
//
//   - TAG is the first 4 bytes of SHA-256 of the token's public key (the
//     65-byte uncompressed SEC 1 point), base64 without padding (6 chars).
//     It says which token key a stanza is for, so that an Identity answers
//     age.ErrIncorrectIdentity for other keys without touching any token.
//   - EPHEMERAL is the ephemeral P-256 public key as a 65-byte uncompressed
//     SEC 1 point (0x04‖X‖Y), base64 without padding (87 chars). Compressed
//     points are not produced and are refused, as are points off the curve.
//   - BODY (32 bytes) is the 16-byte age file key sealed with
//     ChaCha20-Poly1305 under a zero nonce and the 32-byte key
//     HKDF-SHA-256(secret, salt = EPHEMERAL ‖ token public key (both 65-byte
//     points), info = "pkms-p11-p256"), where secret is the ECDH shared
//     secret: the 32-byte X coordinate, which is what CKM_ECDH1_DERIVE with
//     CKD_NULL yields. This is age's X25519 construction on P-256.
//
// Base64 is the standard alphabet, unpadded and canonical, as everywhere in
// the age header. Every field is checked strictly when unwrapping (argument
// count, encodings, lengths, point on the curve, body length); a malformed
// stanza of this type is an error, never a panic.
//
// # Mixing with other recipients
//
// Recipient implements plain age.Recipient with no labels, like age's
// X25519 recipient: age.Encrypt accepts it alone or together with other
// classic recipients (X25519, SSH, other token slots), and refuses it next to
// a post-quantum (hybrid) recipient or a passphrase (scrypt) recipient. P-256
// ECDH is not post-quantum, so the refusal is correct. The vault keeps one
// age file per slot, so in practice a token recipient is used alone.
//
// # Tokens, modules and concurrency
//
// An Identity touches nothing until Unwrap meets a stanza with its key tag;
// then it loads the module, finds the one present token with the label, opens
// a session, finds the private key by CKA_ID, and logs in (CKU_USER, asking
// Config.PIN) only if the key is invisible or unusable without a login. The
// session and login are kept until Close, so later unwraps do not ask again.
// A PKCS#11 module is process-wide state, so each module file is initialised
// once and shared by reference count between Identities and GenerateKey
// calls; the last Close finalises and unloads it. Identity and Recipient are
// safe for concurrent use.
//
// # Build
//
// Token access needs cgo (github.com/miekg/pkcs11). In a build without cgo,
// Recipient and RecipientFromParams work (wrapping is pure Go), while
// GenerateKey and NewIdentity return an error wrapping ErrNoCgo.
package pkcs11
