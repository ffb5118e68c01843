package kms

import (
	"bytes"
	"crypto/ecdh"
	cryptorand "crypto/rand"
	"crypto/x509"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/pocketkms/pkms/crypto"
)

// guideColumns are the key states of the AWS key-state table ("Key states
// of KMS keys" in the KMS Developer Guide, June 2023), in the table's
// column order. PendingReplicaDeletion shares the PendingDeletion column.
var guideColumns = [7]KeyState{
	KeyStateEnabled, KeyStateDisabled, KeyStatePendingDeletion, KeyStatePendingImport,
	KeyStateUnavailable, KeyStateCreating, KeyStateUpdating,
}

// guideMatrix is the key-state × operation table of the AWS KMS Developer
// Guide (June 2023), transcribed by hand from the guide, not from
// state.go. Cells are tokens of stateOutcomes:
// footnote [1] → dis, [3] → pdel ([2]-or-[3] cells too: AWS answers
// KMSInvalidStateException there), [4] → npd, [5] → pimp, [6] → ext,
// [7]/[9] conditions → ok|uns or uns, [8]-or-[9] → ist|uns, [11] → unav,
// [12] → ok, [14] → crea, [15] → upd, N/A → n/a, "?" → any.
var guideMatrix = map[string][7]string{
	"CancelKeyDeletion":                   {"npd", "npd", "ok", "npd", "npd", "npd", "npd"},
	"CreateAlias":                         {"ok", "ok", "pdel", "ok", "ok", "ok", "ok"},
	"CreateGrant":                         {"ok", "dis", "pdel", "pimp", "ok", "crea", "ok"},
	"Decrypt":                             {"ok", "dis", "pdel", "pimp", "unav", "crea", "ok"},
	"DeleteAlias":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"DeleteImportedKeyMaterial":           {"ok|uns", "ok|uns", "ok|uns", "ok", "n/a", "crea", "upd"},
	"DescribeKey":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"DisableKey":                          {"ok", "ok", "pdel", "pimp", "ok", "crea", "upd"},
	"DisableKeyRotation":                  {"ok|uns", "dis", "pdel", "ext", "uns", "crea", "ok|uns"},
	"EnableKey":                           {"ok", "ok", "pdel", "pimp", "ok", "crea", "upd"},
	"EnableKeyRotation":                   {"ok|uns", "dis", "pdel", "ext", "uns", "crea", "ok|uns"},
	"Encrypt":                             {"ok", "dis", "pdel", "pimp", "unav", "crea", "ok"},
	"GenerateDataKey":                     {"ok", "dis", "pdel", "pimp", "unav", "crea", "ok"},
	"GenerateDataKeyPair":                 {"ok", "dis", "pdel", "pimp", "unav", "crea", "ok"},
	"GenerateDataKeyPairWithoutPlaintext": {"ok", "dis", "pdel", "pimp", "unav", "crea", "ok"},
	"GenerateDataKeyWithoutPlaintext":     {"ok", "dis", "pdel", "pimp", "unav", "crea", "ok"},
	"GenerateMac":                         {"ok", "dis", "pdel", "pimp", "n/a", "crea", "ok"},
	"GetKeyPolicy":                        {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"GetKeyRotationStatus":                {"ok|uns", "ok|uns", "ok|uns", "ext", "uns", "ok|uns", "ok|uns"},
	"GetParametersForImport":              {"ok|uns", "ok|uns", "ist|uns", "ok", "uns", "crea", "upd"},
	"GetPublicKey":                        {"ok", "dis", "pdel", "pimp", "n/a", "crea", "ok"},
	"ImportKeyMaterial":                   {"ok|uns", "ok|uns", "ist|uns", "ok", "uns", "crea", "ok"},
	"ListAliases":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListGrants":                          {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListKeyPolicies":                     {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListResourceTags":                    {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"PutKeyPolicy":                        {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ReEncrypt":                           {"ok", "dis", "pdel", "pimp", "unav", "crea", "ok"},
	"ReplicateKey":                        {"ok", "dis", "pdel", "pimp", "n/a", "crea", "upd"},
	"RetireGrant":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"RevokeGrant":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ScheduleKeyDeletion":                 {"ok", "ok", "pdel", "ok", "ok", "ok", "upd"},
	"Sign":                                {"ok", "dis", "pdel", "pimp", "n/a", "crea", "ok"},
	"TagResource":                         {"ok", "ok", "pdel", "ok", "ok", "ok", "ok"},
	"UntagResource":                       {"ok", "ok", "pdel", "ok", "ok", "ok", "ok"},
	"UpdateAlias":                         {"ok", "ok", "pdel", "ok", "ok", "ok", "ok"}, // [10]: state of the new target
	"UpdateKeyDescription":                {"ok", "ok", "pdel", "ok", "ok", "ok", "ok"},
	"UpdatePrimaryRegion":                 {"ok", "dis", "pdel", "pimp", "n/a", "crea", "ok"},
	"Verify":                              {"ok", "dis", "pdel", "pimp", "n/a", "crea", "ok"},
	"VerifyMac":                           {"ok", "dis", "pdel", "pimp", "n/a", "crea", "ok"},
	// Not in the 2023 table: inferred from the model's error lists and from
	// analogous operations.
	"DeriveSharedSecret": {"ok", "dis", "fail", "fail", "n/a", "fail", "ok"},
	"RotateKeyOnDemand":  {"ok", "dis", "ist", "fail", "n/a", "fail", "any"},
	"ListKeyRotations":   {"ok", "ok", "ok", "ok", "n/a", "any", "any"},
	"GetKeyLastUsage":    {"ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	// pkms's own operation: it uses the key's material as a cryptographic
	// operation does, so it has the cryptographic row.
	"ExportKeyMaterial": {"ok", "dis", "pdel", "pimp", "unav", "crea", "ok"},
}

// stateOutcome is what one cell allows: success, and/or errors with one of
// codes; msg (with %s for the key ARN) is checked when not empty.
type stateOutcome struct {
	success bool
	anyErr  bool // any error at all (inferred ✗ without a documented code)
	codes   []ErrorCode
	msg     string
}

var stateOutcomes = map[string]stateOutcome{
	"ok":      {success: true},
	"dis":     {codes: []ErrorCode{DisabledException}, msg: "%s is disabled."},
	"pdel":    {codes: []ErrorCode{KMSInvalidStateException}, msg: "%s is pending deletion."},
	"npd":     {codes: []ErrorCode{KMSInvalidStateException}, msg: "%s is not pending deletion."},
	"pimp":    {codes: []ErrorCode{KMSInvalidStateException}, msg: "%s is pending import."},
	"ext":     {codes: []ErrorCode{UnsupportedOperationException}, msg: "%s origin is EXTERNAL which is not valid for this operation."},
	"unav":    {codes: []ErrorCode{KMSInvalidStateException}, msg: "%s is unavailable."},
	"crea":    {codes: []ErrorCode{KMSInvalidStateException}, msg: "%s is creating."},
	"upd":     {codes: []ErrorCode{KMSInvalidStateException}, msg: "%s is updating."},
	"uns":     {codes: []ErrorCode{UnsupportedOperationException}},
	"ok|uns":  {success: true, codes: []ErrorCode{UnsupportedOperationException}},
	"ist":     {codes: []ErrorCode{KMSInvalidStateException}},
	"ist|uns": {codes: []ErrorCode{KMSInvalidStateException, UnsupportedOperationException}},
	"fail":    {anyErr: true},
	"n/a":     {success: true, anyErr: true},
	"any":     {success: true, anyErr: true},
}

// check returns "" if err is an outcome the cell allows, else what is wrong.
func (o stateOutcome) check(err error, arn string, altMsgs ...string) string {
	if err == nil {
		if o.success {
			return ""
		}
		return "succeeded"
	}
	if o.anyErr {
		return ""
	}
	if !slices.Contains(o.codes, CodeOf(err)) {
		return fmt.Sprintf("got %v, want one of %v", err, o.codes)
	}
	if o.msg == "" {
		return ""
	}
	got := errMessage(err)
	for _, m := range append([]string{o.msg}, altMsgs...) {
		if got == fmt.Sprintf(m, arn) {
			return ""
		}
	}
	return fmt.Sprintf("message %q, want %q", got, fmt.Sprintf(o.msg, arn))
}

// keyOperations lists the model's operations that act on an existing key:
// those whose input names one (KeyId, TargetKeyId, SourceKeyId,
// DestinationKeyId) and DeleteAlias, whose alias names one.
func keyOperations() []string {
	var ops []string
	for _, op := range Operations() {
		takesKey := op.Name == "DeleteAlias"
		for _, f := range []string{"KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId"} {
			if _, ok := op.Input.FieldByName(f); ok {
				takesKey = true
			}
		}
		if takesKey {
			ops = append(ops, op.Name)
		}
	}
	return ops
}

// TestCheckStateCoversEveryKeyOperation runs checkState for every model
// operation that takes a key in every key state, so that no row of the
// matrix is missing and each cell agrees with the guide.
func TestCheckStateCoversEveryKeyOperation(t *testing.T) {
	e := newEnv(t)
	tx := &txn{s: e.svc, account: testAccount, region: e.svc.Region()}
	key := &keyRecord{KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab"}
	arn := e.keyArn(key.KeyID)

	wantStates := append(guideColumns[:], KeyStatePendingReplicaDeletion)
	for _, s := range KeyState("").Values() {
		if !slices.Contains(wantStates, KeyState(s)) {
			t.Errorf("model key state %s is not covered by this test", s)
		}
	}

	ops := keyOperations()
	for _, op := range ops {
		row, ok := guideMatrix[op]
		if !ok {
			t.Errorf("%s takes a key but the transcribed guide table has no row for it", op)
			continue
		}
		run := func(state KeyState) (err error, panicked any) {
			defer func() { panicked = recover() }()
			key.State = state
			return tx.checkState(op, key), nil
		}
		for i, state := range guideColumns {
			err, p := run(state)
			if p != nil {
				t.Errorf("%s in %s: checkState panics: %v", op, state, p)
				continue
			}
			if problem := stateOutcomes[row[i]].check(err, arn); problem != "" {
				t.Errorf("%s in %s (guide: %s): %s", op, state, row[i], problem)
			}
		}
		// The guide merges PendingReplicaDeletion into the PendingDeletion column.
		err, p := run(KeyStatePendingReplicaDeletion)
		if p != nil {
			t.Errorf("%s in PendingReplicaDeletion: checkState panics: %v", op, p)
		} else if problem := stateOutcomes[row[2]].check(err, arn, "%s is pending replica deletion."); problem != "" {
			t.Errorf("%s in PendingReplicaDeletion (guide: %s): %s", op, row[2], problem)
		}
	}
	for op := range guideMatrix {
		if !slices.Contains(ops, op) {
			t.Errorf("guide row %s is not an operation that takes a key", op)
		}
	}
}

// keylessOps are the implemented operations that do not act on an existing key.
var keylessOps = map[string]bool{"CreateKey": true, "ListKeys": true, "GenerateRandom": true,
	"CreateCustomKeyStore": true, "DescribeCustomKeyStores": true, "ConnectCustomKeyStore": true,
	"DisconnectCustomKeyStore": true, "UpdateCustomKeyStore": true, "DeleteCustomKeyStore": true,
	"ListRetirableGrants": true}

// matrixReachable are the key states pkms can put a key into.
var matrixReachable = []KeyState{KeyStateEnabled, KeyStateDisabled, KeyStatePendingDeletion, KeyStatePendingImport}

// matrixCell is the fixture of one cell: key (by id) in the state under
// test, a ciphertext naming it, the alias alias/cell pointing at it, a tag
// t=v on it, and alias/other pointing at another Enabled key.
type matrixCell struct {
	key  string
	blob []byte
	sig  []byte // a signature of "message" by the key (SIGN_VERIFY keys)
	mac  []byte // an HMAC of "message" by the key (HMAC keys)
	peer []byte // a P-256 public key (SPKI) to agree with
	// for the import operations: an import token for the key and the cell's
	// material wrapped with it
	token, wrapped []byte
	grant          string // a grant on the key (RetireGrant and RevokeGrant)
}

// cellMaterial is the key material imported into the cells' EXTERNAL keys.
var cellMaterial = bytes.Repeat([]byte{7}, 32)

// importParams gets import parameters for key and wraps material with them.
func (e *testEnv) importParams(key string, material []byte) (token, wrapped []byte) {
	e.t.Helper()
	p := invokeOK[GetParametersForImportOutput](e, "GetParametersForImport", &GetParametersForImportInput{
		KeyId: key, WrappingAlgorithm: WrappingAlgorithmRsaesOaepSha256, WrappingKeySpec: WrappingKeySpecRsa2048})
	w, err := crypto.WrapKeyMaterial(cryptorand.Reader, p.PublicKey, "RSAES_OAEP_SHA_256", material)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.ImportToken, w
}

// importMaterial imports material into an EXTERNAL key, which becomes Enabled.
func (e *testEnv) importMaterial(key string, material []byte) {
	e.t.Helper()
	token, wrapped := e.importParams(key, material)
	invokeOK[ImportKeyMaterialOutput](e, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: key, ImportToken: token,
		EncryptedKeyMaterial: wrapped, ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire})
}

var wrappingKey = sync.OnceValues(func() ([]byte, error) {
	_, pub, err := crypto.GenerateKeyPair(cryptorand.Reader, "RSA_2048")
	return pub, err
})

// matrixKeys is the key an operation needs when that is not a symmetric
// encryption key.
var matrixKeys = map[string]CreateKeyInput{
	"Sign":               {KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify},
	"Verify":             {KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify},
	"GetPublicKey":       {KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify},
	"GenerateMac":        {KeySpec: KeySpecHmac256, KeyUsage: KeyUsageGenerateVerifyMac},
	"VerifyMac":          {KeySpec: KeySpecHmac256, KeyUsage: KeyUsageGenerateVerifyMac},
	"DeriveSharedSecret": {KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageKeyAgreement},
	// the import operations need a key made for imported material
	"GetParametersForImport":    {Origin: OriginExternal},
	"ImportKeyMaterial":         {Origin: OriginExternal},
	"DeleteImportedKeyMaterial": {Origin: OriginExternal},
	"ExportKeyMaterial":         {PkmsExportable: ptr(true)},
	// the multi-Region operations need a multi-Region primary
	"ReplicateKey":        {MultiRegion: ptr(true)},
	"UpdatePrimaryRegion": {MultiRegion: ptr(true)},
}

// matrixInputs builds a minimal valid request naming the cell's key for
// every implemented operation that takes a key.
var matrixInputs = map[string]func(c matrixCell) any{
	"CancelKeyDeletion": func(c matrixCell) any { return &CancelKeyDeletionInput{KeyId: c.key} },
	"ReplicateKey": func(c matrixCell) any {
		return &ReplicateKeyInput{KeyId: c.key, ReplicaRegion: "eu-west-1"}
	},
	"UpdatePrimaryRegion": func(c matrixCell) any {
		return &UpdatePrimaryRegionInput{KeyId: c.key, PrimaryRegion: "eu-west-1"}
	},
	"CreateAlias": func(c matrixCell) any {
		return &CreateAliasInput{AliasName: "alias/new", TargetKeyId: c.key}
	},
	"Decrypt":         func(c matrixCell) any { return &DecryptInput{CiphertextBlob: c.blob, KeyId: c.key} },
	"DeleteAlias":     func(c matrixCell) any { return &DeleteAliasInput{AliasName: "alias/cell"} },
	"DescribeKey":     func(c matrixCell) any { return &DescribeKeyInput{KeyId: c.key} },
	"GetKeyLastUsage": func(c matrixCell) any { return &GetKeyLastUsageInput{KeyId: c.key} },
	"DisableKey":      func(c matrixCell) any { return &DisableKeyInput{KeyId: c.key} },
	"EnableKey":       func(c matrixCell) any { return &EnableKeyInput{KeyId: c.key} },
	"Encrypt": func(c matrixCell) any {
		return &EncryptInput{KeyId: c.key, Plaintext: []byte("data")}
	},
	"GenerateDataKey": func(c matrixCell) any {
		return &GenerateDataKeyInput{KeyId: c.key, KeySpec: DataKeySpecAes256}
	},
	"GenerateDataKeyWithoutPlaintext": func(c matrixCell) any {
		return &GenerateDataKeyWithoutPlaintextInput{KeyId: c.key, NumberOfBytes: ptr(int32(16))}
	},
	"GetKeyPolicy":     func(c matrixCell) any { return &GetKeyPolicyInput{KeyId: c.key} },
	"ListAliases":      func(c matrixCell) any { return &ListAliasesInput{KeyId: c.key} },
	"ListKeyPolicies":  func(c matrixCell) any { return &ListKeyPoliciesInput{KeyId: c.key} },
	"ListResourceTags": func(c matrixCell) any { return &ListResourceTagsInput{KeyId: c.key} },
	"PutKeyPolicy": func(c matrixCell) any {
		return &PutKeyPolicyInput{KeyId: c.key, Policy: defaultPolicyText(testAccount)}
	},
	"ReEncrypt": func(c matrixCell) any {
		return &ReEncryptInput{CiphertextBlob: c.blob, DestinationKeyId: c.key}
	},
	"ScheduleKeyDeletion": func(c matrixCell) any {
		return &ScheduleKeyDeletionInput{KeyId: c.key, PendingWindowInDays: ptr(int32(7))}
	},
	"TagResource": func(c matrixCell) any {
		return &TagResourceInput{KeyId: c.key, Tags: []Tag{{TagKey: "k", TagValue: "v"}}}
	},
	"UntagResource": func(c matrixCell) any { return &UntagResourceInput{KeyId: c.key, TagKeys: []string{"t"}} },
	"UpdateAlias": func(c matrixCell) any {
		return &UpdateAliasInput{AliasName: "alias/other", TargetKeyId: c.key}
	},
	"UpdateKeyDescription": func(c matrixCell) any {
		return &UpdateKeyDescriptionInput{KeyId: c.key, Description: "changed"}
	},
	"Sign": func(c matrixCell) any {
		return &SignInput{KeyId: c.key, Message: []byte("message"), SigningAlgorithm: SigningAlgorithmEcdsaSha256}
	},
	"Verify": func(c matrixCell) any {
		return &VerifyInput{KeyId: c.key, Message: []byte("message"), Signature: c.sig, SigningAlgorithm: SigningAlgorithmEcdsaSha256}
	},
	"GetPublicKey": func(c matrixCell) any { return &GetPublicKeyInput{KeyId: c.key} },
	"GenerateMac": func(c matrixCell) any {
		return &GenerateMacInput{KeyId: c.key, Message: []byte("message"), MacAlgorithm: MacAlgorithmHmacSha256}
	},
	"VerifyMac": func(c matrixCell) any {
		return &VerifyMacInput{KeyId: c.key, Message: []byte("message"), Mac: c.mac, MacAlgorithm: MacAlgorithmHmacSha256}
	},
	"DeriveSharedSecret": func(c matrixCell) any {
		return &DeriveSharedSecretInput{KeyId: c.key, KeyAgreementAlgorithm: KeyAgreementAlgorithmEcdh, PublicKey: c.peer}
	},
	"GenerateDataKeyPair": func(c matrixCell) any {
		return &GenerateDataKeyPairInput{KeyId: c.key, KeyPairSpec: DataKeyPairSpecEccNistP256}
	},
	"GenerateDataKeyPairWithoutPlaintext": func(c matrixCell) any {
		return &GenerateDataKeyPairWithoutPlaintextInput{KeyId: c.key, KeyPairSpec: DataKeyPairSpecEccNistP256}
	},
	"GetParametersForImport": func(c matrixCell) any {
		return &GetParametersForImportInput{KeyId: c.key, WrappingAlgorithm: WrappingAlgorithmRsaesOaepSha256, WrappingKeySpec: WrappingKeySpecRsa2048}
	},
	"ImportKeyMaterial": func(c matrixCell) any {
		return &ImportKeyMaterialInput{KeyId: c.key, ImportToken: c.token, EncryptedKeyMaterial: c.wrapped, ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire}
	},
	"DeleteImportedKeyMaterial": func(c matrixCell) any { return &DeleteImportedKeyMaterialInput{KeyId: c.key} },
	"CreateGrant": func(c matrixCell) any {
		return &CreateGrantInput{KeyId: c.key, GranteePrincipal: testRole, Operations: []GrantOperation{GrantOperationDescribeKey}}
	},
	"ListGrants":           func(c matrixCell) any { return &ListGrantsInput{KeyId: c.key} },
	"RetireGrant":          func(c matrixCell) any { return &RetireGrantInput{KeyId: c.key, GrantId: c.grant} },
	"RevokeGrant":          func(c matrixCell) any { return &RevokeGrantInput{KeyId: c.key, GrantId: c.grant} },
	"EnableKeyRotation":    func(c matrixCell) any { return &EnableKeyRotationInput{KeyId: c.key} },
	"DisableKeyRotation":   func(c matrixCell) any { return &DisableKeyRotationInput{KeyId: c.key} },
	"GetKeyRotationStatus": func(c matrixCell) any { return &GetKeyRotationStatusInput{KeyId: c.key} },
	"RotateKeyOnDemand":    func(c matrixCell) any { return &RotateKeyOnDemandInput{KeyId: c.key} },
	"ListKeyRotations":     func(c matrixCell) any { return &ListKeyRotationsInput{KeyId: c.key} },
	"ExportKeyMaterial": func(c matrixCell) any {
		pub, _ := wrappingKey()
		return &ExportKeyMaterialInput{KeyId: c.key, WrappingPublicKey: pub, WrappingAlgorithm: WrappingAlgorithmRsaesOaepSha256}
	},
}

// newMatrixCell builds a fresh vault holding the fixture of one cell, with
// the kind of key op needs.
func newMatrixCell(t *testing.T, state KeyState, op string) (*testEnv, matrixCell) {
	t.Helper()
	e := newEnv(t)
	e.createAlias("alias/other", e.newKey())
	spec := matrixKeys[op]
	c := matrixCell{sig: []byte("no signature"), mac: []byte("no mac"), peer: p256Peer(t)}
	if state == KeyStatePendingImport {
		spec.Origin = OriginExternal
		c.key = e.createKey(&spec).KeyId
		c.blob = blobNamingKey(t, c.key) // no material: a ciphertext can only be forged
	} else {
		c.key = e.createKey(&spec).KeyId
		if spec.Origin == OriginExternal {
			e.importMaterial(c.key, cellMaterial)
		}
		switch spec.KeyUsage {
		case KeyUsageSignVerify:
			c.sig = invokeOK[SignOutput](e, "Sign", &SignInput{KeyId: c.key, Message: []byte("message"), SigningAlgorithm: SigningAlgorithmEcdsaSha256}).Signature
		case KeyUsageGenerateVerifyMac:
			c.mac = invokeOK[GenerateMacOutput](e, "GenerateMac", &GenerateMacInput{KeyId: c.key, Message: []byte("message"), MacAlgorithm: MacAlgorithmHmacSha256}).Mac
		case "":
			c.blob = e.encrypt(c.key, []byte("secret"), nil).CiphertextBlob
		}
	}
	if op == "RetireGrant" || op == "RevokeGrant" {
		c.grant = e.matrixGrant(c.key, state)
	}
	if spec.Origin == OriginExternal {
		c.token, c.wrapped = e.importParams(c.key, cellMaterial)
	}
	e.createAlias("alias/cell", c.key)
	if op == "UpdatePrimaryRegion" && (state == KeyStateEnabled || state == KeyStateDisabled) {
		// the region to move the primary to holds a replica (a primary
		// with replicas is scheduled for deletion as PendingReplicaDeletion,
		// so the PendingDeletion cell has none)
		invokeOK[ReplicateKeyOutput](e, "ReplicateKey", &ReplicateKeyInput{KeyId: c.key, ReplicaRegion: "eu-west-1"})
	}
	invokeOK[TagResourceOutput](e, "TagResource", &TagResourceInput{KeyId: c.key, Tags: []Tag{{TagKey: "t", TagValue: "v"}}})
	e.putState(c.key, state)
	return e, c
}

// p256Peer is another party's P-256 public key, as DER SPKI.
func p256Peer(t *testing.T) []byte {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(nil) // the reader is ignored in Go 1.26
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestKeyStateMatrix runs every implemented operation that takes a key
// against a key in every state pkms can reach, through Invoke, and checks
// the outcome (code and message) against the transcribed guide table. No
// allowed cell is expected to fail for a reason unrelated to the key state.
func TestKeyStateMatrix(t *testing.T) {
	for _, op := range Operations() {
		if !op.Implemented || keylessOps[op.Name] {
			continue
		}
		build, ok := matrixInputs[op.Name]
		if !ok {
			t.Errorf("%s is implemented and takes a key, but the matrix test has no input for it", op.Name)
			continue
		}
		row, ok := guideMatrix[op.Name]
		if !ok {
			t.Errorf("%s: no row in the transcribed guide table", op.Name)
			continue
		}
		for i, state := range matrixReachable {
			if guideColumns[i] != state {
				t.Fatalf("column %d is %s, not %s", i, guideColumns[i], state)
			}
			t.Run(op.Name+"/"+string(state), func(t *testing.T) {
				e, c := newMatrixCell(t, state, op.Name)
				out, err := e.call(op.Name, build(c))
				if problem := stateOutcomes[row[i]].check(err, e.keyArn(c.key)); problem != "" {
					t.Errorf("guide says %s: %s", row[i], problem)
				}
				if err == nil && (out == nil || reflect.TypeOf(out) != reflect.PointerTo(op.Output)) {
					t.Errorf("output %T, want *%s", out, op.Output.Name())
				}
			})
		}
	}
	for name := range matrixInputs {
		if op, ok := LookupOperation(name); !ok || !op.Implemented {
			t.Errorf("matrix input for %s, which is not an implemented operation", name)
		}
	}
}

// TestKeyStateMatrixNamesKeyByArn repeats the failing cells of the
// cryptographic row with the key named by key ARN and by alias: the message
// always carries the key ARN, whatever form named the key.
func TestKeyStateMatrixNamesKeyByArn(t *testing.T) {
	for _, state := range []KeyState{KeyStateDisabled, KeyStatePendingDeletion, KeyStatePendingImport} {
		e, c := newMatrixCell(t, state, "Encrypt")
		want := stateOutcomes[guideMatrix["Encrypt"][slices.Index(guideColumns[:], state)]]
		for _, ref := range []string{e.keyArn(c.key), "alias/cell", e.aliasArn("alias/cell")} {
			_, err := e.call("Encrypt", &EncryptInput{KeyId: ref, Plaintext: []byte("x")})
			if problem := want.check(err, e.keyArn(c.key)); problem != "" {
				t.Errorf("Encrypt %s key named %s: %s", state, ref, problem)
			}
		}
	}
}
