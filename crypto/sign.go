package crypto

// Sign and Verify with AWS semantics: the algorithm must be one AWS lists for
// the key's spec, the message type must suit the algorithm, a DIGEST is
// signed as given (never hashed again), and a signature that does not verify
// is an error, never a false.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"io"
	"slices"

	"filippo.io/mldsa"
	"filippo.io/mldsa/mldsacrypto"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// maxMessageSize is the largest RAW message Sign and Verify accept (the AWS
// Message limit).
const maxMessageSize = 4096

// externalMuSize is the size of an ML-DSA message representative μ.
const externalMuSize = 64

// pssOptions fixes the RSASSA-PSS salt length to the digest length, as AWS
// does, for signing and (strictly) for verifying.
var pssOptions = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}

// signingSchemes are the schemes of the SigningAlgorithmSpec values.
var signingSchemes = []scheme{schemePSS, schemePKCS1, schemeECDSA, schemeEd25519, schemeEd25519ph, schemeMLDSA}

// messageTypes lists the message types each signing scheme accepts.
var messageTypes = map[scheme][]string{
	schemePSS:       {messageRaw, messageDigest},
	schemePKCS1:     {messageRaw, messageDigest},
	schemeECDSA:     {messageRaw, messageDigest},
	schemeEd25519:   {messageRaw},
	schemeEd25519ph: {messageDigest},
	schemeMLDSA:     {messageRaw, messageExternalMu},
}

// signature describes one signing request once checked: the algorithm and
// the bytes the primitive operates on.
type signature struct {
	alg        algorithm
	input      []byte // digest (RSA, ECDSA), message (Ed25519, ML-DSA), PH(M) (Ed25519ph) or μ
	externalMu bool
}

// prepare checks alg and messageType against the key's spec and the message
// length, and computes the primitive's input.
func prepare(spec, alg, messageType string, message []byte) (*signature, error) {
	a, err := lookupAlgorithm(alg, "signing", signingSchemes...)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(SigningAlgorithms(spec, usageSignVerify), alg) {
		return nil, fmt.Errorf("%w: %s cannot be used with a %s key", ErrIncompatible, alg, spec)
	}
	if messageType == "" {
		messageType = messageRaw // the AWS default
	}
	switch messageType {
	case messageRaw, messageDigest, messageExternalMu:
	default:
		return nil, fmt.Errorf("%w: message type %q", ErrUnsupported, messageType)
	}
	if !slices.Contains(messageTypes[a.scheme], messageType) {
		return nil, fmt.Errorf("%w: %s does not accept message type %s", ErrIncompatible, alg, messageType)
	}
	s := &signature{alg: a, input: message}
	switch messageType {
	case messageRaw:
		if len(message) == 0 || len(message) > maxMessageSize {
			return nil, fmt.Errorf("%w: a RAW message must be 1 to %d bytes, got %d", ErrMessageLength, maxMessageSize, len(message))
		}
		if a.scheme != schemeEd25519 && a.scheme != schemeMLDSA {
			s.input = digest(a.hash, message)
		}
	case messageDigest:
		if len(message) != a.hash.Size() {
			return nil, fmt.Errorf("%w: a DIGEST for %s must be %d bytes, got %d", ErrMessageLength, alg, a.hash.Size(), len(message))
		}
		if a.scheme == schemeEd25519ph {
			// AWS: "When you specify ED25519_PH_SHA_512 with
			// MessageType:DIGEST, KMS still performs the SHA-512 prehash"
			// (FIPS 186-5 §7.8.1 step 1): the 64-byte message is M, and
			// PH(M) = SHA-512(M) is what HashEdDSA signs.
			s.input = digest(crypto.SHA512, message)
		}
	case messageExternalMu:
		if len(message) != externalMuSize {
			return nil, fmt.Errorf("%w: an EXTERNAL_MU message must be %d bytes, got %d", ErrMessageLength, externalMuSize, len(message))
		}
		s.externalMu = true
	}
	return s, nil
}

func digest(h crypto.Hash, message []byte) []byte {
	d := h.New()
	d.Write(message)
	return d.Sum(nil)
}

// Sign signs a message with a PKCS#8 private key the way AWS KMS Sign does.
// alg is a SigningAlgorithmSpec and messageType is RAW (the default when
// empty), DIGEST or EXTERNAL_MU:
//
//   - RSASSA_PSS_SHA_256/384/512: PSS with MGF1 of the same hash and a salt
//     as long as the hash. RSASSA_PKCS1_V1_5_SHA_256/384/512: PKCS #1 v1.5.
//   - ECDSA_SHA_256/384/512: ASN.1 DER signature; the hash must be the one AWS
//     pairs with the curve (P-256 and secp256k1: SHA-256, P-384: SHA-384,
//     P-521: SHA-512).
//   - ED25519_SHA_512: PureEdDSA over the message; RAW only.
//   - ED25519_PH_SHA_512: HashEdDSA (Ed25519ph, empty context); DIGEST only,
//     a 64-byte message M of which AWS (and so pkms) still computes
//     PH(M) = SHA-512(M) before signing. openssl verifies it with
//     `pkeyutl -verify -rawin -pkeyopt instance:Ed25519ph` over the same M.
//   - ML_DSA_SHAKE_256: ML-DSA (FIPS 204, empty context) over a RAW message,
//     or over a 64-byte μ with EXTERNAL_MU.
//
// RAW messages are 1 to 4096 bytes. A DIGEST for RSA and ECDSA is the
// message's hash: it must be exactly the hash size and is signed without
// being hashed again, so the signature verifies as the RAW signature of any
// message with that digest.
//
// Errors: ErrInvalidKey (key does not parse), ErrUnsupported (unknown or SM2
// algorithm or message type), ErrIncompatible (algorithm or message type does
// not fit the key), ErrMessageLength.
//
// rand must not be nil; it supplies the PSS salt. ECDSA and ML-DSA signatures
// are randomized by the standard library and filippo.io/mldsa, which since Go
// 1.26 always use the system's secure source (tests make them reproducible
// with testing/cryptotest.SetGlobalRandom); PKCS #1 v1.5, Ed25519 and
// secp256k1 (RFC 6979) signatures are deterministic.
func Sign(rand io.Reader, privPKCS8 []byte, alg, messageType string, message []byte) ([]byte, error) {
	k, err := ParsePrivateKey(privPKCS8)
	if err != nil {
		return nil, err
	}
	return k.Sign(rand, alg, messageType, message)
}

// PrivateKey is a parsed PKCS#8 private key of an AWS key spec. Parsing
// dominates the cost of an ECDSA signature (it recomputes the public point),
// so a long-lived caller parses a key once and signs with it many times.
type PrivateKey struct{ k *asymKey }

// ParsePrivateKey parses a PKCS#8 (DER or BER) private key of any spec
// GenerateKeyPair makes; ErrInvalidKey otherwise.
func ParsePrivateKey(privPKCS8 []byte) (*PrivateKey, error) {
	k, err := parsePrivate(privPKCS8)
	if err != nil {
		return nil, err
	}
	return &PrivateKey{k}, nil
}

// Sign is the package-level Sign with an already parsed key.
func (p *PrivateKey) Sign(rand io.Reader, alg, messageType string, message []byte) ([]byte, error) {
	if rand == nil {
		return nil, errNilRand
	}
	k := p.k
	s, err := prepare(k.spec, alg, messageType, message)
	if err != nil {
		return nil, err
	}
	var sig []byte
	switch priv := k.priv.(type) {
	case *rsa.PrivateKey:
		if s.alg.scheme == schemePSS {
			sig, err = rsa.SignPSS(rand, priv, s.alg.hash, s.input, pssOptions)
		} else {
			sig, err = rsa.SignPKCS1v15(nil, priv, s.alg.hash, s.input)
		}
	case *ecdsa.PrivateKey:
		sig, err = ecdsa.SignASN1(rand, priv, s.input)
	case *secp256k1.PrivateKey:
		sig = signSecp256k1(priv, s.input)
	case ed25519.PrivateKey:
		if s.alg.scheme == schemeEd25519ph {
			sig, err = priv.Sign(nil, s.input, &ed25519.Options{Hash: crypto.SHA512})
		} else {
			sig = ed25519.Sign(priv, s.input)
		}
	case *mldsa.PrivateKey:
		if s.externalMu {
			sig, err = priv.Sign(nil, s.input, mldsacrypto.MLDSAMu)
		} else {
			sig, err = priv.Sign(nil, s.input, nil)
		}
	default:
		err = fmt.Errorf("%w: %s cannot be used with a %s key", ErrIncompatible, alg, k.spec)
	}
	if err != nil {
		return nil, fmt.Errorf("crypto: %s signature: %w", alg, err)
	}
	return sig, nil
}

// Verify checks a signature with a SubjectPublicKeyInfo public key under the
// same algorithm and message type rules as Sign. It returns nil when the
// signature is valid and ErrInvalidSignature when it is not (including
// malformed signature bytes); it never reports validity any other way. The
// message type may differ from the one used to sign as long as it correctly
// describes the message (a RAW signature verifies as DIGEST of the message's
// hash and vice versa).
//
// ML-DSA with EXTERNAL_MU gives ErrUnsupported: filippo.io/mldsa v1.0.0 signs
// a μ but exposes no verification of one. Verify the signature as RAW over
// the message instead.
func Verify(pubSPKI []byte, alg, messageType string, message, signature []byte) error {
	k, err := parsePublic(pubSPKI)
	if err != nil {
		return err
	}
	s, err := prepare(k.spec, alg, messageType, message)
	if err != nil {
		return err
	}
	var ok bool
	switch pub := k.pub.(type) {
	case *rsa.PublicKey:
		if s.alg.scheme == schemePSS {
			ok = rsa.VerifyPSS(pub, s.alg.hash, s.input, signature, pssOptions) == nil
		} else {
			ok = rsa.VerifyPKCS1v15(pub, s.alg.hash, s.input, signature) == nil
		}
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(pub, s.input, signature)
	case *secp256k1.PublicKey:
		ok = verifySecp256k1(pub, s.input, signature)
	case ed25519.PublicKey:
		opts := &ed25519.Options{}
		if s.alg.scheme == schemeEd25519ph {
			opts.Hash = crypto.SHA512
		}
		ok = ed25519.VerifyWithOptions(pub, s.input, signature, opts) == nil
	case *mldsa.PublicKey:
		if s.externalMu {
			return fmt.Errorf("%w: verifying an ML-DSA signature of an EXTERNAL_MU message (verify the RAW message instead)", ErrUnsupported)
		}
		ok = mldsa.Verify(pub, s.input, signature, nil) == nil
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrInvalidSignature, alg)
	}
	return nil
}
