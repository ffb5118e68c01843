package crypto

import (
	"crypto"
	"encoding/asn1"
	"fmt"
	"math/big"
)

// DigestSigner signs with a private key held elsewhere (inside a PKCS#11
// token), given what the primitive operates on.
type DigestSigner interface {
	// SignECDSA returns the raw r ‖ s signature of a digest.
	SignECDSA(digest []byte) ([]byte, error)
	// SignPKCS1v15 returns the PKCS #1 v1.5 signature of a DigestInfo.
	SignPKCS1v15(digestInfo []byte) ([]byte, error)
	// SignPSS returns the RSASSA-PSS signature of a digest made with h
	// (MGF1 with h, a salt as long as the digest).
	SignPSS(h crypto.Hash, digest []byte) ([]byte, error)
}

// digestInfoPrefixes are the DER DigestInfo headers of PKCS #1 v1.5.
var digestInfoPrefixes = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// SignWith is Sign for a key of the given spec whose private half ds holds:
// the same algorithm and message type rules, the same signature encodings
// (ECDSA in ASN.1 DER), for the RSA and NIST-curve ECDSA schemes.
func SignWith(spec string, ds DigestSigner, alg, messageType string, message []byte) ([]byte, error) {
	s, err := prepare(spec, alg, messageType, message)
	if err != nil {
		return nil, err
	}
	var sig []byte
	switch s.alg.scheme {
	case schemeECDSA:
		var rs []byte
		if rs, err = ds.SignECDSA(s.input); err == nil {
			if len(rs) == 0 || len(rs)%2 != 0 {
				return nil, fmt.Errorf("crypto: %s signature: the signer returned %d bytes, not r ‖ s", alg, len(rs))
			}
			n := len(rs) / 2
			sig, err = asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(rs[:n]), new(big.Int).SetBytes(rs[n:])})
		}
	case schemePKCS1:
		prefix, ok := digestInfoPrefixes[s.alg.hash]
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrUnsupported, alg)
		}
		sig, err = ds.SignPKCS1v15(append(append([]byte(nil), prefix...), s.input...))
	case schemePSS:
		sig, err = ds.SignPSS(s.alg.hash, s.input)
	default:
		return nil, fmt.Errorf("%w: %s cannot be used with a key held in a token", ErrUnsupported, alg)
	}
	if err != nil {
		return nil, fmt.Errorf("crypto: %s signature: %w", alg, err)
	}
	return sig, nil
}
