package crypto

import (
	"crypto/sha256"
	"errors"
	"reflect"
	"unsafe"
)

// Key material must not outlive its use in memory the garbage collector
// manages: a freed object keeps its bytes until the memory is reused. The
// standard library's AES, GCM and SHA-256 objects hold copies of what they
// were keyed with (with AES-NI the first round keys of AES-256 are the raw
// key), and HMAC and HKDF leave the key, or the secret they extract from,
// in a hash's block buffer. The functions here key those objects, use them
// and overwrite them before letting go, and HKDF and HMAC are built on a
// SHA-256 object that is overwritten the same way.

// scrub overwrites the value x points to, if it holds no pointers (the
// AES, GCM and SHA-256 state types do not); it reports whether it did.
// Overwriting a value with pointers behind the garbage collector's back
// would be unsafe, so such a value is left alone.
func scrub(x any) bool {
	v := reflect.ValueOf(x)
	if v.Kind() != reflect.Pointer || v.IsNil() || !pointerFree(v.Type().Elem()) {
		return false
	}
	clear(unsafe.Slice((*byte)(v.UnsafePointer()), v.Type().Elem().Size()))
	return true
}

func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return t.Len() == 0 || pointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// hmacSHA256 appends HMAC-SHA-256(key, parts...) to dst (RFC 2104, keys of
// at most one block, as every key here is). The padded key and the hash
// state are overwritten before it returns.
func hmacSHA256(dst, key []byte, parts ...[]byte) []byte {
	if len(key) > sha256.BlockSize {
		sum := sha256.Sum256(key)
		key = sum[:]
	}
	pad := make([]byte, sha256.BlockSize+sha256.Size) // padded key ‖ inner hash
	defer clear(pad)
	copy(pad, key)
	for i := range sha256.BlockSize {
		pad[i] ^= 0x36
	}
	h := sha256.New()
	defer scrub(h)
	h.Write(pad[:sha256.BlockSize])
	for _, p := range parts {
		h.Write(p)
	}
	inner := h.Sum(pad[sha256.BlockSize:sha256.BlockSize])
	for i := range sha256.BlockSize {
		pad[i] ^= 0x36 ^ 0x5c
	}
	h.Reset()
	h.Write(pad[:sha256.BlockSize])
	h.Write(inner)
	return h.Sum(dst)
}

// HMACSHA256 is HMAC-SHA-256(key, parts concatenated). A key of at most
// one block (64 bytes) leaves no copy behind (see scrub); a longer one is
// hashed first, as HMAC requires, and its digest is not wiped.
func HMACSHA256(key []byte, parts ...[]byte) []byte {
	return hmacSHA256(make([]byte, 0, sha256.Size), key, parts...)
}

// DeriveKeyTo writes DeriveKey(root, label) into dst (KeySize bytes, for
// example locked memory) without leaving the root, the extracted secret or
// the result anywhere else: HKDF-SHA-256 (RFC 5869) with no salt, computed
// with hmacSHA256, its temporaries overwritten and the stack it used
// overwritten too.
func DeriveKeyTo(dst, root []byte, label string) error {
	if len(dst) != KeySize {
		return errors.New("crypto: derived key buffer must be 32 bytes")
	}
	burnStack() // grow the stack first: growing it later would copy secrets
	defer burnStack()
	var zeroSalt [sha256.Size]byte
	prk := hmacSHA256(make([]byte, 0, sha256.Size), zeroSalt[:], root)
	defer clear(prk)
	hmacSHA256(dst[:0], prk, []byte(hkdfPrefix+label), []byte{1})
	return nil
}

const hkdfPrefix = "pkms v1 "

// burnStack overwrites the part of the goroutine's stack that the hash
// functions below the caller used (each well under a kilobyte deep).
//
//go:noinline
func burnStack() {
	var b [8 << 10]byte
	burnSink(b[:])
}

// burnSink takes the array's address, so the compiler must zero it.
//
//go:noinline
func burnSink([]byte) {}
