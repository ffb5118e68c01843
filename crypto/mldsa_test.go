package crypto

// ML-DSA against an independent implementation: the Python cryptography
// package (OpenSSL 3.5+ inside), since the system openssl (3.0) has no
// ML-DSA. Skipped when python3 or its ML-DSA support is missing.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const pyMLDSA = `
import sys
from cryptography.hazmat.primitives.asymmetric import mldsa
from cryptography.hazmat.primitives import serialization as s
cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "keys":      # keys PARAMS SEED_HEX -> PKCS#8 hex, SPKI hex
    cls = {"44": mldsa.MLDSA44PrivateKey, "65": mldsa.MLDSA65PrivateKey, "87": mldsa.MLDSA87PrivateKey}[args[0]]
    k = cls.from_seed_bytes(bytes.fromhex(args[1]))
    print(k.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption()).hex())
    print(k.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo).hex())
elif cmd == "verify":  # verify SPKI_FILE MSG_FILE SIG_FILE -> exit 0 if valid
    pub = s.load_der_public_key(open(args[0], "rb").read())
    try:
        pub.verify(open(args[2], "rb").read(), open(args[1], "rb").read())
    except Exception as e:
        print("invalid:", type(e).__name__)
        sys.exit(1)
    print("valid")
elif cmd == "sign":    # sign PKCS8_FILE MSG_FILE -> signature hex
    priv = s.load_der_private_key(open(args[0], "rb").read(), None)
    print(priv.sign(open(args[1], "rb").read()).hex())
`

// python runs the helper script; it skips the test when Python's ML-DSA is
// unavailable.
type python struct {
	t   *testing.T
	dir string
}

func newPython(t *testing.T) *python {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	if err := exec.Command("python3", "-c", "from cryptography.hazmat.primitives.asymmetric import mldsa").Run(); err != nil {
		t.Skip("python3 cryptography with ML-DSA (>= 47, OpenSSL 3.5+) not installed")
	}
	return &python{t: t, dir: t.TempDir()}
}

func (p *python) run(args ...string) (string, error) {
	cmd := exec.Command("python3", append([]string{"-c", pyMLDSA}, args...)...)
	cmd.Dir = p.dir
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (p *python) file(name string, data []byte) string {
	p.t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, name), data, 0o600); err != nil {
		p.t.Fatal(err)
	}
	return name
}

// TestMLDSAPython: for the same 32-byte seed pkms and Python/OpenSSL derive
// byte-identical PKCS#8 and SPKI encodings (a cross-implementation
// known-answer test of key generation); Python verifies pkms's RAW and
// EXTERNAL_MU signatures, and pkms verifies Python's.
func TestMLDSAPython(t *testing.T) {
	newPython(t)
	for _, spec := range []string{"ML_DSA_44", "ML_DSA_65", "ML_DSA_87"} {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			p := newPython(t)
			seed := make([]byte, 32)
			rand.Read(seed)
			priv, pub, err := GenerateKeyPair(seedReader(seed), spec)
			if err != nil {
				t.Fatal(err)
			}
			out, err := p.run("keys", spec[len(spec)-2:], hex.EncodeToString(seed))
			if err != nil {
				t.Fatalf("python: %v\n%s", err, out)
			}
			lines := strings.Split(out, "\n")
			if len(lines) != 2 || lines[0] != hex.EncodeToString(priv) || lines[1] != hex.EncodeToString(pub) {
				t.Fatalf("python derives other encodings from the seed:\n%s\npkms:\n%x\n%x", out, priv, pub)
			}

			p.file("pub.der", pub)
			p.file("priv.der", priv)
			p.file("msg.bin", testMessage)
			for _, mt := range []string{"RAW", "EXTERNAL_MU"} {
				sig, err := Sign(rand.Reader, priv, "ML_DSA_SHAKE_256", mt, messageFor(t, "ML_DSA_SHAKE_256", mt, pub, testMessage))
				if err != nil {
					t.Fatal(err)
				}
				p.file("sig.bin", sig)
				if out, err := p.run("verify", "pub.der", "msg.bin", "sig.bin"); err != nil {
					t.Fatalf("python rejects the %s signature: %v\n%s", mt, err, out)
				}
				p.file("sig.bin", flip(sig, 10))
				if _, err := p.run("verify", "pub.der", "msg.bin", "sig.bin"); err == nil {
					t.Fatal("python accepted a modified signature")
				}
			}

			out, err = p.run("sign", "priv.der", "msg.bin")
			if err != nil {
				t.Fatalf("python: %v\n%s", err, out)
			}
			sig, _ := hex.DecodeString(out)
			wantErr(t, "Verify python signature", Verify(pub, "ML_DSA_SHAKE_256", "RAW", testMessage, sig), nil)
			wantErr(t, "Verify python signature, other message", Verify(pub, "ML_DSA_SHAKE_256", "RAW", bytes.ToUpper(testMessage), sig), ErrInvalidSignature)
		})
	}
}
