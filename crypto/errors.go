package crypto

import "errors"

// Sentinel errors of the asymmetric, HMAC and key-agreement primitives.
// Functions wrap them with detail (fmt.Errorf("%w: …")), so callers test them
// with errors.Is and map each to the matching KMS exception.
var (
	// ErrUnsupported reports a key spec, algorithm or message type that pkms
	// cannot perform (SM2, SM2DSA, SM2PKE, an unknown name, or ML-DSA
	// EXTERNAL_MU verification). The wrapped message names it.
	ErrUnsupported = errors.New("not supported by pkms")

	// ErrInvalidSignature reports a signature that does not verify, including
	// signature bytes that are malformed.
	ErrInvalidSignature = errors.New("signature is not valid")

	// ErrInvalidMAC reports a MAC that does not match the message.
	ErrInvalidMAC = errors.New("MAC is not valid")

	// ErrMessageLength reports a message of the wrong size: a DIGEST whose
	// length is not the hash size, an EXTERNAL_MU that is not 64 bytes, a RAW
	// message that is empty or longer than 4096 bytes, or an OAEP plaintext
	// over the key's limit.
	ErrMessageLength = errors.New("message length is not valid")

	// ErrIncompatible reports an algorithm or message type that does not fit
	// the key: ECDSA_SHA_384 with a P-256 key, an RSA algorithm with an EC
	// key, DIGEST with ED25519_SHA_512, ECDH with a non-NIST key, …
	ErrIncompatible = errors.New("algorithm is not compatible with the key")

	// ErrInvalidKey reports key bytes that do not parse as a key of a
	// supported spec, or an ECDH peer key on another curve.
	ErrInvalidKey = errors.New("key is not valid")
)
