package crypto

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
)

var importWrappingAlgs = []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"}

func isHybridWrapping(alg string) bool { return strings.HasPrefix(alg, "RSA_AES_KEY_WRAP_") }

// rsaModulusBytes is the RSA ciphertext size for a wrapping key spec.
func rsaModulusBytes(spec string) int { return keySpecs[spec].rsaBits / 8 }

// importMaterials are Go-made stand-ins for each D.3 material format.
func importMaterials(t testing.TB) map[string][]byte {
	t.Helper()
	rsaPriv, _ := keyPair(t, "RSA_2048")
	ecPriv, _ := keyPair(t, "ECC_NIST_P256")
	return map[string][]byte{
		"SYMMETRIC_DEFAULT": kwpTestKey(32),
		"HMAC_224":          kwpTestKey(28),
		"HMAC_512":          kwpTestKey(64),
		"RSA_2048":          rsaPriv,
		"ECC_NIST_P256":     ecPriv,
	}
}

// materialFits reports whether the guide allows alg for the material (D.4):
// RSA private keys only with RSA_AES_KEY_WRAP_*.
func materialFits(material, alg string) bool {
	return isHybridWrapping(alg) || !strings.HasPrefix(material, "RSA_")
}

func TestWrapKeyMaterialRoundTrip(t *testing.T) {
	materials := importMaterials(t)
	for _, spec := range []string{"RSA_2048", "RSA_4096"} {
		priv, pub := keyPair(t, spec)
		for _, alg := range importWrappingAlgs {
			for name, m := range materials {
				if !materialFits(name, alg) {
					continue
				}
				t.Run(spec+"/"+alg+"/"+name, func(t *testing.T) {
					w, err := WrapKeyMaterial(rand.Reader, pub, alg, m)
					if err != nil {
						t.Fatal(err)
					}
					want := rsaModulusBytes(spec)
					if isHybridWrapping(alg) {
						want += (len(m)+7)/8*8 + 8
					}
					if len(w) != want {
						t.Fatalf("wrapped length %d, want %d", len(w), want)
					}
					w2, _ := WrapKeyMaterial(rand.Reader, pub, alg, m)
					if bytes.Equal(w, w2) || (isHybridWrapping(alg) && bytes.Equal(w[want-len(m)-8:], w2[want-len(m)-8:])) {
						t.Fatal("two wraps share their randomness")
					}
					got, err := UnwrapKeyMaterial(priv, alg, w)
					if err != nil || !bytes.Equal(got, m) {
						t.Fatalf("UnwrapKeyMaterial = %x, %v", got, err)
					}
				})
			}
		}
	}
}

// TestWrapKeyMaterialUsesRand: the AES key and the OAEP seed come from the
// reader given, so a deterministic reader gives a deterministic wrap.
func TestWrapKeyMaterialUsesRand(t *testing.T) {
	priv, pub := keyPair(t, "RSA_2048")
	m := kwpTestKey(32)
	for _, alg := range importWrappingAlgs {
		seed := bytes.Repeat([]byte{0x42}, 1024)
		a, err := WrapKeyMaterial(bytes.NewReader(seed), pub, alg, m)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := WrapKeyMaterial(bytes.NewReader(seed), pub, alg, m)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: wrap is not a function of the reader", alg)
		}
		if got, err := UnwrapKeyMaterial(priv, alg, a); err != nil || !bytes.Equal(got, m) {
			t.Fatalf("%s: UnwrapKeyMaterial = %x, %v", alg, got, err)
		}
		if isHybridWrapping(alg) {
			// The KWP part is the material wrapped under the first 32 bytes read.
			kwp, _ := KeyWrapPad(seed[:32], m)
			if !bytes.Equal(a[rsaModulusBytes("RSA_2048"):], kwp) {
				t.Fatalf("%s: key wrap part is not KeyWrapPad under the first 32 random bytes", alg)
			}
		}
		if _, err := WrapKeyMaterial(errReader{}, pub, alg, m); err == nil {
			t.Fatalf("%s: wrapped with a failing random source", alg)
		}
		if _, err := WrapKeyMaterial(bytes.NewReader(seed[:16]), pub, alg, m); err == nil {
			t.Fatalf("%s: wrapped with 16 random bytes", alg)
		}
	}
}

func TestWrapKeyMaterialErrors(t *testing.T) {
	priv, pub := keyPair(t, "RSA_2048")
	otherPriv, _ := keyPair(t, "other/RSA_2048")
	ecPriv, ecPub := keyPair(t, "ECC_NIST_P256")
	m := kwpTestKey(32)
	wrapped := map[string][]byte{}
	for _, alg := range importWrappingAlgs {
		w, err := WrapKeyMaterial(rand.Reader, pub, alg, m)
		if err != nil {
			t.Fatal(err)
		}
		wrapped[alg] = w
	}
	hybrid := wrapped["RSA_AES_KEY_WRAP_SHA_256"]
	k := rsaModulusBytes("RSA_2048")

	// An RSA_AES_KEY_WRAP blob whose AES key is 16 bytes (valid OAEP, valid
	// KWP): the guide's algorithm uses a 32-byte key only.
	aes128 := kwpTestKEK(16)
	short, _ := EncryptOAEP(rand.Reader, pub, "RSAES_OAEP_SHA_256", aes128)
	shortKWP, _ := KeyWrapPad(aes128, m)
	// A blob whose KWP part is under another AES key than the RSA part.
	otherKWP, _ := KeyWrapPad(kwpTestKEK(32), m)

	unwrapCases := []struct {
		name    string
		priv    []byte
		alg     string
		wrapped []byte
		want    error
	}{
		{"OAEP SHA-256 as SHA-1", priv, "RSAES_OAEP_SHA_1", wrapped["RSAES_OAEP_SHA_256"], ErrAuth},
		{"OAEP SHA-1 as SHA-256", priv, "RSAES_OAEP_SHA_256", wrapped["RSAES_OAEP_SHA_1"], ErrAuth},
		{"AES wrap SHA-256 as SHA-1", priv, "RSA_AES_KEY_WRAP_SHA_1", hybrid, ErrAuth},
		{"AES wrap SHA-1 as SHA-256", priv, "RSA_AES_KEY_WRAP_SHA_256", wrapped["RSA_AES_KEY_WRAP_SHA_1"], ErrAuth},
		{"OAEP as AES wrap", priv, "RSA_AES_KEY_WRAP_SHA_256", wrapped["RSAES_OAEP_SHA_256"], ErrAuth},
		{"AES wrap as OAEP", priv, "RSAES_OAEP_SHA_256", hybrid, ErrAuth},
		{"AES wrap RSA part only as OAEP", priv, "RSAES_OAEP_SHA_256", hybrid[:k], nil}, // a plain OAEP ciphertext of the AES key
		{"other wrapping key, OAEP", otherPriv, "RSAES_OAEP_SHA_256", wrapped["RSAES_OAEP_SHA_256"], ErrAuth},
		{"other wrapping key, AES wrap", otherPriv, "RSA_AES_KEY_WRAP_SHA_256", hybrid, ErrAuth},
		{"empty", priv, "RSA_AES_KEY_WRAP_SHA_256", nil, ErrAuth},
		{"empty OAEP", priv, "RSAES_OAEP_SHA_256", nil, ErrAuth},
		{"RSA part only", priv, "RSA_AES_KEY_WRAP_SHA_256", hybrid[:k], ErrAuth},
		{"RSA part + 8", priv, "RSA_AES_KEY_WRAP_SHA_256", hybrid[:k+8], ErrAuth},
		{"RSA part + 16", priv, "RSA_AES_KEY_WRAP_SHA_256", hybrid[:k+16], ErrAuth},
		{"one block short", priv, "RSA_AES_KEY_WRAP_SHA_256", hybrid[:len(hybrid)-8], ErrAuth},
		{"one byte short", priv, "RSA_AES_KEY_WRAP_SHA_256", hybrid[:len(hybrid)-1], ErrAuth},
		{"one byte extra", priv, "RSA_AES_KEY_WRAP_SHA_256", append(bytes.Clone(hybrid), 0), ErrAuth},
		{"one block extra", priv, "RSA_AES_KEY_WRAP_SHA_256", append(bytes.Clone(hybrid), make([]byte, 8)...), ErrAuth},
		{"RSA part one byte short", priv, "RSA_AES_KEY_WRAP_SHA_256", slices.Concat(hybrid[:k-1], hybrid[k:]), ErrAuth},
		{"OAEP one byte short", priv, "RSAES_OAEP_SHA_256", wrapped["RSAES_OAEP_SHA_256"][1:], ErrAuth},
		{"OAEP one byte extra", priv, "RSAES_OAEP_SHA_256", append(bytes.Clone(wrapped["RSAES_OAEP_SHA_256"]), 0), ErrAuth},
		{"flip first RSA byte", priv, "RSA_AES_KEY_WRAP_SHA_256", flip(hybrid, 0), ErrAuth},
		{"flip last RSA byte", priv, "RSA_AES_KEY_WRAP_SHA_256", flip(hybrid, k-1), ErrAuth},
		{"flip first KWP byte", priv, "RSA_AES_KEY_WRAP_SHA_256", flip(hybrid, k), ErrAuth},
		{"flip last KWP byte", priv, "RSA_AES_KEY_WRAP_SHA_256", flip(hybrid, len(hybrid)-1), ErrAuth},
		{"flip OAEP byte", priv, "RSAES_OAEP_SHA_1", flip(wrapped["RSAES_OAEP_SHA_1"], 100), ErrAuth},
		{"KWP under another AES key", priv, "RSA_AES_KEY_WRAP_SHA_256", slices.Concat(hybrid[:k], otherKWP), ErrAuth},
		{"KWP parts swapped", priv, "RSA_AES_KEY_WRAP_SHA_256", slices.Concat(hybrid[:k], wrapped["RSA_AES_KEY_WRAP_SHA_1"][k:]), ErrAuth},
		{"16-byte AES key", priv, "RSA_AES_KEY_WRAP_SHA_256", slices.Concat(short, shortKWP), ErrAuth},
		{"RSAES_PKCS1_V1_5", priv, "RSAES_PKCS1_V1_5", hybrid, ErrUnsupported},
		{"SM2PKE", priv, "SM2PKE", hybrid, ErrUnsupported},
		{"lower case", priv, "rsa_aes_key_wrap_sha_256", hybrid, ErrUnsupported},
		{"signing algorithm", priv, "RSASSA_PSS_SHA_256", hybrid, ErrUnsupported},
		{"empty name", priv, "", hybrid, ErrUnsupported},
		{"EC wrapping key", ecPriv, "RSA_AES_KEY_WRAP_SHA_256", hybrid, ErrIncompatible},
		{"garbage wrapping key", []byte("not a key"), "RSAES_OAEP_SHA_256", wrapped["RSAES_OAEP_SHA_256"], ErrInvalidKey},
	}
	for _, tc := range unwrapCases {
		t.Run("unwrap/"+tc.name, func(t *testing.T) {
			got, err := UnwrapKeyMaterial(tc.priv, tc.alg, tc.wrapped)
			wantErr(t, "UnwrapKeyMaterial", err, tc.want)
			if tc.want == nil && !bytes.Equal(got, hybridAESKey(t, priv, hybrid)) {
				t.Fatalf("UnwrapKeyMaterial = %x", got)
			}
		})
	}

	wrapCases := []struct {
		name     string
		pub      []byte
		alg      string
		material []byte
		want     error
	}{
		{"RSAES_PKCS1_V1_5", pub, "RSAES_PKCS1_V1_5", m, ErrUnsupported},
		{"SM2PKE", pub, "SM2PKE", m, ErrUnsupported},
		{"unknown", pub, "RSA_AES_KEY_WRAP_SHA_384", m, ErrUnsupported},
		{"empty name", pub, "", m, ErrUnsupported},
		{"300 bytes OAEP SHA-256", pub, "RSAES_OAEP_SHA_256", make([]byte, 300), ErrMessageLength},
		{"191 bytes OAEP SHA-256", pub, "RSAES_OAEP_SHA_256", make([]byte, 191), ErrMessageLength},
		{"190 bytes OAEP SHA-256", pub, "RSAES_OAEP_SHA_256", make([]byte, 190), nil},
		{"215 bytes OAEP SHA-1", pub, "RSAES_OAEP_SHA_1", make([]byte, 215), ErrMessageLength},
		{"214 bytes OAEP SHA-1", pub, "RSAES_OAEP_SHA_1", make([]byte, 214), nil},
		{"RSA key with OAEP SHA-256", pub, "RSAES_OAEP_SHA_256", priv, ErrMessageLength},
		{"300 bytes AES wrap", pub, "RSA_AES_KEY_WRAP_SHA_256", make([]byte, 300), nil},
		{"5000 bytes AES wrap", pub, "RSA_AES_KEY_WRAP_SHA_1", make([]byte, 5000), nil},
		{"empty OAEP", pub, "RSAES_OAEP_SHA_1", nil, ErrMessageLength},
		{"empty AES wrap", pub, "RSA_AES_KEY_WRAP_SHA_256", nil, ErrMessageLength},
		{"EC wrapping key, AES wrap", ecPub, "RSA_AES_KEY_WRAP_SHA_256", m, ErrIncompatible},
		{"EC wrapping key, OAEP", ecPub, "RSAES_OAEP_SHA_256", m, ErrIncompatible},
		{"garbage wrapping key", []byte{0x30, 0x00}, "RSA_AES_KEY_WRAP_SHA_1", m, ErrInvalidKey},
		{"private key as wrapping key", priv, "RSAES_OAEP_SHA_256", m, ErrInvalidKey},
	}
	for _, tc := range wrapCases {
		t.Run("wrap/"+tc.name, func(t *testing.T) {
			w, err := WrapKeyMaterial(rand.Reader, tc.pub, tc.alg, tc.material)
			wantErr(t, "WrapKeyMaterial", err, tc.want)
			if tc.want != nil {
				return
			}
			if got, err := UnwrapKeyMaterial(priv, tc.alg, w); err != nil || !bytes.Equal(got, tc.material) {
				t.Fatalf("UnwrapKeyMaterial = %x, %v", got, err)
			}
		})
	}
	t.Run("unwrap/OAEP with its leading zero octet stripped", func(t *testing.T) {
		// crypto/rsa decrypts a ciphertext shorter than the modulus as if
		// leading zeros were stripped; RFC 8017 §7.1.2 requires k octets.
		for range 10000 {
			w, err := WrapKeyMaterial(rand.Reader, pub, "RSAES_OAEP_SHA_256", m)
			if err != nil {
				t.Fatal(err)
			}
			if w[0] != 0 {
				continue
			}
			if got, err := DecryptOAEP(priv, "RSAES_OAEP_SHA_256", w[1:]); err != nil || !bytes.Equal(got, m) {
				t.Logf("DecryptOAEP no longer accepts a short ciphertext: %v", err)
			}
			_, err = UnwrapKeyMaterial(priv, "RSAES_OAEP_SHA_256", w[1:])
			wantErr(t, "UnwrapKeyMaterial", err, ErrAuth)
			return
		}
		t.Fatal("no ciphertext with a leading zero octet in 10000 tries")
	})
	if _, err := WrapKeyMaterial(nil, pub, "RSA_AES_KEY_WRAP_SHA_256", m); err == nil {
		t.Fatal("WrapKeyMaterial with a nil reader succeeded")
	}
}

// hybridAESKey recovers the AES key of an RSA_AES_KEY_WRAP_SHA_256 blob.
func hybridAESKey(t testing.TB, priv, blob []byte) []byte {
	t.Helper()
	k, err := DecryptOAEP(priv, "RSAES_OAEP_SHA_256", blob[:rsaModulusBytes("RSA_2048")])
	if err != nil || len(k) != 32 {
		t.Fatalf("AES key: %x, %v", k, err)
	}
	return k
}

// shell runs script with sh in the openssl temporary directory, with a
// function hex that prints stdin as one line of hex (the guide's
// `xxd -p | tr -d '\n'`; od -v when xxd is missing).
func (o *opensslCmd) shell(script string) []byte {
	o.t.Helper()
	cmd := exec.Command("sh", "-ec", `hex() { if command -v xxd >/dev/null 2>&1; then xxd -p | tr -d '\n'; else od -An -v -tx1 | tr -d ' \n'; fi; }
`+script)
	cmd.Dir = o.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		o.t.Fatalf("sh: %v\n%s\n%s", err, script, stderr.String())
	}
	return stdout.Bytes()
}

// guideWrapScripts are the AWS KMS developer guide's openssl commands for
// wrapping key material to import, one per wrapping algorithm, verbatim
// except `$(xxd -p < aes-key.bin | tr -d '\n')` spelt
// `$(hex < aes-key.bin)`. They read PlaintextKeyMaterial.bin
// and WrappingPublicKey.bin and write EncryptedKeyMaterial.bin.
var guideWrapScripts = map[string]string{
	"RSAES_OAEP_SHA_1": `
openssl pkeyutl \
    -encrypt \
    -in PlaintextKeyMaterial.bin \
    -out EncryptedKeyMaterial.bin \
    -inkey WrappingPublicKey.bin \
    -keyform DER \
    -pubin \
    -pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:sha1
`,
	"RSAES_OAEP_SHA_256": `
openssl pkeyutl \
    -encrypt \
    -in PlaintextKeyMaterial.bin \
    -out EncryptedKeyMaterial.bin \
    -inkey WrappingPublicKey.bin \
    -keyform DER \
    -pubin \
    -pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:sha256 \
    -pkeyopt rsa_mgf1_md:sha256
`,
	"RSA_AES_KEY_WRAP_SHA_1":   guideAESWrapScript("sha1"),
	"RSA_AES_KEY_WRAP_SHA_256": guideAESWrapScript("sha256"),
}

func guideAESWrapScript(md string) string {
	return `
# Generate a 32-byte AES symmetric encryption key
openssl rand -out aes-key.bin 32

# Encrypt your key material with the AES symmetric encryption key
openssl enc -id-aes256-wrap-pad \
        -K "$(hex < aes-key.bin)" \
        -iv A65959A6 \
        -in PlaintextKeyMaterial.bin\
        -out key-material-wrapped.bin

# Encrypt your AES symmetric encryption key with the downloaded public key
openssl pkeyutl \
    -encrypt \
    -in aes-key.bin \
    -out aes-key-wrapped.bin \
    -inkey WrappingPublicKey.bin \
    -keyform DER \
    -pubin \
    -pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:` + md + ` \
    -pkeyopt rsa_mgf1_md:` + md + `

# Combine the encrypted AES key and encrypted key material in a file
cat aes-key-wrapped.bin key-material-wrapped.bin > EncryptedKeyMaterial.bin
`
}

var (
	guideMaterialsOnce sync.Once
	guideMaterials     map[string][]byte
)

// guideMaterialFiles maps a material name to the guide command making it.
var guideMaterialFiles = []struct{ name, file, cmd string }{
	{"SYMMETRIC_DEFAULT", "PlaintextKeyMaterial.bin", "openssl rand -out PlaintextKeyMaterial.bin 32"},
	{"HMAC_224", "HMAC_224_PlaintextKey.bin", "openssl rand -out HMAC_224_PlaintextKey.bin 28"},
	{"HMAC_512", "HMAC_512_PlaintextKey.bin", "openssl rand -out HMAC_512_PlaintextKey.bin 64"},
	{"RSA_2048", "RSA_2048_PrivateKey.der", "openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 | openssl pkcs8 -topk8 -outform der -nocrypt > RSA_2048_PrivateKey.der"},
	{"ECC_NIST_P256", "ECC_NIST_P256_PrivateKey.der", "openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 | openssl pkcs8 -topk8 -outform der -nocrypt > ECC_NIST_P256_PrivateKey.der"},
}

// opensslGuideMaterials returns material made by openssl as in the guide,
// generated once per test binary, checked for length and key spec.
func opensslGuideMaterials(t *testing.T) map[string][]byte {
	t.Helper()
	o := newOpenSSL(t)
	guideMaterialsOnce.Do(func() {
		var script strings.Builder
		for _, g := range guideMaterialFiles {
			script.WriteString(g.cmd + "\n")
		}
		o.shell(script.String())
		m := map[string][]byte{}
		for _, g := range guideMaterialFiles {
			m[g.name] = o.read(g.file)
		}
		guideMaterials = m
	})
	if guideMaterials == nil {
		t.Fatal("openssl material generation failed earlier")
	}
	for name, want := range map[string]int{"SYMMETRIC_DEFAULT": 32, "HMAC_224": 28, "HMAC_512": 64} {
		if len(guideMaterials[name]) != want {
			t.Fatalf("%s material is %d bytes", name, len(guideMaterials[name]))
		}
	}
	for _, spec := range []string{"RSA_2048", "ECC_NIST_P256"} {
		if got, err := KeySpecOfPrivate(guideMaterials[spec]); got != spec || err != nil {
			t.Fatalf("openssl %s material: KeySpecOfPrivate = %s, %v", spec, got, err)
		}
	}
	return guideMaterials
}

// TestOpenSSLWrapsKeyMaterial: material wrapped with the guide's exact
// openssl commands unwraps with UnwrapKeyMaterial, for each wrapping
// algorithm, material format and wrapping key size (RSA_3072 for the
// guide's own example only).
func TestOpenSSLWrapsKeyMaterial(t *testing.T) {
	materials := opensslGuideMaterials(t)
	type tcase struct{ spec, alg, material string }
	var cases []tcase
	for _, spec := range []string{"RSA_2048", "RSA_4096"} {
		for _, alg := range importWrappingAlgs {
			for _, g := range guideMaterialFiles {
				if materialFits(g.name, alg) {
					cases = append(cases, tcase{spec, alg, g.name})
				}
			}
		}
	}
	cases = append(cases, tcase{"RSA_3072", "RSA_AES_KEY_WRAP_SHA_256", "SYMMETRIC_DEFAULT"})
	for _, tc := range cases {
		t.Run(tc.spec+"/"+tc.alg+"/"+tc.material, func(t *testing.T) {
			t.Parallel()
			priv, pub := keyPair(t, tc.spec)
			material := materials[tc.material]
			o := newOpenSSL(t)
			// GetParametersForImport returns the public key base64-encoded.
			o.file("PublicKey.b64", []byte(base64.StdEncoding.EncodeToString(pub)))
			o.file("PlaintextKeyMaterial.bin", material)
			o.shell("openssl enc -d -base64 -A -in PublicKey.b64 -out WrappingPublicKey.bin\n" + guideWrapScripts[tc.alg])
			if !bytes.Equal(o.read("WrappingPublicKey.bin"), pub) {
				t.Fatal("base64 decoding changed the wrapping public key")
			}
			blob := o.read("EncryptedKeyMaterial.bin")
			want := rsaModulusBytes(tc.spec)
			if isHybridWrapping(tc.alg) {
				want += (len(material)+7)/8*8 + 8
				// openssl's key wrap is byte-identical to KeyWrapPad.
				kwp, err := KeyWrapPad(o.read("aes-key.bin"), material)
				if err != nil || !bytes.Equal(kwp, o.read("key-material-wrapped.bin")) {
					t.Fatalf("KeyWrapPad = %x, %v; openssl %x", kwp, err, o.read("key-material-wrapped.bin"))
				}
			}
			if len(blob) != want {
				t.Fatalf("EncryptedKeyMaterial.bin is %d bytes, want %d", len(blob), want)
			}
			got, err := UnwrapKeyMaterial(priv, tc.alg, blob)
			if err != nil || !bytes.Equal(got, material) {
				t.Fatalf("UnwrapKeyMaterial = %x, %v; want %x", got, err, material)
			}
			// The same blob does not unwrap under the other hash.
			other := strings.Replace(tc.alg, "SHA_256", "SHA_1", 1)
			if other == tc.alg {
				other = strings.Replace(tc.alg, "SHA_1", "SHA_256", 1)
			}
			_, err = UnwrapKeyMaterial(priv, other, blob)
			wantErr(t, "UnwrapKeyMaterial as "+other, err, ErrAuth)
		})
	}
}

// TestOpenSSLUnwrapsKeyMaterial: WrapKeyMaterial's output, split into the
// RSA ciphertext and the key wrap output, is unwrapped by openssl pkeyutl
// -decrypt (with the wrapping private key as PEM and as DER) and openssl
// enc -d -id-aes256-wrap-pad -iv A65959A6; RSAES_OAEP_* output by
// openssl pkeyutl -decrypt alone.
func TestOpenSSLUnwrapsKeyMaterial(t *testing.T) {
	materials := importMaterials(t)
	for _, spec := range []string{"RSA_2048", "RSA_3072", "RSA_4096"} {
		for _, alg := range importWrappingAlgs {
			for _, form := range []string{"PEM", "DER"} {
				for _, name := range []string{"SYMMETRIC_DEFAULT", "HMAC_224", "RSA_2048", "ECC_NIST_P256"} {
					if !materialFits(name, alg) || (spec == "RSA_3072" && (form == "DER" || name != "ECC_NIST_P256")) {
						continue
					}
					t.Run(fmt.Sprintf("%s/%s/%s/%s", spec, alg, form, name), func(t *testing.T) {
						t.Parallel()
						priv, pub := keyPair(t, spec)
						material := materials[name]
						o := newOpenSSL(t)
						keyArgs := "-inkey WrappingPrivateKey.pem"
						if form == "PEM" {
							o.pemFile("WrappingPrivateKey.pem", "PRIVATE KEY", priv)
						} else {
							o.file("WrappingPrivateKey.der", priv)
							keyArgs = "-inkey WrappingPrivateKey.der -keyform DER"
						}
						md := "sha256"
						if strings.HasSuffix(alg, "SHA_1") {
							md = "sha1"
						}
						w, err := WrapKeyMaterial(rand.Reader, pub, alg, material)
						if err != nil {
							t.Fatal(err)
						}
						oaep := "-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:" + md + " -pkeyopt rsa_mgf1_md:" + md
						if !isHybridWrapping(alg) {
							o.file("EncryptedKeyMaterial.bin", w)
							o.shell("openssl pkeyutl -decrypt " + keyArgs + " -in EncryptedKeyMaterial.bin -out material.bin " + oaep)
						} else {
							k := rsaModulusBytes(spec)
							o.file("aes-key-wrapped.bin", w[:k])
							o.file("key-material-wrapped.bin", w[k:])
							o.shell("openssl pkeyutl -decrypt " + keyArgs + " -in aes-key-wrapped.bin -out aes-key.bin " + oaep + `
openssl enc -d -id-aes256-wrap-pad -K "$(hex < aes-key.bin)" -iv A65959A6 -in key-material-wrapped.bin -out material.bin`)
							if n := len(o.read("aes-key.bin")); n != 32 {
								t.Fatalf("AES key is %d bytes", n)
							}
						}
						if got := o.read("material.bin"); !bytes.Equal(got, material) {
							t.Fatalf("openssl unwrapped %x, want %x", got, material)
						}
					})
				}
			}
		}
	}
	t.Run("openssl rejects the other hash", func(t *testing.T) {
		priv, pub := keyPair(t, "RSA_2048")
		o := newOpenSSL(t)
		o.file("priv.der", priv)
		w, err := WrapKeyMaterial(rand.Reader, pub, "RSA_AES_KEY_WRAP_SHA_256", kwpTestKey(32))
		if err != nil {
			t.Fatal(err)
		}
		o.file("aes-key-wrapped.bin", w[:256])
		if _, err := o.run("pkeyutl", "-decrypt", "-inkey", "priv.der", "-keyform", "DER", "-in", "aes-key-wrapped.bin",
			"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1"); err == nil {
			t.Fatal("openssl decrypted an RSA_AES_KEY_WRAP_SHA_256 key with SHA-1 OAEP")
		}
	})
}

// FuzzUnwrapKeyMaterial: arbitrary bytes never panic under any wrapping
// algorithm, and anything that unwraps is a real wrap of the seed material.
func FuzzUnwrapKeyMaterial(f *testing.F) {
	priv, pub := keyPair(f, "RSA_2048")
	m := kwpTestKey(32)
	for _, alg := range importWrappingAlgs {
		w, err := WrapKeyMaterial(rand.Reader, pub, alg, m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(w)
		f.Add(w[:len(w)-8])
	}
	f.Add([]byte{})
	f.Add(make([]byte, 256))
	f.Add(make([]byte, 256+16))
	f.Add(bytes.Repeat([]byte{0xff}, 256+40))
	algs := append(slices.Clone(importWrappingAlgs), "RSAES_PKCS1_V1_5", "SM2PKE")
	f.Fuzz(func(t *testing.T, wrapped []byte) {
		for _, alg := range algs {
			got, err := UnwrapKeyMaterial(priv, alg, wrapped)
			switch {
			case err == nil && !bytes.Equal(got, m):
				t.Fatalf("%s: %x unwrapped to %x", alg, wrapped, got)
			case err != nil && !errors.Is(err, ErrAuth) && !errors.Is(err, ErrUnsupported):
				t.Fatalf("%s: error %v", alg, err)
			}
		}
	})
}
