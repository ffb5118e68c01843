package crypto

// DeriveSharedSecret for KEY_AGREEMENT keys: the raw ECDH primitive on the
// NIST curves, as AWS returns it (the caller runs a KDF over it).

import (
	"crypto/ecdsa"
	"fmt"
)

// DeriveSharedSecret returns the raw ECDH shared secret (the x coordinate:
// 32, 48 or 66 bytes for P-256, P-384, P-521) between a PKCS#8 NIST EC
// private key and a peer SubjectPublicKeyInfo public key on the same curve.
// A peer key that does not parse or lies on another curve gives
// ErrInvalidKey; a private key that is not on a NIST curve gives
// ErrIncompatible.
func DeriveSharedSecret(privPKCS8, peerSPKI []byte) ([]byte, error) {
	k, err := parsePrivate(privPKCS8)
	if err != nil {
		return nil, err
	}
	priv, ok := k.priv.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: ECDH cannot be used with a %s key", ErrIncompatible, k.spec)
	}
	peer, err := parsePublic(peerSPKI)
	if err != nil {
		return nil, err
	}
	pub, ok := peer.pub.(*ecdsa.PublicKey)
	if !ok || pub.Curve != priv.Curve {
		return nil, fmt.Errorf("%w: peer key is %s, not on the curve of the %s key", ErrInvalidKey, peer.spec, k.spec)
	}
	ep, err := priv.ECDH()
	if err != nil {
		return nil, fmt.Errorf("%w: private key is not an ECDH key", ErrInvalidKey)
	}
	pp, err := pub.ECDH()
	if err != nil {
		return nil, fmt.Errorf("%w: peer key is not a valid point", ErrInvalidKey)
	}
	secret, err := ep.ECDH(pp)
	if err != nil {
		return nil, fmt.Errorf("%w: peer key gives no shared secret", ErrInvalidKey)
	}
	return secret, nil
}
