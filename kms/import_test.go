package kms

import (
	"bytes"
	cryptorand "crypto/rand"
	"testing"
	"time"

	"github.com/pocketkms/pkms/crypto"
)

func (e *testEnv) externalKey(spec KeySpec, usage KeyUsage) string {
	e.t.Helper()
	return e.createKey(&CreateKeyInput{Origin: OriginExternal, KeySpec: spec, KeyUsage: usage}).KeyId
}

func (e *testEnv) importIn(key string, material []byte, model ExpirationModel, validTo *Timestamp) error {
	e.t.Helper()
	token, wrapped := e.importParams(key, material)
	_, err := e.call("ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: key, ImportToken: token, EncryptedKeyMaterial: wrapped,
		ExpirationModel: model, ValidTo: validTo})
	return err
}

func TestImportTokenRules(t *testing.T) {
	e := newEnv(t)
	k := e.newExternalKey()
	token, wrapped := e.importParams(k, cellMaterial)
	in := func(tok []byte) *ImportKeyMaterialInput {
		return &ImportKeyMaterialInput{KeyId: k, ImportToken: tok, EncryptedKeyMaterial: wrapped, ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire}
	}
	tampered := bytes.Clone(token)
	tampered[len(tampered)-1] ^= 1
	_, err := e.call("ImportKeyMaterial", in(tampered))
	wantCode(t, err, InvalidImportTokenException)
	_, err = e.call("ImportKeyMaterial", in([]byte("not a token")))
	wantCode(t, err, InvalidImportTokenException)

	// A token is valid for 24 hours.
	e.clock.Advance(24*time.Hour - time.Millisecond)
	e2 := e.externalKey(KeySpecSymmetricDefault, "")
	tok2, wrapped2 := e.importParams(e2, cellMaterial)
	e.clock.Advance(time.Millisecond)
	_, err = e.call("ImportKeyMaterial", in(token))
	wantCode(t, err, ExpiredImportTokenException)
	invokeOK[ImportKeyMaterialOutput](e, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: e2, ImportToken: tok2, EncryptedKeyMaterial: wrapped2,
		ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire})

	// Parameters for a key of another origin, and wrapping AWS refuses.
	_, err = e.call("GetParametersForImport", &GetParametersForImportInput{KeyId: e.newKey(), WrappingAlgorithm: WrappingAlgorithmRsaesOaepSha256, WrappingKeySpec: WrappingKeySpecRsa2048})
	wantCode(t, err, UnsupportedOperationException)
	_, err = e.call("GetParametersForImport", &GetParametersForImportInput{KeyId: k, WrappingAlgorithm: WrappingAlgorithmRsaesPkcs1V15, WrappingKeySpec: WrappingKeySpecRsa2048})
	wantCode(t, err, ValidationException)
	rsa := e.externalKey(KeySpecRsa2048, KeyUsageSignVerify)
	_, err = e.call("GetParametersForImport", &GetParametersForImportInput{KeyId: rsa, WrappingAlgorithm: WrappingAlgorithmRsaesOaepSha256, WrappingKeySpec: WrappingKeySpecRsa4096})
	wantCode(t, err, ValidationException)
	p := invokeOK[GetParametersForImportOutput](e, "GetParametersForImport", &GetParametersForImportInput{KeyId: k, WrappingAlgorithm: WrappingAlgorithmRsaAesKeyWrapSha256, WrappingKeySpec: WrappingKeySpecRsa2048})
	if !p.ParametersValidTo.Equal(e.clock.Now().Add(24 * time.Hour)) {
		t.Fatalf("ParametersValidTo %v, want 24 hours from now", p.ParametersValidTo)
	}
}

func TestImportExpirationModel(t *testing.T) {
	e := newEnv(t)
	k := e.newExternalKey()
	future := func(d time.Duration) *Timestamp { return &Timestamp{e.clock.Now().Add(d)} }
	tests := []struct {
		name    string
		model   ExpirationModel
		validTo *Timestamp
	}{
		{"default model needs ValidTo", "", nil},
		{"ValidTo in the past", ExpirationModelKeyMaterialExpires, future(-time.Second)},
		{"ValidTo beyond 365 days", ExpirationModelKeyMaterialExpires, future(366 * 24 * time.Hour)},
		{"ValidTo with DOES_NOT_EXPIRE", ExpirationModelKeyMaterialDoesNotExpire, future(time.Hour)},
	}
	for _, tc := range tests {
		wantCode(t, e.importIn(k, cellMaterial, tc.model, tc.validTo), ValidationException)
	}
	if m := e.describe(k); m.KeyState != KeyStatePendingImport {
		t.Fatalf("failed imports changed the state to %s", m.KeyState)
	}

	// Material that expires: gone at ValidTo, at once for reads and from
	// the record at the next write; the same material brings the key back.
	if err := e.importIn(k, cellMaterial, "", future(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	m := e.describe(k)
	if m.KeyState != KeyStateEnabled || m.ExpirationModel != ExpirationModelKeyMaterialExpires || m.ValidTo == nil || m.CurrentKeyMaterialId == "" {
		t.Fatalf("after import: %+v", m)
	}
	ct := e.encrypt(k, []byte("secret"), nil).CiphertextBlob
	e.clock.Advance(48 * time.Hour)
	m = e.describe(k)
	if m.KeyState != KeyStatePendingImport || m.Enabled == nil || *m.Enabled || m.ValidTo == nil {
		t.Fatalf("after ValidTo: state %s enabled %v ValidTo %v", m.KeyState, m.Enabled, m.ValidTo)
	}
	_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: ct})
	wantErr(t, err, KMSInvalidStateException, e.keyArn(k)+" is pending import.")
	e.newKey() // any write applies the expiry to the record
	var raw keyRecord
	if err := e.store.View(func(tx Tx) error { return getJSON(tx, bucketKeys, k, &raw) }); err != nil {
		t.Fatal(err)
	}
	for _, m := range raw.Materials {
		if len(m.Secret) != 0 || !m.Gone {
			t.Fatalf("expired material still stored: %+v", raw)
		}
	}
	if raw.State != KeyStatePendingImport {
		t.Fatalf("key %s after expiry, want PendingImport", raw.State)
	}
	if err := e.importIn(k, cellMaterial, ExpirationModelKeyMaterialDoesNotExpire, nil); err != nil {
		t.Fatal(err)
	}
	dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: ct})
	if string(dec.Plaintext) != "secret" {
		t.Fatalf("decrypted %q", dec.Plaintext)
	}
}

func TestImportMaterialRules(t *testing.T) {
	e := newEnv(t)
	k := e.newExternalKey()
	token, wrapped := e.importParams(k, cellMaterial)
	out := invokeOK[ImportKeyMaterialOutput](e, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: k, ImportToken: token, EncryptedKeyMaterial: wrapped,
		ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, KeyMaterialDescription: "escrowed on paper"})
	if out.KeyId != e.keyArn(k) || out.KeyMaterialId != e.describe(k).CurrentKeyMaterialId {
		t.Fatalf("ImportKeyMaterial output %+v", out)
	}
	other := bytes.Repeat([]byte{8}, 32)
	tests := []struct {
		name     string
		material []byte
		typ      ImportType
		id       string
		code     ErrorCode
	}{
		{"different material", other, "", "", IncorrectKeyMaterialException},
		{"NEW_KEY_MATERIAL on a bound key", cellMaterial, ImportTypeNewKeyMaterial, "", IncorrectKeyMaterialException},
		{"KeyMaterialId with NEW_KEY_MATERIAL", cellMaterial, ImportTypeNewKeyMaterial, out.KeyMaterialId, ValidationException},
		{"wrong KeyMaterialId", cellMaterial, ImportTypeExistingKeyMaterial, "ab" + out.KeyMaterialId[2:], IncorrectKeyMaterialException},
		{"16-byte symmetric material", cellMaterial[:16], "", "", IncorrectKeyMaterialException},
	}
	for _, tc := range tests {
		token, wrapped := e.importParams(k, tc.material)
		_, err := e.call("ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: k, ImportToken: token, EncryptedKeyMaterial: wrapped,
			ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, ImportType: tc.typ, KeyMaterialId: tc.id})
		if CodeOf(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// The same material again, named by its id: accepted, same id.
	token, wrapped = e.importParams(k, cellMaterial)
	again := invokeOK[ImportKeyMaterialOutput](e, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: k, ImportToken: token, EncryptedKeyMaterial: wrapped,
		ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, ImportType: ImportTypeExistingKeyMaterial, KeyMaterialId: out.KeyMaterialId})
	if again.KeyMaterialId != out.KeyMaterialId {
		t.Fatalf("reimport gave id %s, first %s", again.KeyMaterialId, out.KeyMaterialId)
	}
	// EXISTING_KEY_MATERIAL on a key that never had any.
	fresh := e.newExternalKey()
	token, wrapped = e.importParams(fresh, cellMaterial)
	_, err := e.call("ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: fresh, ImportToken: token, EncryptedKeyMaterial: wrapped,
		ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, ImportType: ImportTypeExistingKeyMaterial})
	wantCode(t, err, IncorrectKeyMaterialException)

	// An asymmetric key takes a PKCS#8 private key of its own spec only.
	ecc := e.externalKey(KeySpecEccNistP256, KeyUsageSignVerify)
	p384, _, err := crypto.GenerateKeyPair(cryptorand.Reader, "ECC_NIST_P384")
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.importIn(ecc, p384, ExpirationModelKeyMaterialDoesNotExpire, nil), IncorrectKeyMaterialException)
	p256, pub, err := crypto.GenerateKeyPair(cryptorand.Reader, "ECC_NIST_P256")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.importIn(ecc, p256, ExpirationModelKeyMaterialDoesNotExpire, nil); err != nil {
		t.Fatal(err)
	}
	got := invokeOK[GetPublicKeyOutput](e, "GetPublicKey", &GetPublicKeyInput{KeyId: ecc}).PublicKey
	if !bytes.Equal(got, pub) {
		t.Fatal("the imported key's public key is not the material's")
	}

	// Deleting material: PendingImport, except that a key pending deletion stays so.
	del := invokeOK[DeleteImportedKeyMaterialOutput](e, "DeleteImportedKeyMaterial", &DeleteImportedKeyMaterialInput{KeyId: k})
	if del.KeyMaterialId != out.KeyMaterialId || e.describe(k).KeyState != KeyStatePendingImport {
		t.Fatalf("delete: %+v, state %s", del, e.describe(k).KeyState)
	}
	invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: ecc})
	invokeOK[DeleteImportedKeyMaterialOutput](e, "DeleteImportedKeyMaterial", &DeleteImportedKeyMaterialInput{KeyId: ecc})
	if s := e.describe(ecc).KeyState; s != KeyStatePendingDeletion {
		t.Fatalf("state %s after deleting the material of a key pending deletion", s)
	}
	_, err = e.call("DeleteImportedKeyMaterial", &DeleteImportedKeyMaterialInput{KeyId: e.newKey()})
	wantCode(t, err, UnsupportedOperationException)
}

func TestExportKeyMaterial(t *testing.T) {
	src, dst := newEnv(t), newEnv(t)
	a := src.createKey(&CreateKeyInput{KeySpec: KeySpecHmac256, KeyUsage: KeyUsageGenerateVerifyMac, PkmsExportable: ptr(true)}).KeyId
	c := dst.externalKey(KeySpecHmac256, KeyUsageGenerateVerifyMac)
	p := invokeOK[GetParametersForImportOutput](dst, "GetParametersForImport", &GetParametersForImportInput{KeyId: c,
		WrappingAlgorithm: WrappingAlgorithmRsaAesKeyWrapSha256, WrappingKeySpec: WrappingKeySpecRsa2048})
	ex := invokeOK[ExportKeyMaterialOutput](src, "ExportKeyMaterial", &ExportKeyMaterialInput{KeyId: a, WrappingPublicKey: p.PublicKey,
		WrappingAlgorithm: WrappingAlgorithmRsaAesKeyWrapSha256})
	invokeOK[ImportKeyMaterialOutput](dst, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: c, ImportToken: p.ImportToken,
		EncryptedKeyMaterial: ex.EncryptedKeyMaterial, ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire})
	mac := invokeOK[GenerateMacOutput](src, "GenerateMac", &GenerateMacInput{KeyId: a, Message: []byte("m"), MacAlgorithm: MacAlgorithmHmacSha256})
	invokeOK[VerifyMacOutput](dst, "VerifyMac", &VerifyMacInput{KeyId: c, Message: []byte("m"), Mac: mac.Mac, MacAlgorithm: MacAlgorithmHmacSha256})

	plain := src.createKey(&CreateKeyInput{KeySpec: KeySpecHmac256, KeyUsage: KeyUsageGenerateVerifyMac}).KeyId
	_, err := src.call("ExportKeyMaterial", &ExportKeyMaterialInput{KeyId: plain, WrappingPublicKey: p.PublicKey, WrappingAlgorithm: WrappingAlgorithmRsaAesKeyWrapSha256})
	wantCode(t, err, UnsupportedOperationException)
	invokeOK[DisableKeyOutput](src, "DisableKey", &DisableKeyInput{KeyId: a})
	_, err = src.call("ExportKeyMaterial", &ExportKeyMaterialInput{KeyId: a, WrappingPublicKey: p.PublicKey, WrappingAlgorithm: WrappingAlgorithmRsaAesKeyWrapSha256})
	wantCode(t, err, DisabledException)
}
