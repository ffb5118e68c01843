//go:build cgo

package pkcs11

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"

	p11 "github.com/miekg/pkcs11"
)

// Token signing keys: a key pair generated in the token (pkms's opt-in
// beyond AWS, which keeps only symmetric keys in custom key stores). The
// private key is sensitive and never extractable; the public key is read
// once and kept in the vault, so verifying never needs the token.

// ecParamsP384 is CKA_EC_PARAMS for P-384: the DER OID 1.3.132.0.34.
var ecParamsP384 = []byte{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22}

// GenerateKeyPair creates a persistent signing key pair of the KMS key spec
// (ECC_NIST_P256, ECC_NIST_P384, RSA_2048, RSA_3072 or RSA_4096) with the
// given CKA_LABEL and CKA_ID on both halves, and returns the public key as
// a DER SubjectPublicKeyInfo.
func (t *Token) GenerateKeyPair(spec, label string, id []byte) ([]byte, error) {
	var mech uint
	var pubAttrs []*p11.Attribute
	var curve elliptic.Curve
	switch spec {
	case "ECC_NIST_P256", "ECC_NIST_P384":
		params, c := ecParamsP256, elliptic.P256()
		if spec == "ECC_NIST_P384" {
			params, c = ecParamsP384, elliptic.P384()
		}
		mech, curve = p11.CKM_EC_KEY_PAIR_GEN, c
		pubAttrs = []*p11.Attribute{p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC), p11.NewAttribute(p11.CKA_EC_PARAMS, params)}
	case "RSA_2048", "RSA_3072", "RSA_4096":
		bits := map[string]int{"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}[spec]
		mech = p11.CKM_RSA_PKCS_KEY_PAIR_GEN
		pubAttrs = []*p11.Attribute{p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_RSA), p11.NewAttribute(p11.CKA_MODULUS_BITS, bits),
			p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1})}
	default:
		return nil, fmt.Errorf("pkcs11: no token signing key of spec %s", spec)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.check(); err != nil {
		return nil, err
	}
	pubTmpl := append(pubAttrs,
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PUBLIC_KEY),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_VERIFY, true),
		p11.NewAttribute(p11.CKA_LABEL, label),
		p11.NewAttribute(p11.CKA_ID, id))
	privTmpl := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_DECRYPT, false),
		p11.NewAttribute(p11.CKA_DERIVE, false),
		p11.NewAttribute(p11.CKA_LABEL, label),
		p11.NewAttribute(p11.CKA_ID, id),
	}
	pub, priv, err := t.m.ctx.GenerateKeyPair(t.sh, []*p11.Mechanism{p11.NewMechanism(mech, nil)}, pubTmpl, privTmpl)
	if err != nil {
		return nil, t.fail("generating a "+spec+" key pair", err)
	}
	spki, err := t.publicKey(pub, curve)
	if err == nil {
		var a KeyAttributes
		if a, err = t.attributes(priv); err == nil && (!a.Sensitive || a.Extractable || !a.Token || a.ValueReadable) {
			err = errors.New("the token did not make the private key sensitive, non-extractable and persistent")
		}
	}
	if err != nil {
		_ = t.m.ctx.DestroyObject(t.sh, priv)
		_ = t.m.ctx.DestroyObject(t.sh, pub)
		return nil, fmt.Errorf("pkcs11: key pair generated on %s (deleted again): %w", where(t.m, t.info.Label), err)
	}
	t.handles[label] = priv
	return spki, nil
}

// publicKey reads a public key object as a DER SubjectPublicKeyInfo; curve
// is nil for RSA.
func (t *Token) publicKey(h p11.ObjectHandle, curve elliptic.Curve) ([]byte, error) {
	var pub any
	if curve != nil {
		attrs, err := t.m.ctx.GetAttributeValue(t.sh, h, []*p11.Attribute{p11.NewAttribute(p11.CKA_EC_POINT, nil)})
		if err != nil {
			return nil, fmt.Errorf("reading CKA_EC_POINT: %w", err)
		}
		b := attrs[0].Value
		if len(b) > 2 && b[0] == 0x04 && int(b[1]) == len(b)-2 {
			b = b[2:] // a DER OCTET STRING around the point
		}
		k, err := ecdsa.ParseUncompressedPublicKey(curve, b)
		if err != nil {
			return nil, fmt.Errorf("CKA_EC_POINT is not an uncompressed point on the curve")
		}
		pub = k
	} else {
		attrs, err := t.m.ctx.GetAttributeValue(t.sh, h, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_MODULUS, nil), p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, nil)})
		if err != nil {
			return nil, fmt.Errorf("reading the RSA public key: %w", err)
		}
		e := new(big.Int).SetBytes(attrs[1].Value)
		if !e.IsInt64() || e.Int64() > 1<<31 {
			return nil, errors.New("the RSA public exponent is out of range")
		}
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(attrs[0].Value), E: int(e.Int64())}
	}
	return x509.MarshalPKIXPublicKey(pub)
}

var pssHashes = map[crypto.Hash][2]uint{
	crypto.SHA256: {p11.CKM_SHA256, p11.CKG_MGF1_SHA256},
	crypto.SHA384: {p11.CKM_SHA384, p11.CKG_MGF1_SHA384},
	crypto.SHA512: {p11.CKM_SHA512, p11.CKG_MGF1_SHA512},
}

// Sign signs input with the private key labelled label, inside the token:
// a digest (SignECDSA, SignPSS, hashed with h) or a DigestInfo (SignPKCS1).
func (t *Token) Sign(label string, scheme SignScheme, h crypto.Hash, input []byte) ([]byte, error) {
	var mech *p11.Mechanism
	switch scheme {
	case SignECDSA:
		mech = p11.NewMechanism(p11.CKM_ECDSA, nil)
	case SignPKCS1:
		mech = p11.NewMechanism(p11.CKM_RSA_PKCS, nil)
	case SignPSS:
		hm, ok := pssHashes[h]
		if !ok {
			return nil, fmt.Errorf("pkcs11: no PSS with hash %v", h)
		}
		mech = p11.NewMechanism(p11.CKM_RSA_PKCS_PSS, p11.NewPSSParams(hm[0], hm[1], uint(h.Size())))
	default:
		return nil, fmt.Errorf("pkcs11: unknown signature scheme %d", scheme)
	}
	var sig []byte
	err := t.withKey(label, func(k p11.ObjectHandle) error {
		if err := t.m.ctx.SignInit(t.sh, []*p11.Mechanism{mech}, k); err != nil {
			return err
		}
		var err error
		sig, err = t.m.ctx.Sign(t.sh, input)
		return err
	})
	if err != nil && !errors.Is(err, ErrKeyNotFound) && !errors.Is(err, ErrTokenNotFound) {
		return nil, t.fail("signing", err)
	}
	return sig, err
}
