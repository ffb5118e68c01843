// Package crypto holds the pure cryptographic primitives pkms is built on:
// the AES-256-GCM sealing used for vault records, the versioned symmetric
// ciphertext blob that Encrypt returns, the canonical encoding of an
// encryption context into additional authenticated data, and the
// asymmetric, HMAC and ECDH operations of every AWS key spec, named by the
// AWS algorithm strings and producing the standard encodings (DER SPKI,
// PKCS#8, ASN.1 ECDSA signatures, plain RSA-OAEP) that openssl reads.
//
// It deliberately knows nothing about vaults, keys or KMS semantics: every
// function takes the bytes it needs and returns bytes or an error, so it can
// be tested against published vectors and fuzzed without any setup.
// Randomness always comes from an io.Reader supplied by the caller
// (crypto/rand.Reader in production, a deterministic reader in tests).
package crypto
