package crypto

// AES Key Wrap with Padding (RFC 5649), built on the RFC 3394 wrapping
// process, as used by the RSA_AES_KEY_WRAP_* import wrapping algorithms and
// produced by `openssl enc -id-aes256-wrap-pad -iv A65959A6`.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"math"
)

// kwpMagic is the constant half of the RFC 5649 alternative initial value
// (AIV = A65959A6 ‖ 32-bit big-endian message length indicator).
const kwpMagic uint32 = 0xA65959A6

// newKEK checks the key-encryption key size and returns its AES block.
func newKEK(kek []byte) (cipher.Block, error) {
	switch len(kek) {
	case 16, 24, 32:
	default:
		return nil, fmt.Errorf("%w: AES key wrap key must be 16, 24 or 32 bytes, got %d", ErrInvalidKey, len(kek))
	}
	return aes.NewCipher(kek)
}

// KeyWrapPad wraps key with AES Key Wrap with Padding (RFC 5649) under kek
// (16, 24 or 32 bytes) with the default alternative initial value
// A65959A6 ‖ MLI, exactly as `openssl enc -id-aes256-wrap-pad -iv A65959A6`
// does (-id-aes128-/-id-aes192- for the shorter keys). The output is
// len(key) rounded up to a multiple of 8, plus 8 bytes. A kek of another
// size gives ErrInvalidKey; an empty key or one of 2³² bytes or more gives
// ErrMessageLength. Wrapping is deterministic.
func KeyWrapPad(kek, key []byte) ([]byte, error) {
	block, err := newKEK(kek)
	if err != nil {
		return nil, err
	}
	if len(key) == 0 || uint64(len(key)) > math.MaxUint32 {
		return nil, fmt.Errorf("%w: AES key wrap with padding takes 1 to 2^32-1 bytes, got %d", ErrMessageLength, len(key))
	}
	var aiv [8]byte
	binary.BigEndian.PutUint32(aiv[:4], kwpMagic)
	binary.BigEndian.PutUint32(aiv[4:], uint32(len(key)))
	padded := make([]byte, (len(key)+7)/8*8) // zero padding
	copy(padded, key)
	out := kwpWrapRaw(block, aiv, padded)
	clear(padded)
	return out, nil
}

// kwpWrapRaw is the RFC 5649 §4.1 step 2 on an already padded plaintext (a
// non-zero multiple of 8 bytes) with initial value aiv: one AES block
// encryption of aiv ‖ P for a single 64-bit block, otherwise the RFC 3394
// wrapping process (index-based form, §2.2.1) with aiv as its IV.
func kwpWrapRaw(block cipher.Block, aiv [8]byte, padded []byte) []byte {
	out := make([]byte, 8+len(padded))
	copy(out, aiv[:])
	copy(out[8:], padded)
	if len(padded) == 8 {
		block.Encrypt(out, out)
		return out
	}
	n := uint64(len(padded) / 8)
	var b [16]byte
	copy(b[:8], out[:8]) // A
	for j := range uint64(6) {
		for i := uint64(1); i <= n; i++ {
			r := out[8*i : 8*i+8]
			copy(b[8:], r)
			block.Encrypt(b[:], b[:])
			binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(b[:8])^(n*j+i))
			copy(r, b[8:])
		}
	}
	copy(out[:8], b[:8])
	clear(b[:])
	return out
}

// kwpUnwrapRaw reverses kwpWrapRaw: it returns the recovered initial value
// and padded plaintext of wrapped (a multiple of 8 bytes, at least 16).
func kwpUnwrapRaw(block cipher.Block, wrapped []byte) (aiv [8]byte, padded []byte) {
	if len(wrapped) == 16 {
		var b [16]byte
		block.Decrypt(b[:], wrapped)
		copy(aiv[:], b[:8])
		padded = make([]byte, 8)
		copy(padded, b[8:])
		clear(b[:])
		return aiv, padded
	}
	n := uint64(len(wrapped)/8 - 1)
	padded = make([]byte, len(wrapped)-8)
	copy(padded, wrapped[8:])
	var b [16]byte
	copy(b[:8], wrapped[:8]) // A
	for j := int64(5); j >= 0; j-- {
		for i := n; i >= 1; i-- {
			r := padded[8*(i-1) : 8*i]
			binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(b[:8])^(n*uint64(j)+i))
			copy(b[8:], r)
			block.Decrypt(b[:], b[:])
			copy(r, b[8:])
		}
	}
	copy(aiv[:], b[:8])
	clear(b[:])
	return aiv, padded
}

// KeyUnwrapPad reverses KeyWrapPad. A wrapped value that is not a multiple
// of 8 bytes or shorter than 16, or that fails any RFC 5649 integrity check
// (the A65959A6 constant, the message length indicator not within the last
// 8-byte block, non-zero padding), gives ErrAuth without detail; a kek of
// the wrong size gives ErrInvalidKey. The checks are made in constant time.
func KeyUnwrapPad(kek, wrapped []byte) ([]byte, error) {
	block, err := newKEK(kek)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < 16 || len(wrapped)%8 != 0 {
		return nil, ErrAuth
	}
	aiv, padded := kwpUnwrapRaw(block, wrapped)

	// RFC 5649 §3: the constant must match, 8·(n−1) < MLI ≤ 8·n, and the
	// 8·n − MLI padding octets must be zero. MLI is secret until all checks
	// pass, so every check runs without data-dependent branches or indexes.
	var magic [4]byte
	binary.BigEndian.PutUint32(magic[:], kwpMagic)
	ok := subtle.ConstantTimeCompare(aiv[:4], magic[:])
	mli := uint64(binary.BigEndian.Uint32(aiv[4:]))
	total := uint64(len(padded))
	ok &= ctLessOrEq(total-7, mli) & ctLessOrEq(mli, total)
	var pad byte
	for i := len(padded) - 8; i < len(padded); i++ {
		// i ≥ mli ⇔ mli ≤ i: this octet is padding.
		pad |= padded[i] & byte(-ctLessOrEq(mli, uint64(i)))
	}
	ok &= subtle.ConstantTimeByteEq(pad, 0)
	if ok != 1 {
		clear(padded)
		return nil, ErrAuth
	}
	return padded[:mli], nil
}

// ctLessOrEq returns 1 if x ≤ y and 0 otherwise, in constant time, for x
// and y below 2⁶³.
func ctLessOrEq(x, y uint64) int {
	return int(1 ^ (y-x)>>63)
}
