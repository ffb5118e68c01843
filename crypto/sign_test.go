package crypto

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// signatureSizes are the signature sizes of each key spec as AWS documents
// them; ECDSA sizes (DER) are maxima.
var signatureSizes = map[string]int{
	"RSA_2048": 256, "RSA_3072": 384, "RSA_4096": 512,
	"ECC_NIST_P256": 72, "ECC_NIST_P384": 104, "ECC_NIST_P521": 139, "ECC_SECG_P256K1": 72,
	"ECC_NIST_EDWARDS25519": 64, "ML_DSA_44": 2420, "ML_DSA_65": 3309, "ML_DSA_87": 4627,
}

// TestSignVerifyRoundTrip signs with every spec × algorithm × message type
// and checks verification, the DIGEST ⇄ RAW equivalence and tampering.
func TestSignVerifyRoundTrip(t *testing.T) {
	for _, spec := range allSpecs {
		priv, pub := keyPair(t, spec)
		for _, alg := range SigningAlgorithms(spec, "SIGN_VERIFY") {
			a := algorithms[alg]
			for _, mt := range messageTypes[a.scheme] {
				t.Run(spec+"/"+alg+"/"+mt, func(t *testing.T) {
					t.Parallel()
					msg := messageFor(t, alg, mt, pub, testMessage)
					sig, err := Sign(rand.Reader, priv, alg, mt, msg)
					if err != nil {
						t.Fatal(err)
					}
					if n := signatureSizes[spec]; len(sig) > n || (a.scheme != schemeECDSA && len(sig) != n) {
						t.Errorf("signature is %d bytes, want %d", len(sig), n)
					}

					// How to verify this signature: EXTERNAL_MU cannot be
					// verified as such, but the μ signature is the RAW
					// signature of the message.
					vmt, vmsg := mt, msg
					if mt == messageExternalMu {
						wantErr(t, "Verify(EXTERNAL_MU)", Verify(pub, alg, mt, msg, sig), ErrUnsupported)
						vmt, vmsg = messageRaw, testMessage
					}
					wantErr(t, "Verify", Verify(pub, alg, vmt, vmsg, sig), nil)

					// A DIGEST signature is the RAW signature of the message
					// with that digest, and vice versa.
					if a.scheme == schemePSS || a.scheme == schemePKCS1 || a.scheme == schemeECDSA {
						other, omsg := messageDigest, messageFor(t, alg, messageDigest, pub, testMessage)
						if mt == messageDigest {
							other, omsg = messageRaw, testMessage
						}
						wantErr(t, "Verify as "+other, Verify(pub, alg, other, omsg, sig), nil)
						// Hashing twice must not verify (AWS: "hashed once
						// while signing, but twice while verifying" fails).
						if mt == messageDigest {
							wantErr(t, "Verify digest as RAW", Verify(pub, alg, messageRaw, msg, sig), ErrInvalidSignature)
						}
					}

					for _, i := range []int{0, len(vmsg) / 2, len(vmsg) - 1} {
						wantErr(t, "Verify flipped message", Verify(pub, alg, vmt, flip(vmsg, i), sig), ErrInvalidSignature)
					}
					for _, i := range []int{0, 1, len(sig) / 2, len(sig) - 1} {
						wantErr(t, "Verify flipped signature", Verify(pub, alg, vmt, vmsg, flip(sig, i)), ErrInvalidSignature)
					}
					wantErr(t, "Verify truncated signature", Verify(pub, alg, vmt, vmsg, sig[:len(sig)-1]), ErrInvalidSignature)
					wantErr(t, "Verify extended signature", Verify(pub, alg, vmt, vmsg, append(slices.Clone(sig), 0)), ErrInvalidSignature)
					wantErr(t, "Verify empty signature", Verify(pub, alg, vmt, vmsg, nil), ErrInvalidSignature)

					// Another key does not verify it.
					wantErr(t, "Verify with another key", Verify(otherPublic(t, spec), alg, vmt, vmsg, sig), ErrInvalidSignature)
				})
			}
		}
	}
}

// otherPublic returns a public key other than keyPair's for spec: another
// key of the same spec, except for RSA_3072 and RSA_4096 where the (slow)
// second key is replaced by the RSA_2048 one.
func otherPublic(t *testing.T, spec string) []byte {
	t.Helper()
	switch spec {
	case "RSA_3072", "RSA_4096":
		_, pub := keyPair(t, "RSA_2048")
		return pub
	}
	_, pub := keyPair(t, "other/"+spec)
	return pub
}

// TestSignVerifyErrors checks the error for each kind of bad request, for
// Sign and Verify alike.
func TestSignVerifyErrors(t *testing.T) {
	d := func(n int) []byte { return bytes.Repeat([]byte{7}, n) }
	tests := []struct {
		spec, alg, messageType string
		message                []byte
		want                   error
	}{
		// Algorithm does not fit the key.
		{"ECC_NIST_P256", "ECDSA_SHA_384", "RAW", testMessage, ErrIncompatible},
		{"ECC_NIST_P256", "ECDSA_SHA_512", "RAW", testMessage, ErrIncompatible},
		{"ECC_NIST_P384", "ECDSA_SHA_256", "RAW", testMessage, ErrIncompatible},
		{"ECC_NIST_P521", "ECDSA_SHA_384", "RAW", testMessage, ErrIncompatible},
		{"ECC_SECG_P256K1", "ECDSA_SHA_384", "RAW", testMessage, ErrIncompatible},
		{"ECC_NIST_P256", "RSASSA_PSS_SHA_256", "RAW", testMessage, ErrIncompatible},
		{"RSA_2048", "ECDSA_SHA_256", "RAW", testMessage, ErrIncompatible},
		{"RSA_2048", "ED25519_SHA_512", "RAW", testMessage, ErrIncompatible},
		{"ECC_NIST_EDWARDS25519", "ECDSA_SHA_512", "RAW", testMessage, ErrIncompatible},
		{"ML_DSA_44", "ED25519_SHA_512", "RAW", testMessage, ErrIncompatible},
		{"ECC_NIST_P256", "ML_DSA_SHAKE_256", "RAW", testMessage, ErrIncompatible},
		// Message type does not fit the algorithm.
		{"ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "DIGEST", d(64), ErrIncompatible},
		{"ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "RAW", testMessage, ErrIncompatible},
		{"ML_DSA_65", "ML_DSA_SHAKE_256", "DIGEST", d(64), ErrIncompatible},
		{"RSA_2048", "RSASSA_PSS_SHA_512", "EXTERNAL_MU", d(64), ErrIncompatible},
		{"ECC_NIST_P521", "ECDSA_SHA_512", "EXTERNAL_MU", d(64), ErrIncompatible},
		{"ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "EXTERNAL_MU", d(64), ErrIncompatible},
		// Unsupported names.
		{"ECC_NIST_P256", "SM2DSA", "RAW", testMessage, ErrUnsupported},
		{"ECC_NIST_P256", "ECDSA_SHA_224", "RAW", testMessage, ErrUnsupported},
		{"RSA_2048", "RSAES_OAEP_SHA_256", "RAW", testMessage, ErrUnsupported},
		{"ECC_NIST_P256", "ECDSA_SHA_256", "HASHED", testMessage, ErrUnsupported},
		// Lengths.
		{"RSA_2048", "RSASSA_PSS_SHA_256", "DIGEST", d(48), ErrMessageLength},
		{"RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384", "DIGEST", d(32), ErrMessageLength},
		{"ECC_NIST_P256", "ECDSA_SHA_256", "DIGEST", d(31), ErrMessageLength},
		{"ECC_NIST_P256", "ECDSA_SHA_256", "DIGEST", d(33), ErrMessageLength},
		{"ECC_NIST_P521", "ECDSA_SHA_512", "DIGEST", d(32), ErrMessageLength},
		{"ECC_SECG_P256K1", "ECDSA_SHA_256", "DIGEST", d(64), ErrMessageLength},
		{"ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "DIGEST", d(32), ErrMessageLength},
		{"ML_DSA_44", "ML_DSA_SHAKE_256", "EXTERNAL_MU", d(32), ErrMessageLength},
		{"ML_DSA_44", "ML_DSA_SHAKE_256", "EXTERNAL_MU", d(65), ErrMessageLength},
		{"RSA_2048", "RSASSA_PSS_SHA_256", "RAW", d(4097), ErrMessageLength},
		{"ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "RAW", d(4097), ErrMessageLength},
		{"ML_DSA_44", "ML_DSA_SHAKE_256", "RAW", nil, ErrMessageLength},
		{"ECC_NIST_P256", "ECDSA_SHA_256", "RAW", nil, ErrMessageLength},
	}
	for _, tc := range tests {
		t.Run(tc.spec+"/"+tc.alg+"/"+tc.messageType, func(t *testing.T) {
			priv, pub := keyPair(t, tc.spec)
			sig, err := Sign(rand.Reader, priv, tc.alg, tc.messageType, tc.message)
			wantErr(t, "Sign", err, tc.want)
			if sig != nil {
				t.Fatal("Sign returned a signature with an error")
			}
			wantErr(t, "Verify", Verify(pub, tc.alg, tc.messageType, tc.message, bytes.Repeat([]byte{1}, 64)), tc.want)
		})
	}
	t.Run("limits", func(t *testing.T) {
		priv, pub := keyPair(t, "ECC_NIST_P256")
		for _, n := range []int{1, 4096} {
			sig, err := Sign(rand.Reader, priv, "ECDSA_SHA_256", "RAW", d(n))
			wantErr(t, "Sign", err, nil)
			wantErr(t, "Verify", Verify(pub, "ECDSA_SHA_256", "RAW", d(n), sig), nil)
		}
		// An empty message type is RAW, the AWS default.
		sig, err := Sign(rand.Reader, priv, "ECDSA_SHA_256", "", testMessage)
		wantErr(t, "Sign", err, nil)
		wantErr(t, "Verify", Verify(pub, "ECDSA_SHA_256", "RAW", testMessage, sig), nil)
	})
	t.Run("bad keys", func(t *testing.T) {
		priv, pub := keyPair(t, "ECC_NIST_P256")
		_, err := Sign(rand.Reader, []byte("junk"), "ECDSA_SHA_256", "RAW", testMessage)
		wantErr(t, "Sign junk key", err, ErrInvalidKey)
		_, err = Sign(rand.Reader, pub, "ECDSA_SHA_256", "RAW", testMessage)
		wantErr(t, "Sign with a public key", err, ErrInvalidKey)
		wantErr(t, "Verify junk key", Verify([]byte("junk"), "ECDSA_SHA_256", "RAW", testMessage, []byte{1}), ErrInvalidKey)
		wantErr(t, "Verify with a private key", Verify(priv, "ECDSA_SHA_256", "RAW", testMessage, []byte{1}), ErrInvalidKey)
		_, err = Sign(nil, priv, "ECDSA_SHA_256", "RAW", testMessage)
		if err == nil {
			t.Error("Sign accepted a nil reader")
		}
	})
}

// TestPSSSaltLength checks that PSS signatures carry a salt exactly as long
// as the hash: the standard library verifies them with that salt length and
// rejects them with any other, and a maximum-salt signature (what some
// emulators produce) does not verify.
func TestPSSSaltLength(t *testing.T) {
	priv, pub := keyPair(t, "RSA_2048")
	k, err := x509.ParsePKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	rk := k.(*rsa.PrivateKey)
	for _, alg := range []string{"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"} {
		t.Run(alg, func(t *testing.T) {
			h := algorithms[alg].hash
			d := digest(h, testMessage)
			sig, err := Sign(rand.Reader, priv, alg, "RAW", testMessage)
			if err != nil {
				t.Fatal(err)
			}
			if err := rsa.VerifyPSS(&rk.PublicKey, h, d, sig, &rsa.PSSOptions{SaltLength: h.Size()}); err != nil {
				t.Fatalf("salt length %d: %v", h.Size(), err)
			}
			for _, other := range []int{h.Size() - 1, h.Size() + 1, 1} { // (0 means "auto" in crypto/rsa)
				if rsa.VerifyPSS(&rk.PublicKey, h, d, sig, &rsa.PSSOptions{SaltLength: other}) == nil {
					t.Fatalf("signature also verifies with salt length %d", other)
				}
			}
			maxSalt, err := rsa.SignPSS(rand.Reader, rk, h, d, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
			if err != nil {
				t.Fatal(err)
			}
			wantErr(t, "Verify max-salt signature", Verify(pub, alg, "DIGEST", d, maxSalt), ErrInvalidSignature)
		})
	}
}

// TestSignDeterminism: PKCS #1 v1.5, Ed25519 and secp256k1 (RFC 6979)
// signatures are deterministic; PSS, ECDSA on NIST curves and ML-DSA are
// randomized.
func TestSignDeterminism(t *testing.T) {
	for _, tc := range []struct {
		spec, alg     string
		deterministic bool
	}{
		{"RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", true},
		{"RSA_2048", "RSASSA_PSS_SHA_256", false},
		{"ECC_NIST_P256", "ECDSA_SHA_256", false},
		{"ECC_SECG_P256K1", "ECDSA_SHA_256", true},
		{"ECC_NIST_EDWARDS25519", "ED25519_SHA_512", true},
		{"ML_DSA_44", "ML_DSA_SHAKE_256", false},
	} {
		priv, _ := keyPair(t, tc.spec)
		a, _ := Sign(rand.Reader, priv, tc.alg, "RAW", testMessage)
		b, _ := Sign(rand.Reader, priv, tc.alg, "RAW", testMessage)
		if bytes.Equal(a, b) != tc.deterministic {
			t.Errorf("%s: two signatures equal = %v, want %v", tc.alg, bytes.Equal(a, b), tc.deterministic)
		}
	}
}

// ed25519Key returns a pkms Ed25519 key pair derived from an RFC 8032 seed.
func ed25519Key(t *testing.T, seedHex string) (priv, pub []byte) {
	t.Helper()
	seed, _ := hex.DecodeString(seedHex)
	priv, pub, err := GenerateKeyPair(seedReader(seed), "ECC_NIST_EDWARDS25519")
	if err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

// TestEd25519KnownAnswers runs RFC 8032 §7.1 TEST 2 and TEST 3 through the
// pkms API (seed → PKCS#8 → Sign RAW) and checks the exact signatures.
func TestEd25519KnownAnswers(t *testing.T) {
	for _, tc := range []struct{ seed, pub, msg, sig string }{
		{"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
			"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
			"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
		{"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
			"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
			"6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
	} {
		priv, pub := ed25519Key(t, tc.seed)
		if got := hex.EncodeToString(pub[len(pub)-32:]); got != tc.pub {
			t.Fatalf("public key %s, want %s", got, tc.pub)
		}
		msg, _ := hex.DecodeString(tc.msg)
		sig, err := Sign(rand.Reader, priv, "ED25519_SHA_512", "RAW", msg)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(sig); got != tc.sig {
			t.Fatalf("signature %s, want %s", got, tc.sig)
		}
		want, _ := hex.DecodeString(tc.sig)
		wantErr(t, "Verify", Verify(pub, "ED25519_SHA_512", "RAW", msg, want), nil)
	}
}

// TestEd25519ph pins the ED25519_PH_SHA_512 semantics. AWS documents that
// with MessageType DIGEST "KMS still performs the SHA-512 prehash described
// in Step 1 of Section 7.8.1 in FIPS 186-5": the 64-byte message M is hashed
// once more, PH(M) = SHA-512(M), and HashEdDSA signs PH(M). The RFC 8032
// §7.3 Ed25519ph vector anchors the HashEdDSA primitive.
func TestEd25519ph(t *testing.T) {
	const seed = "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42"
	const rfcSig = "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"
	priv, pub := ed25519Key(t, seed)
	s, _ := hex.DecodeString(seed)
	key := ed25519.NewKeyFromSeed(s)

	// The primitive: Ed25519ph of "abc" is the RFC signature.
	ph := sha512.Sum512([]byte("abc"))
	got, err := key.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512})
	if err != nil || hex.EncodeToString(got) != rfcSig {
		t.Fatalf("HashEdDSA(abc) = %x, %v; want the RFC 8032 vector", got, err)
	}

	// pkms: DIGEST message M (64 bytes) → HashEdDSA over SHA-512(M).
	m := sha512.Sum512(testMessage)
	sig, err := Sign(rand.Reader, priv, "ED25519_PH_SHA_512", "DIGEST", m[:])
	if err != nil {
		t.Fatal(err)
	}
	phm := sha512.Sum512(m[:])
	if err := ed25519.VerifyWithOptions(key.Public().(ed25519.PublicKey), phm[:], sig, &ed25519.Options{Hash: crypto.SHA512}); err != nil {
		t.Fatalf("signature is not Ed25519ph of the DIGEST message: %v", err)
	}
	// Not HashEdDSA with PH(M) = M (no second hash) and not pure Ed25519.
	if ed25519.VerifyWithOptions(key.Public().(ed25519.PublicKey), m[:], sig, &ed25519.Options{Hash: crypto.SHA512}) == nil {
		t.Fatal("signature treats the DIGEST message as PH(M) without hashing it")
	}
	wantErr(t, "Verify", Verify(pub, "ED25519_PH_SHA_512", "DIGEST", m[:], sig), nil)
	wantErr(t, "Verify as pure", Verify(pub, "ED25519_SHA_512", "RAW", m[:], sig), ErrInvalidSignature)

	// Sign with the RFC message's digest: differs from the RFC vector
	// because AWS hashes the digest again.
	sig, err = Sign(rand.Reader, priv, "ED25519_PH_SHA_512", "DIGEST", ph[:])
	if err != nil || hex.EncodeToString(sig) == rfcSig {
		t.Fatalf("Sign(DIGEST=SHA-512(abc)) = %x, %v; must not be the single-hash RFC signature", sig, err)
	}
}

// TestMLDSAExternalMu checks that signing a μ (computed here per FIPS 204)
// gives a signature that verifies as the RAW signature of the message.
func TestMLDSAExternalMu(t *testing.T) {
	for _, spec := range []string{"ML_DSA_44", "ML_DSA_65", "ML_DSA_87"} {
		priv, pub := keyPair(t, spec)
		mu := mlDSAMu(t, pub, testMessage)
		sig, err := Sign(rand.Reader, priv, "ML_DSA_SHAKE_256", "EXTERNAL_MU", mu)
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, spec+" Verify RAW", Verify(pub, "ML_DSA_SHAKE_256", "RAW", testMessage, sig), nil)
		wantErr(t, spec+" Verify RAW other message", Verify(pub, "ML_DSA_SHAKE_256", "RAW", flip(testMessage, 0), sig), ErrInvalidSignature)
		// A μ of another message gives a signature that does not verify.
		sig, _ = Sign(rand.Reader, priv, "ML_DSA_SHAKE_256", "EXTERNAL_MU", flip(mu, 3))
		wantErr(t, spec+" Verify RAW for wrong μ", Verify(pub, "ML_DSA_SHAKE_256", "RAW", testMessage, sig), ErrInvalidSignature)
	}
}

// TestSecp256k1HighS checks that Verify accepts the high-S form of a
// signature (openssl does not normalise S), not only decred's low-S output.
func TestSecp256k1HighS(t *testing.T) {
	priv, pub := keyPair(t, "ECC_SECG_P256K1")
	sig, err := Sign(rand.Reader, priv, "ECDSA_SHA_256", "RAW", testMessage)
	if err != nil {
		t.Fatal(err)
	}
	high := highS(t, sig)
	if bytes.Equal(high, sig) {
		t.Fatal("high-S form equals the signature")
	}
	wantErr(t, "Verify low S", Verify(pub, "ECDSA_SHA_256", "RAW", testMessage, sig), nil)
	wantErr(t, "Verify high S", Verify(pub, "ECDSA_SHA_256", "RAW", testMessage, high), nil)
}

func TestDigestSignatureIsNotRehashed(t *testing.T) {
	// A DIGEST of a message verifies under RAW of the message for ECDSA; the
	// round-trip test covers all algorithms, this one pins a known digest.
	priv, pub := keyPair(t, "ECC_NIST_P256")
	d := sha256.Sum256([]byte("abc"))
	sig, err := Sign(rand.Reader, priv, "ECDSA_SHA_256", "DIGEST", d[:])
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Verify RAW abc", Verify(pub, "ECDSA_SHA_256", "RAW", []byte("abc"), sig), nil)
	if err := Verify(pub, "ECDSA_SHA_256", "RAW", d[:], sig); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("digest hashed again verified: %v", err)
	}
}

// highS returns the signature with S replaced by n − S.
func highS(t *testing.T, sig []byte) []byte {
	t.Helper()
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		t.Fatal(err)
	}
	rs.S.Sub(secp256k1.S256().N, rs.S)
	out, err := asn1.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
