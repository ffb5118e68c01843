package crypto

// crypto/x509 does not know secp256k1 (ECC_SECG_P256K1), so this file writes
// and reads its PKCS#8 and SubjectPublicKeyInfo encodings with encoding/asn1,
// byte for byte as openssl does (`openssl pkcs8 -topk8 -nocrypt -outform DER`
// and `openssl pkey -pubout -outform DER`), and signs with the decred
// implementation of the curve.

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

var (
	oidPublicKeyEC = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1} // id-ecPublicKey
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
)

// pkcs8Info is an RFC 5208 PrivateKeyInfo (trailing attributes ignored).
type pkcs8Info struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

// spkiInfo is an RFC 5280 SubjectPublicKeyInfo.
type spkiInfo struct {
	Algo      pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// ecPrivateKey is an RFC 5915 / SEC 1 ECPrivateKey.
type ecPrivateKey struct {
	Version       int
	PrivateKey    []byte
	NamedCurveOID asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey     asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

// secp256k1Algo is the AlgorithmIdentifier id-ecPublicKey + namedCurve
// secp256k1, shared by the PKCS#8 and SPKI encodings.
func secp256k1Algo() pkix.AlgorithmIdentifier {
	params, _ := asn1.Marshal(oidSecp256k1) // cannot fail for a valid OID
	return pkix.AlgorithmIdentifier{Algorithm: oidPublicKeyEC, Parameters: asn1.RawValue{FullBytes: params}}
}

func isSecp256k1Algo(a pkix.AlgorithmIdentifier) bool {
	if !a.Algorithm.Equal(oidPublicKeyEC) {
		return false
	}
	var curve asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(a.Parameters.FullBytes, &curve)
	return err == nil && len(rest) == 0 && curve.Equal(oidSecp256k1)
}

// marshalSecp256k1PKCS8 writes PrivateKeyInfo{0, id-ecPublicKey+secp256k1,
// ECPrivateKey{1, d (32 bytes), [1] uncompressed public point}}.
func marshalSecp256k1PKCS8(k *secp256k1.PrivateKey) ([]byte, error) {
	pub := k.PubKey().SerializeUncompressed()
	inner, err := asn1.Marshal(ecPrivateKey{
		Version:    1,
		PrivateKey: k.Serialize(),
		PublicKey:  asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pkcs8Info{Algo: secp256k1Algo(), PrivateKey: inner})
}

// marshalSecp256k1SPKI writes SubjectPublicKeyInfo{id-ecPublicKey+secp256k1,
// uncompressed point}.
func marshalSecp256k1SPKI(pub *secp256k1.PublicKey) ([]byte, error) {
	point := pub.SerializeUncompressed()
	return asn1.Marshal(spkiInfo{Algo: secp256k1Algo(), PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
}

// parseSecp256k1PKCS8 parses der if it is a secp256k1 PrivateKeyInfo; ok is
// false when it is some other key, for the generic parser to handle.
func parseSecp256k1PKCS8(der []byte) (key *secp256k1.PrivateKey, ok bool, err error) {
	var p pkcs8Info
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 || !isSecp256k1Algo(p.Algo) {
		return nil, false, nil
	}
	if p.Version != 0 && p.Version != 1 {
		return nil, true, errors.New("unknown PKCS#8 version")
	}
	var ec ecPrivateKey
	if rest, err := asn1.Unmarshal(p.PrivateKey, &ec); err != nil || len(rest) != 0 {
		return nil, true, errors.New("malformed secp256k1 ECPrivateKey")
	}
	if ec.Version != 1 || (ec.NamedCurveOID != nil && !ec.NamedCurveOID.Equal(oidSecp256k1)) || len(ec.PrivateKey) > 32 {
		return nil, true, errors.New("malformed secp256k1 ECPrivateKey")
	}
	k, valid := newSecp256k1Key(ec.PrivateKey)
	if !valid {
		return nil, true, errors.New("secp256k1 private scalar out of range")
	}
	return k, true, nil
}

// parseSecp256k1SPKI parses der if it is a secp256k1 SubjectPublicKeyInfo
// (uncompressed or compressed point); ok is false for any other key.
func parseSecp256k1SPKI(der []byte) (pub *secp256k1.PublicKey, ok bool, err error) {
	var s spkiInfo
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) != 0 || !isSecp256k1Algo(s.Algo) {
		return nil, false, nil
	}
	if s.PublicKey.BitLength != 8*len(s.PublicKey.Bytes) {
		return nil, true, errors.New("malformed secp256k1 public key")
	}
	pub, err = secp256k1.ParsePubKey(s.PublicKey.Bytes)
	return pub, true, err
}

// newSecp256k1Key turns 32 bytes into a private key, or reports that they
// are not a valid scalar (zero or ≥ the group order).
func newSecp256k1Key(b []byte) (*secp256k1.PrivateKey, bool) {
	var d secp256k1.ModNScalar
	if overflow := d.SetByteSlice(b); overflow || d.IsZero() {
		return nil, false
	}
	return secp256k1.NewPrivateKey(&d), true
}

// signSecp256k1 returns the DER ECDSA signature of digest. decred signs
// deterministically (RFC 6979 nonce, low-S), so no randomness is used.
func signSecp256k1(k *secp256k1.PrivateKey, digest []byte) []byte {
	return k1ecdsa.Sign(k, digest).Serialize()
}

// verifySecp256k1 reports whether sig is a valid DER ECDSA signature of
// digest (high-S signatures, as openssl writes them, are accepted).
func verifySecp256k1(pub *secp256k1.PublicKey, digest, sig []byte) bool {
	s, err := k1ecdsa.ParseDERSignature(sig)
	return err == nil && s.Verify(digest, pub)
}
