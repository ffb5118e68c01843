package crypto

// Interop with the openssl command line: openssl reads every key pkms writes,
// verifies every signature algorithm it supports, encrypts for DecryptOAEP,
// derives the same ECDH secrets, and hands pkms a secp256k1 key of its own.
// Skipped when openssl is not installed.

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// opensslCmd runs openssl in a temporary directory.
type opensslCmd struct {
	t   *testing.T
	bin string
	dir string
}

func newOpenSSL(t *testing.T) *opensslCmd {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	return &opensslCmd{t: t, bin: bin, dir: t.TempDir()}
}

// run runs openssl and returns its stdout; err is non-nil when it exits
// non-zero (stderr is folded into the error).
func (o *opensslCmd) run(args ...string) ([]byte, error) {
	cmd := exec.Command(o.bin, args...)
	cmd.Dir = o.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), &opensslError{args: args, err: err, stderr: stderr.String()}
	}
	return stdout.Bytes(), nil
}

// must runs openssl and fails the test if it fails.
func (o *opensslCmd) must(args ...string) []byte {
	o.t.Helper()
	out, err := o.run(args...)
	if err != nil {
		o.t.Fatal(err)
	}
	return out
}

type opensslError struct {
	args   []string
	err    error
	stderr string
}

func (e *opensslError) Error() string {
	return "openssl " + strings.Join(e.args, " ") + ": " + e.err.Error() + "\n" + e.stderr
}

// file writes data to name in the temporary directory and returns name.
func (o *opensslCmd) file(name string, data []byte) string {
	o.t.Helper()
	if err := os.WriteFile(filepath.Join(o.dir, name), data, 0o600); err != nil {
		o.t.Fatal(err)
	}
	return name
}

// pemFile writes der as PEM of the given type.
func (o *opensslCmd) pemFile(name, typ string, der []byte) string {
	return o.file(name, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func (o *opensslCmd) read(name string) []byte {
	o.t.Helper()
	b, err := os.ReadFile(filepath.Join(o.dir, name))
	if err != nil {
		o.t.Fatal(err)
	}
	return b
}

// supports reports whether `openssl list <what>` mentions name.
func (o *opensslCmd) supports(what, name string) bool {
	out, err := o.run("list", what)
	return err == nil && strings.Contains(strings.ToLower(string(out)), strings.ToLower(name))
}

// TestOpenSSLReadsKeys: openssl parses every public and private key, derives
// the same public key, and re-encodes the private key to the same PKCS#8.
func TestOpenSSLReadsKeys(t *testing.T) {
	o := newOpenSSL(t)
	mldsaOK := o.supports("-public-key-algorithms", "ML-DSA")
	for _, spec := range allSpecs {
		t.Run(spec, func(t *testing.T) {
			if keySpecs[spec].family == familyMLDSA && !mldsaOK {
				t.Skip("openssl has no ML-DSA (needs 3.5); see TestMLDSAPython")
			}
			o := newOpenSSL(t)
			priv, pub := keyPair(t, spec)
			o.file("pub.der", pub)
			o.file("priv.der", priv)
			o.must("pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-noout")
			o.must("pkey", "-inform", "DER", "-in", "priv.der", "-noout")
			if got := o.must("pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER"); !bytes.Equal(got, pub) {
				t.Fatalf("openssl derives public key\n%x\nwant\n%x", got, pub)
			}
			if got := o.must("pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-outform", "DER"); !bytes.Equal(got, pub) {
				t.Fatal("openssl re-encodes the public key differently")
			}
			if got := o.must("pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-in", "priv.der", "-outform", "DER"); !bytes.Equal(got, priv) {
				t.Fatalf("openssl re-encodes the PKCS#8 key as\n%x\nwant\n%x", got, priv)
			}
			// Sanity: openssl refuses what is not a key.
			o.file("junk.der", []byte("junk"))
			if _, err := o.run("pkey", "-pubin", "-inform", "DER", "-in", "junk.der", "-noout"); err == nil {
				t.Fatal("openssl accepted junk as a public key")
			}
		})
	}
}

// opensslDigest is the openssl name of an algorithm's hash.
func opensslDigest(alg string) string {
	return map[int]string{32: "-sha256", 48: "-sha384", 64: "-sha512"}[algorithms[alg].hash.Size()]
}

// opensslVerifyArgs returns the openssl command that verifies sig.bin over
// msg.bin with pub.pem.
func opensslVerifyArgs(alg string) []string {
	switch algorithms[alg].scheme {
	case schemeEd25519:
		return []string{"pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg.bin", "-sigfile", "sig.bin"}
	case schemeEd25519ph:
		return []string{"pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg.bin", "-sigfile", "sig.bin", "-pkeyopt", "instance:Ed25519ph"}
	case schemePSS:
		d := opensslDigest(alg)
		return []string{"dgst", d, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest",
			"-sigopt", "rsa_mgf1_md:" + d[1:], "-verify", "pub.pem", "-signature", "sig.bin", "msg.bin"}
	default:
		return []string{"dgst", opensslDigest(alg), "-verify", "pub.pem", "-signature", "sig.bin", "msg.bin"}
	}
}

// TestOpenSSLVerifies: openssl verifies pkms signatures of every algorithm it
// supports, whether pkms signed the RAW message or its DIGEST, and rejects a
// signature over another message.
func TestOpenSSLVerifies(t *testing.T) {
	o := newOpenSSL(t)
	ed25519ph := o.probeEd25519ph()
	for _, spec := range allSpecs {
		if keySpecs[spec].family == familyMLDSA {
			continue // TestMLDSAPython
		}
		priv, pub := keyPair(t, spec)
		for _, alg := range SigningAlgorithms(spec, "SIGN_VERIFY") {
			a := algorithms[alg]
			for _, mt := range messageTypes[a.scheme] {
				t.Run(spec+"/"+alg+"/"+mt, func(t *testing.T) {
					if a.scheme == schemeEd25519ph && !ed25519ph {
						t.Skip("this openssl has no Ed25519ph (instance:Ed25519ph needs openssl 3.2+)")
					}
					o := newOpenSSL(t)
					o.pemFile("pub.pem", "PUBLIC KEY", pub)
					// openssl gets the message the signature is over: the
					// RAW message, or for a DIGEST signature the message whose
					// digest was signed (Ed25519ph: the DIGEST input itself,
					// which both sides hash).
					message := messageFor(t, alg, mt, pub, testMessage)
					opensslMessage := testMessage
					if a.scheme == schemeEd25519ph {
						opensslMessage = message
					}
					sig, err := Sign(rand.Reader, priv, alg, mt, message)
					if err != nil {
						t.Fatal(err)
					}
					o.file("sig.bin", sig)
					o.file("msg.bin", opensslMessage)
					out := o.must(opensslVerifyArgs(alg)...)
					if !strings.Contains(string(out), "Verified") && !strings.Contains(string(out), "Success") {
						t.Fatalf("openssl output %q", out)
					}
					o.file("msg.bin", flip(opensslMessage, 0))
					if _, err := o.run(opensslVerifyArgs(alg)...); err == nil {
						t.Fatal("openssl verified the signature over another message")
					}
				})
			}
		}
	}
	t.Run("PSS max salt rejected", func(t *testing.T) {
		// openssl's rsa_pss_saltlen:digest is strict, so the checks above do
		// test the salt length: a maximum-salt signature fails it.
		o := newOpenSSL(t)
		_, pub := keyPair(t, "RSA_2048")
		priv, _ := keyPair(t, "RSA_2048")
		o.pemFile("pub.pem", "PUBLIC KEY", pub)
		o.file("priv.der", priv)
		o.file("msg.bin", testMessage)
		o.must("dgst", "-sha256", "-keyform", "DER", "-sign", "priv.der", "-sigopt", "rsa_padding_mode:pss",
			"-sigopt", "rsa_pss_saltlen:max", "-out", "sig.bin", "msg.bin")
		if _, err := o.run(opensslVerifyArgs("RSASSA_PSS_SHA_256")...); err == nil {
			t.Fatal("openssl accepted a max-salt signature with rsa_pss_saltlen:digest")
		}
		wantErr(t, "pkms Verify max salt", Verify(pub, "RSASSA_PSS_SHA_256", "RAW", testMessage, o.read("sig.bin")), ErrInvalidSignature)
	})
}

// probeEd25519ph reports whether this openssl can sign Ed25519ph.
func (o *opensslCmd) probeEd25519ph() bool {
	o.t.Helper()
	priv, _ := keyPair(o.t, "ECC_NIST_EDWARDS25519")
	o.file("probe.der", priv)
	o.file("probe.msg", []byte("probe"))
	_, err := o.run("pkeyutl", "-sign", "-inkey", "probe.der", "-keyform", "DER", "-rawin", "-in", "probe.msg",
		"-pkeyopt", "instance:Ed25519ph", "-out", "probe.sig")
	return err == nil
}

// TestOpenSSLSignsPKMSVerifies: signatures openssl makes with pkms keys
// verify in pkms (PSS with digest-length salt, ECDSA including high-S
// secp256k1 signatures, Ed25519).
func TestOpenSSLSignsPKMSVerifies(t *testing.T) {
	for _, tc := range []struct{ spec, alg string }{
		{"RSA_2048", "RSASSA_PSS_SHA_384"},
		{"RSA_3072", "RSASSA_PKCS1_V1_5_SHA_512"},
		{"ECC_NIST_P384", "ECDSA_SHA_384"},
		{"ECC_NIST_P521", "ECDSA_SHA_512"},
		{"ECC_SECG_P256K1", "ECDSA_SHA_256"},
		{"ECC_NIST_EDWARDS25519", "ED25519_SHA_512"},
	} {
		t.Run(tc.spec+"/"+tc.alg, func(t *testing.T) {
			o := newOpenSSL(t)
			priv, pub := keyPair(t, tc.spec)
			o.file("priv.der", priv)
			o.file("msg.bin", testMessage)
			var args []string
			switch algorithms[tc.alg].scheme {
			case schemeEd25519:
				args = []string{"pkeyutl", "-sign", "-inkey", "priv.der", "-keyform", "DER", "-rawin", "-in", "msg.bin", "-out", "sig.bin"}
			case schemePSS:
				args = []string{"dgst", opensslDigest(tc.alg), "-keyform", "DER", "-sign", "priv.der", "-sigopt", "rsa_padding_mode:pss",
					"-sigopt", "rsa_pss_saltlen:digest", "-out", "sig.bin", "msg.bin"}
			default:
				args = []string{"dgst", opensslDigest(tc.alg), "-keyform", "DER", "-sign", "priv.der", "-out", "sig.bin", "msg.bin"}
			}
			// Several signatures: about half of openssl's secp256k1
			// signatures are high-S.
			for range 6 {
				o.must(args...)
				sig := o.read("sig.bin")
				wantErr(t, "Verify openssl signature", Verify(pub, tc.alg, "RAW", testMessage, sig), nil)
				wantErr(t, "Verify openssl signature, other message", Verify(pub, tc.alg, "RAW", flip(testMessage, 1), sig), ErrInvalidSignature)
			}
		})
	}
}

// TestOpenSSLOAEP: openssl encrypts with OAEP (SHA-1 and SHA-256, MGF1 with
// the same hash) for DecryptOAEP, and decrypts what EncryptOAEP writes.
func TestOpenSSLOAEP(t *testing.T) {
	for _, spec := range []string{"RSA_2048", "RSA_4096"} {
		for _, alg := range []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"} {
			t.Run(spec+"/"+alg, func(t *testing.T) {
				o := newOpenSSL(t)
				priv, pub := keyPair(t, spec)
				md := map[string]string{"RSAES_OAEP_SHA_1": "sha1", "RSAES_OAEP_SHA_256": "sha256"}[alg]
				opts := []string{"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:" + md, "-pkeyopt", "rsa_mgf1_md:" + md}
				o.file("pub.der", pub)
				o.file("priv.der", priv)
				pt := bytes.Repeat([]byte("k"), OAEPMaxPlaintext(spec, alg))
				o.file("pt.bin", pt)
				o.must(append([]string{"pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.der", "-keyform", "DER", "-in", "pt.bin", "-out", "ct.bin"}, opts...)...)
				got, err := DecryptOAEP(priv, alg, o.read("ct.bin"))
				if err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("DecryptOAEP(openssl ciphertext) = %q, %v", got, err)
				}
				ct, err := EncryptOAEP(rand.Reader, pub, alg, []byte("from pkms"))
				if err != nil {
					t.Fatal(err)
				}
				o.file("ct2.bin", ct)
				if got := o.must(append([]string{"pkeyutl", "-decrypt", "-inkey", "priv.der", "-keyform", "DER", "-in", "ct2.bin"}, opts...)...); string(got) != "from pkms" {
					t.Fatalf("openssl decrypted %q", got)
				}
			})
		}
	}
}

// TestOpenSSLECDH: openssl derives the same secret from the peer's side.
func TestOpenSSLECDH(t *testing.T) {
	for _, tc := range []struct{ spec, curve string }{
		{"ECC_NIST_P256", "P-256"}, {"ECC_NIST_P384", "P-384"}, {"ECC_NIST_P521", "P-521"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			o := newOpenSSL(t)
			priv, pub := keyPair(t, tc.spec)
			o.must("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:"+tc.curve, "-out", "peer.pem")
			peerPub := o.must("pkey", "-in", "peer.pem", "-pubout", "-outform", "DER")
			o.pemFile("our_pub.pem", "PUBLIC KEY", pub)
			want := o.must("pkeyutl", "-derive", "-inkey", "peer.pem", "-peerkey", "our_pub.pem")
			got, err := DeriveSharedSecret(priv, peerPub)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("secret %x, openssl %x", got, want)
			}
		})
	}
}

// TestOpenSSLSecp256k1Key: a secp256k1 key made by openssl, as PKCS#8 DER,
// is ECC_SECG_P256K1 to pkms, re-encodes to the same bytes, and signs so
// that openssl verifies.
func TestOpenSSLSecp256k1Key(t *testing.T) {
	o := newOpenSSL(t)
	o.must("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", "k1.pem")
	// openssl 3.0's `genpkey -outform DER` and `pkey -outform DER` write a
	// SEC 1 ECPrivateKey for EC keys; PKCS#8 (what AWS imports take) comes
	// from `pkcs8 -topk8`, as in the AWS guide.
	priv := o.must("pkcs8", "-topk8", "-nocrypt", "-in", "k1.pem", "-outform", "DER")
	wantPub := o.must("pkey", "-in", "k1.pem", "-pubout", "-outform", "DER")

	spec, err := KeySpecOfPrivate(priv)
	if err != nil || spec != "ECC_SECG_P256K1" {
		t.Fatalf("KeySpecOfPrivate = %q, %v", spec, err)
	}
	pub, err := PublicKeyFromPrivate(priv)
	if err != nil || !bytes.Equal(pub, wantPub) {
		t.Fatalf("PublicKeyFromPrivate = %x, %v; openssl %x", pub, err, wantPub)
	}
	k, err := parsePrivate(priv)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := marshalPrivate(k.priv); err != nil || !bytes.Equal(again, priv) {
		t.Fatalf("re-encoded PKCS#8\n%x\nopenssl\n%x", again, priv)
	}
	o.pemFile("pub.pem", "PUBLIC KEY", pub)
	o.file("msg.bin", testMessage)
	for _, mt := range []string{"RAW", "DIGEST"} {
		sig, err := Sign(rand.Reader, priv, "ECDSA_SHA_256", mt, messageFor(t, "ECDSA_SHA_256", mt, pub, testMessage))
		if err != nil {
			t.Fatal(err)
		}
		o.file("sig.bin", sig)
		o.must(opensslVerifyArgs("ECDSA_SHA_256")...)
	}

	// The SEC 1 form is not PKCS#8 and is refused, as AWS refuses it.
	sec1 := o.must("pkey", "-in", "k1.pem", "-outform", "DER")
	if _, err := KeySpecOfPrivate(sec1); err == nil {
		t.Fatal("KeySpecOfPrivate accepted a SEC 1 ECPrivateKey")
	}
}
