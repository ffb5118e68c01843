//go:build cgo

package kms

import (
	"bytes"
	"context"
	stdcrypto "crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	_ "crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketkms/pkms/crypto"
	"github.com/pocketkms/pkms/vault/pkcs11"
)

const (
	cksToken = "lab-hsm"
	cksOther = "other-hsm"
	cksPIN   = "12345678"
)

// softTokens makes SoftHSM2 tokens labelled cksToken and cksOther (user PIN
// cksPIN) in a temporary directory, or skips the test. slots maps each
// label to its token's slot:N reference.
var slots = map[string]string{}

func softTokens(t testing.TB) (module string) {
	t.Helper()
	module = pkcs11.SoftHSMModule()
	if _, err := exec.LookPath("softhsm2-util"); err != nil || module == "" {
		t.Skip("needs SoftHSM2 (apt-get install softhsm2)")
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	for _, label := range []string{cksToken, cksOther} {
		out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", cksPIN, "--so-pin", "87654321").CombinedOutput()
		if err != nil {
			t.Fatalf("softhsm2-util: %v\n%s", err, out)
		}
		// "… has been initialized and is reassigned to slot N"
		f := strings.Fields(string(out))
		slots[label] = "slot:" + f[len(f)-1]
	}
	return module
}

// testCert is a self-signed PEM certificate, a trust anchor.
func testCert(t testing.TB) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "customerCA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func (e *testEnv) keyStore(id string) CustomKeyStoresListEntry {
	e.t.Helper()
	out := invokeOK[DescribeCustomKeyStoresOutput](e, "DescribeCustomKeyStores", &DescribeCustomKeyStoresInput{CustomKeyStoreId: id})
	return out.CustomKeyStores[0]
}

// TestCustomKeyStores walks a store through its states on a SoftHSM2
// token and checks every exception on the way.
func TestCustomKeyStores(t *testing.T) {
	module := softTokens(t)
	e := newEnv(t, withSystemRand(), func(o *Options) { o.PKCS11Module = module })
	defer e.svc.Close()
	cert := testCert(t)
	create := func(name, token, pin string) (*CreateCustomKeyStoreOutput, error) {
		out, err := e.call("CreateCustomKeyStore", &CreateCustomKeyStoreInput{CustomKeyStoreName: name, CloudHsmClusterId: token,
			TrustAnchorCertificate: cert, KeyStorePassword: pin})
		o, _ := out.(*CreateCustomKeyStoreOutput)
		return o, err
	}

	// Refusals at create time.
	for _, tc := range []struct {
		name string
		in   *CreateCustomKeyStoreInput
		code ErrorCode
	}{
		{"absent token", &CreateCustomKeyStoreInput{CustomKeyStoreName: "x", CloudHsmClusterId: "no-such-token", TrustAnchorCertificate: cert, KeyStorePassword: cksPIN}, CloudHsmClusterNotFoundException},
		{"not a certificate", &CreateCustomKeyStoreInput{CustomKeyStoreName: "x", CloudHsmClusterId: cksToken, TrustAnchorCertificate: "hello", KeyStorePassword: cksPIN}, IncorrectTrustAnchorException},
		{"no password", &CreateCustomKeyStoreInput{CustomKeyStoreName: "x", CloudHsmClusterId: cksToken, TrustAnchorCertificate: cert}, ValidationException},
		{"short password", &CreateCustomKeyStoreInput{CustomKeyStoreName: "x", CloudHsmClusterId: cksToken, TrustAnchorCertificate: cert, KeyStorePassword: "123"}, ValidationException},
		{"external key store", &CreateCustomKeyStoreInput{CustomKeyStoreName: "x", CustomKeyStoreType: CustomKeyStoreTypeExternalKeyStore}, UnsupportedOperationException},
	} {
		_, err := e.call("CreateCustomKeyStore", tc.in)
		if CodeOf(err) != tc.code {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
		}
	}

	out, err := create("lab", cksToken, "wrong-pin")
	if err != nil {
		t.Fatal(err)
	}
	id := out.CustomKeyStoreId
	if len(id) != 21 || !strings.HasPrefix(id, "cks-") {
		t.Errorf("store id %q is not cks- and 17 hex digits", id)
	}
	if again, err := create("lab", cksToken, "wrong-pin"); err != nil || again.CustomKeyStoreId != id {
		t.Errorf("an identical create gave %v, %v; want the same store %s", again, err, id)
	}
	if _, err := create("lab", cksOther, cksPIN); CodeOf(err) != CustomKeyStoreNameInUseException {
		t.Errorf("same name: %v", err)
	}
	if _, err := create("lab2", cksToken, cksPIN); CodeOf(err) != CloudHsmClusterInUseException {
		t.Errorf("same token: %v", err)
	}
	if s := e.keyStore(id); s.ConnectionState != ConnectionStateDisconnected || s.CloudHsmClusterId != cksToken ||
		s.CustomKeyStoreType != CustomKeyStoreTypeAwsCloudhsm || s.TrustAnchorCertificate != cert {
		t.Errorf("new store: %+v", s)
	}

	// Disconnected: no keys, no random, no disconnect.
	_, err = e.call("CreateKey", &CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: id})
	wantCode(t, err, CustomKeyStoreInvalidStateException)
	_, err = e.call("GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr[int32](8), CustomKeyStoreId: id})
	wantCode(t, err, CustomKeyStoreInvalidStateException)
	_, err = e.call("DisconnectCustomKeyStore", &DisconnectCustomKeyStoreInput{CustomKeyStoreId: id})
	wantCode(t, err, CustomKeyStoreInvalidStateException)

	// A wrong PIN: FAILED with INVALID_CREDENTIALS; connect again is refused
	// until the store is disconnected.
	invokeOK[ConnectCustomKeyStoreOutput](e, "ConnectCustomKeyStore", &ConnectCustomKeyStoreInput{CustomKeyStoreId: id})
	if s := e.keyStore(id); s.ConnectionState != ConnectionStateFailed || s.ConnectionErrorCode != ConnectionErrorCodeInvalidCredentials {
		t.Fatalf("after a wrong PIN: %s %s", s.ConnectionState, s.ConnectionErrorCode)
	}
	_, err = e.call("ConnectCustomKeyStore", &ConnectCustomKeyStoreInput{CustomKeyStoreId: id})
	wantCode(t, err, CustomKeyStoreInvalidStateException)
	_, err = e.call("UpdateCustomKeyStore", &UpdateCustomKeyStoreInput{CustomKeyStoreId: id, KeyStorePassword: cksPIN})
	wantCode(t, err, CustomKeyStoreInvalidStateException)
	invokeOK[DisconnectCustomKeyStoreOutput](e, "DisconnectCustomKeyStore", &DisconnectCustomKeyStoreInput{CustomKeyStoreId: id})

	// Updates while disconnected: the PIN; the token by slot of another token
	// is refused, the same token by its label is accepted.
	invokeOK[UpdateCustomKeyStoreOutput](e, "UpdateCustomKeyStore", &UpdateCustomKeyStoreInput{CustomKeyStoreId: id, KeyStorePassword: cksPIN})
	_, err = e.call("UpdateCustomKeyStore", &UpdateCustomKeyStoreInput{CustomKeyStoreId: id, CloudHsmClusterId: cksOther})
	wantCode(t, err, CloudHsmClusterNotRelatedException)
	_, err = e.call("UpdateCustomKeyStore", &UpdateCustomKeyStoreInput{CustomKeyStoreId: id, CloudHsmClusterId: "gone"})
	wantCode(t, err, CloudHsmClusterNotFoundException)
	invokeOK[UpdateCustomKeyStoreOutput](e, "UpdateCustomKeyStore", &UpdateCustomKeyStoreInput{CustomKeyStoreId: id, CloudHsmClusterId: slots[cksToken]})
	if got := e.keyStore(id).CloudHsmClusterId; got != slots[cksToken] {
		t.Errorf("CloudHsmClusterId after update: %q, want %q", got, slots[cksToken])
	}
	_, err = e.call("UpdateCustomKeyStore", &UpdateCustomKeyStoreInput{CustomKeyStoreId: id, CloudHsmClusterId: slots[cksOther]})
	wantCode(t, err, CloudHsmClusterNotRelatedException)
	invokeOK[UpdateCustomKeyStoreOutput](e, "UpdateCustomKeyStore", &UpdateCustomKeyStoreInput{CustomKeyStoreId: id, CloudHsmClusterId: cksToken})

	invokeOK[ConnectCustomKeyStoreOutput](e, "ConnectCustomKeyStore", &ConnectCustomKeyStoreInput{CustomKeyStoreId: id})
	if s := e.keyStore(id); s.ConnectionState != ConnectionStateConnected || s.ConnectionErrorCode != "" {
		t.Fatalf("after connect: %s %s", s.ConnectionState, s.ConnectionErrorCode)
	}
	invokeOK[ConnectCustomKeyStoreOutput](e, "ConnectCustomKeyStore", &ConnectCustomKeyStoreInput{CustomKeyStoreId: id}) // no-op
	_, err = e.call("UpdateCustomKeyStore", &UpdateCustomKeyStoreInput{CustomKeyStoreId: id, KeyStorePassword: cksPIN})
	wantCode(t, err, CustomKeyStoreInvalidStateException)
	invokeOK[UpdateCustomKeyStoreOutput](e, "UpdateCustomKeyStore", &UpdateCustomKeyStoreInput{CustomKeyStoreId: id, NewCustomKeyStoreName: "lab-renamed"})
	_, err = e.call("DeleteCustomKeyStore", &DeleteCustomKeyStoreInput{CustomKeyStoreId: id})
	wantCode(t, err, CustomKeyStoreInvalidStateException)

	// Keys: symmetric only.
	for _, tc := range []struct {
		name string
		in   *CreateKeyInput
		code ErrorCode
	}{
		{"asymmetric", &CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: id, KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify}, UnsupportedOperationException},
		{"hmac", &CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: id, KeySpec: KeySpecHmac256, KeyUsage: KeyUsageGenerateVerifyMac}, UnsupportedOperationException},
		{"origin AWS_KMS", &CreateKeyInput{CustomKeyStoreId: id}, UnsupportedOperationException},
		{"origin EXTERNAL_KEY_STORE", &CreateKeyInput{Origin: OriginExternalKeyStore, CustomKeyStoreId: id}, UnsupportedOperationException},
		{"no store", &CreateKeyInput{Origin: OriginAwsCloudhsm}, ValidationException},
		{"unknown store", &CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: "cks-00000000000000000"}, CustomKeyStoreNotFoundException},
		{"multi-Region", &CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: id, MultiRegion: ptr(true)}, UnsupportedOperationException},
	} {
		_, err := e.call("CreateKey", tc.in)
		if CodeOf(err) != tc.code {
			t.Errorf("create-key %s: got %v, want %s", tc.name, err, tc.code)
		}
	}
	m := e.createKey(&CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: id, Description: "in the token"})
	if m.Origin != OriginAwsCloudhsm || m.CustomKeyStoreId != id || m.CloudHsmClusterId != cksToken || m.KeyState != KeyStateEnabled {
		t.Errorf("key metadata: %+v", m)
	}

	// The key is a token object that cannot leave the token.
	tok, err := pkcs11.OpenToken(module, cksToken, []byte(cksPIN))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	attrs, err := tok.Attributes(m.Arn)
	if err != nil {
		t.Fatal(err)
	}
	if !attrs.Sensitive || attrs.Extractable || !attrs.Token || attrs.ValueReadable {
		t.Errorf("token key attributes %+v: want sensitive, not extractable, persistent, CKA_VALUE refused", attrs)
	}

	// Cryptography in the token.
	pt := []byte("release notes")
	ctx := map[string]string{"app": "test"}
	enc := e.encrypt(m.KeyId, pt, ctx)
	dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx})
	if !bytes.Equal(dec.Plaintext, pt) || dec.KeyId != m.Arn {
		t.Errorf("decrypt: %q under %s", dec.Plaintext, dec.KeyId)
	}
	_, err = e.call("Decrypt", &DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantCode(t, err, InvalidCiphertextException)
	bad := bytes.Clone(enc.CiphertextBlob)
	bad[len(bad)-1] ^= 1
	_, err = e.call("Decrypt", &DecryptInput{CiphertextBlob: bad, EncryptionContext: ctx})
	wantCode(t, err, InvalidCiphertextException)
	vaultKey := e.newKey()
	re := invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ctx, DestinationKeyId: vaultKey})
	back := invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{CiphertextBlob: re.CiphertextBlob, DestinationKeyId: m.KeyId})
	dec = invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: back.CiphertextBlob})
	if !bytes.Equal(dec.Plaintext, pt) {
		t.Errorf("after re-encrypt through a vault key and back: %q", dec.Plaintext)
	}
	gdk := invokeOK[GenerateDataKeyOutput](e, "GenerateDataKey", &GenerateDataKeyInput{KeyId: m.KeyId, KeySpec: DataKeySpecAes256})
	dec = invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: gdk.CiphertextBlob})
	if !bytes.Equal(dec.Plaintext, gdk.Plaintext) || len(gdk.Plaintext) != 32 {
		t.Error("GenerateDataKey's ciphertext does not decrypt to its plaintext")
	}
	invokeOK[GenerateDataKeyWithoutPlaintextOutput](e, "GenerateDataKeyWithoutPlaintext", &GenerateDataKeyWithoutPlaintextInput{KeyId: m.KeyId, NumberOfBytes: ptr[int32](16)})
	_, err = e.call("GenerateDataKeyPair", &GenerateDataKeyPairInput{KeyId: m.KeyId, KeyPairSpec: DataKeyPairSpecEccNistP256})
	wantCode(t, err, UnsupportedOperationException)
	r := invokeOK[GenerateRandomOutput](e, "GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr[int32](24), CustomKeyStoreId: id})
	if len(r.Plaintext) != 24 {
		t.Errorf("GenerateRandom from the token gave %d bytes", len(r.Plaintext))
	}

	// A store with keys cannot be deleted, even disconnected; its keys are
	// Unavailable while it is disconnected.
	invokeOK[DisconnectCustomKeyStoreOutput](e, "DisconnectCustomKeyStore", &DisconnectCustomKeyStoreInput{CustomKeyStoreId: id})
	if got := e.describe(m.KeyId).KeyState; got != KeyStateUnavailable {
		t.Errorf("key of a disconnected store is %s, want Unavailable", got)
	}
	_, err = e.call("Encrypt", &EncryptInput{KeyId: m.KeyId, Plaintext: pt})
	wantCode(t, err, KMSInvalidStateException)
	_, err = e.call("DeleteCustomKeyStore", &DeleteCustomKeyStoreInput{CustomKeyStoreId: id})
	wantCode(t, err, CustomKeyStoreHasCMKsException)
	// Tagging an Unavailable key does not write Unavailable into the vault.
	invokeOK[TagResourceOutput](e, "TagResource", &TagResourceInput{KeyId: m.KeyId, Tags: []Tag{{TagKey: "a", TagValue: "b"}}})
	invokeOK[ConnectCustomKeyStoreOutput](e, "ConnectCustomKeyStore", &ConnectCustomKeyStoreInput{CustomKeyStoreId: id})
	if got := e.describe(m.KeyId).KeyState; got != KeyStateEnabled {
		t.Errorf("key after reconnecting is %s, want Enabled", got)
	}

	// The token object deleted out of band: Unavailable, KMSInvalidStateException.
	if err := tok.DestroyKey(m.Arn); err != nil {
		t.Fatal(err)
	}
	_, err = e.call("Decrypt", &DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx})
	wantCode(t, err, KMSInvalidStateException)
	if got := e.describe(m.KeyId).KeyState; got != KeyStateUnavailable {
		t.Errorf("key whose token object is gone is %s, want Unavailable", got)
	}
}

// TestCustomKeyStoreAbsentToken: connecting to a store whose token went
// away fails with CLUSTER_NOT_FOUND.
func TestCustomKeyStoreAbsentToken(t *testing.T) {
	module := softTokens(t)
	e := newEnv(t, withSystemRand(), func(o *Options) { o.PKCS11Module = module })
	defer e.svc.Close()
	out := invokeOK[CreateCustomKeyStoreOutput](e, "CreateCustomKeyStore", &CreateCustomKeyStoreInput{CustomKeyStoreName: "lab",
		CloudHsmClusterId: cksToken, TrustAnchorCertificate: testCert(t), KeyStorePassword: cksPIN})
	empty := t.TempDir()
	conf := filepath.Join(empty, "softhsm2.conf")
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+empty+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf) // the module reads it when it is next loaded
	invokeOK[ConnectCustomKeyStoreOutput](e, "ConnectCustomKeyStore", &ConnectCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStoreId})
	if s := e.keyStore(out.CustomKeyStoreId); s.ConnectionState != ConnectionStateFailed || s.ConnectionErrorCode != ConnectionErrorCodeClusterNotFound {
		t.Errorf("absent token: %s %s", s.ConnectionState, s.ConnectionErrorCode)
	}
}

// TestDescribeCustomKeyStores: by id, by name, all, page by page.
func TestDescribeCustomKeyStores(t *testing.T) {
	module := softTokens(t)
	e := newEnv(t, withSystemRand(), func(o *Options) { o.PKCS11Module = module })
	cert := testCert(t)
	ids := map[string]string{}
	for _, tok := range []string{cksToken, cksOther} {
		out := invokeOK[CreateCustomKeyStoreOutput](e, "CreateCustomKeyStore", &CreateCustomKeyStoreInput{CustomKeyStoreName: "store-" + tok,
			CloudHsmClusterId: tok, TrustAnchorCertificate: cert, KeyStorePassword: cksPIN})
		ids[out.CustomKeyStoreId] = "store-" + tok
	}
	pages := paginate(t, 1, func(marker string) ([]CustomKeyStoresListEntry, string, bool, error) {
		out, err := e.call("DescribeCustomKeyStores", &DescribeCustomKeyStoresInput{Limit: ptr[int32](1), Marker: marker})
		if err != nil {
			return nil, "", false, err
		}
		o := out.(*DescribeCustomKeyStoresOutput)
		return o.CustomKeyStores, o.NextMarker, *o.Truncated, nil
	})
	if len(pages) != 2 {
		t.Errorf("%d pages of one store, want 2", len(pages))
	}
	for _, tc := range []struct {
		name string
		in   *DescribeCustomKeyStoresInput
		want int
		code ErrorCode
	}{
		{"all", &DescribeCustomKeyStoresInput{}, 2, ""},
		{"by name", &DescribeCustomKeyStoresInput{CustomKeyStoreName: "store-" + cksOther}, 1, ""},
		{"unknown name", &DescribeCustomKeyStoresInput{CustomKeyStoreName: "nope"}, 0, CustomKeyStoreNotFoundException},
		{"unknown id", &DescribeCustomKeyStoresInput{CustomKeyStoreId: "cks-00000000000000000"}, 0, CustomKeyStoreNotFoundException},
		{"both", &DescribeCustomKeyStoresInput{CustomKeyStoreId: "cks-00000000000000000", CustomKeyStoreName: "nope"}, 0, ValidationException},
	} {
		out, err := e.call("DescribeCustomKeyStores", tc.in)
		if CodeOf(err) != tc.code {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.code)
			continue
		}
		if err == nil {
			if n := len(out.(*DescribeCustomKeyStoresOutput).CustomKeyStores); n != tc.want {
				t.Errorf("%s: %d stores, want %d", tc.name, n, tc.want)
			}
		}
	}
	for id, name := range ids {
		if s := e.keyStore(id); s.CustomKeyStoreName != name {
			t.Errorf("store %s is named %q, want %q", id, s.CustomKeyStoreName, name)
		}
		invokeOK[DeleteCustomKeyStoreOutput](e, "DeleteCustomKeyStore", &DeleteCustomKeyStoreInput{CustomKeyStoreId: id})
		_, err := e.call("DescribeCustomKeyStores", &DescribeCustomKeyStoresInput{CustomKeyStoreId: id})
		wantCode(t, err, CustomKeyStoreNotFoundException)
	}
}

// TestConnectionErrorCode maps token failures to AWS's codes.
func TestConnectionErrorCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want ConnectionErrorCode
	}{
		{pkcs11.ErrIncorrectPIN, ConnectionErrorCodeInvalidCredentials},
		{pkcs11.ErrPINLocked, ConnectionErrorCodeUserLockedOut},
		{pkcs11.ErrTokenNotFound, ConnectionErrorCodeClusterNotFound},
		{pkcs11.ErrModuleUnavailable, ConnectionErrorCodeClusterNotFound},
		{errors.New("CKR_GENERAL_ERROR"), ConnectionErrorCodeInternalError},
	} {
		if got := connectionErrorCode(errors.Join(errors.New("context"), tc.err)); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.err, got, tc.want)
		}
	}
}

// newConnectedStore creates and connects a store on cksToken.
func (e *testEnv) newConnectedStore(t *testing.T) string {
	t.Helper()
	out := invokeOK[CreateCustomKeyStoreOutput](e, "CreateCustomKeyStore", &CreateCustomKeyStoreInput{CustomKeyStoreName: "lab",
		CloudHsmClusterId: cksToken, TrustAnchorCertificate: testCert(t), KeyStorePassword: cksPIN})
	invokeOK[ConnectCustomKeyStoreOutput](e, "ConnectCustomKeyStore", &ConnectCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStoreId})
	return out.CustomKeyStoreId
}

// TestCustomKeyStoreKeyDeletion: when a key's deletion window ends, its
// token object is destroyed too; before, it stays.
func TestCustomKeyStoreKeyDeletion(t *testing.T) {
	module := softTokens(t)
	e := newEnv(t, withSystemRand(), func(o *Options) { o.PKCS11Module = module })
	defer e.svc.Close()
	id := e.newConnectedStore(t)
	m := e.createKey(&CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: id})
	invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: m.KeyId, PendingWindowInDays: ptr[int32](7)})
	tok, err := pkcs11.OpenToken(module, cksToken, []byte(cksPIN))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	for _, step := range []struct {
		advance time.Duration
		want    bool
	}{
		{6 * 24 * time.Hour, true},
		{2 * 24 * time.Hour, false},
	} {
		e.clock.Advance(step.advance)
		e.newKey() // any write applies ended deletion windows
		if has, err := tok.HasKey(m.Arn); err != nil || has != step.want {
			t.Errorf("after %v more: token object present %v (%v), want %v", step.advance, has, err, step.want)
		}
	}
}

// BenchmarkEncryptTokenKey is Encrypt in a long-lived service (the agent's
// case: the token session stays open) with a key in the token, next to a
// key in the vault.
func BenchmarkEncryptTokenKey(b *testing.B) {
	module := softTokens(b)
	st := newMemStore()
	if _, err := Initialize(st, testAccount); err != nil {
		b.Fatal(err)
	}
	svc := New(st, Options{PKCS11Module: module})
	defer svc.Close()
	ctx := context.Background()
	out, err := svc.CreateCustomKeyStore(ctx, &CreateCustomKeyStoreInput{CustomKeyStoreName: "lab",
		CloudHsmClusterId: cksToken, TrustAnchorCertificate: testCert(b), KeyStorePassword: cksPIN})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.ConnectCustomKeyStore(ctx, &ConnectCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStoreId}); err != nil {
		b.Fatal(err)
	}
	tk, err := svc.CreateKey(ctx, &CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: out.CustomKeyStoreId})
	if err != nil {
		b.Fatal(err)
	}
	vk, err := svc.CreateKey(ctx, &CreateKeyInput{})
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []struct{ name, id string }{{"vault-key", vk.KeyMetadata.KeyId}, {"token-key", tk.KeyMetadata.KeyId}} {
		b.Run(k.name, func(b *testing.B) {
			in := &EncryptInput{KeyId: k.id, Plaintext: []byte("hello world")}
			for b.Loop() {
				if _, err := svc.Encrypt(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTokenSigningKeys: with PkmsTokenSigning the key pair is made in the
// token; Sign runs there, and its signatures verify with the public key
// alone (crypto.Verify is the standard library), for every algorithm and
// message type of each spec.
func TestTokenSigningKeys(t *testing.T) {
	module := softTokens(t)
	e := newEnv(t, withSystemRand(), func(o *Options) { o.PKCS11Module = module })
	defer e.svc.Close()
	id := e.newConnectedStore(t)
	_, err := e.call("CreateKey", &CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: id, KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify})
	wantCode(t, err, UnsupportedOperationException) // AWS's refusal without the opt-in
	_, err = e.call("CreateKey", &CreateKeyInput{KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify, PkmsTokenSigning: ptr(true)})
	wantCode(t, err, ValidationException)
	_, err = e.call("CreateKey", &CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: id, KeySpec: KeySpecEccNistP521, KeyUsage: KeyUsageSignVerify, PkmsTokenSigning: ptr(true)})
	wantCode(t, err, UnsupportedOperationException)
	tok, err := pkcs11.OpenToken(module, cksToken, []byte(cksPIN))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	msg := []byte("release v1.2.3")
	signed := 0
	for _, spec := range []KeySpec{KeySpecEccNistP256, KeySpecEccNistP384, KeySpecRsa2048} {
		m := e.createKey(&CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: id, KeySpec: spec, KeyUsage: KeyUsageSignVerify, PkmsTokenSigning: ptr(true)})
		if attrs, err := tok.Attributes(m.Arn); err != nil || !attrs.Sensitive || attrs.Extractable || attrs.ValueReadable {
			t.Errorf("%s: private key attributes %+v, %v", spec, attrs, err)
		}
		pub := invokeOK[GetPublicKeyOutput](e, "GetPublicKey", &GetPublicKeyInput{KeyId: m.KeyId}).PublicKey
		for _, alg := range m.SigningAlgorithms {
			for _, mt := range []MessageType{MessageTypeRaw, MessageTypeDigest} {
				input := msg
				if mt == MessageTypeDigest {
					input = digestFor(alg, msg)
				}
				s := invokeOK[SignOutput](e, "Sign", &SignInput{KeyId: m.KeyId, Message: input, MessageType: mt, SigningAlgorithm: alg})
				if err := crypto.Verify(pub, string(alg), string(MessageTypeRaw), msg, s.Signature); err != nil {
					t.Errorf("%s %s %s: the token's signature does not verify: %v", spec, alg, mt, err)
				}
				signed++
				invokeOK[VerifyOutput](e, "Verify", &VerifyInput{KeyId: m.KeyId, Message: msg, Signature: s.Signature, SigningAlgorithm: alg})
			}
		}
	}
	if signed != 2*(1+1+6) { // ECDSA_SHA_256, ECDSA_SHA_384, three PSS and three PKCS #1 v1.5
		t.Errorf("%d signatures checked, want 16", signed)
	}
}

// digestFor is the hash of msg that a DIGEST message for alg holds.
func digestFor(alg SigningAlgorithm, msg []byte) []byte {
	var h stdcrypto.Hash
	switch {
	case strings.HasSuffix(string(alg), "256"):
		h = stdcrypto.SHA256
	case strings.HasSuffix(string(alg), "384"):
		h = stdcrypto.SHA384
	default:
		h = stdcrypto.SHA512
	}
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// TestTokenKeyConcurrent: one service (the agent's case) serves concurrent
// requests with a token key over its one session.
func TestTokenKeyConcurrent(t *testing.T) {
	module := softTokens(t)
	e := newEnv(t, withSystemRand(), func(o *Options) { o.PKCS11Module = module })
	defer e.svc.Close()
	m := e.createKey(&CreateKeyInput{Origin: OriginAwsCloudhsm, CustomKeyStoreId: e.newConnectedStore(t)})
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 20 {
				pt := []byte{byte(g), byte(i)}
				out, err := e.svc.Encrypt(e.ctx, &EncryptInput{KeyId: m.KeyId, Plaintext: pt})
				if err == nil {
					var dec *DecryptOutput
					if dec, err = e.svc.Decrypt(e.ctx, &DecryptInput{CiphertextBlob: out.CiphertextBlob}); err == nil && !bytes.Equal(dec.Plaintext, pt) {
						err = errors.New("round trip changed the plaintext")
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestCustomKeyStoreLimit: AWS's quota of 10 stores, one token each.
func TestCustomKeyStoreLimit(t *testing.T) {
	module := softTokens(t)
	e := newEnv(t, withSystemRand(), func(o *Options) { o.PKCS11Module = module })
	cert := testCert(t)
	for i := range maxKeyStores + 1 {
		label := fmt.Sprintf("quota-%d", i)
		if out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", cksPIN, "--so-pin", "87654321").CombinedOutput(); err != nil {
			t.Fatalf("softhsm2-util: %v\n%s", err, out)
		}
		_, err := e.call("CreateCustomKeyStore", &CreateCustomKeyStoreInput{CustomKeyStoreName: label, CloudHsmClusterId: label,
			TrustAnchorCertificate: cert, KeyStorePassword: cksPIN})
		switch {
		case i < maxKeyStores && err != nil:
			t.Fatalf("store %d: %v", i+1, err)
		case i == maxKeyStores:
			wantCode(t, err, LimitExceededException)
		}
	}
}
