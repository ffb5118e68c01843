package crypto

// HMAC for GENERATE_VERIFY_MAC keys (RFC 2104, AWS HMAC_SHA_224/256/384/512).

import (
	"crypto/hmac"
	"fmt"
)

var hmacSchemes = []scheme{schemeHMAC}

// MAC returns the HMAC of message under key with alg HMAC_SHA_224,
// HMAC_SHA_256, HMAC_SHA_384 or HMAC_SHA_512 (ErrUnsupported otherwise).
// The tag is the full hash output (28, 32, 48 or 64 bytes).
func MAC(key []byte, alg string, message []byte) ([]byte, error) {
	a, err := lookupAlgorithm(alg, "MAC", hmacSchemes...)
	if err != nil {
		return nil, err
	}
	m := hmac.New(a.hash.New, key)
	m.Write(message)
	return m.Sum(nil), nil
}

// VerifyMAC recomputes the HMAC of message and compares it with mac in
// constant time. It returns nil when they match and ErrInvalidMAC otherwise
// (including a truncated or extended mac).
func VerifyMAC(key []byte, alg string, message, mac []byte) error {
	want, err := MAC(key, alg, message)
	if err != nil {
		return err
	}
	if !hmac.Equal(want, mac) {
		return fmt.Errorf("%w: %s", ErrInvalidMAC, alg)
	}
	return nil
}
