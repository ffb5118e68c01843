package kms

import (
	"bytes"
	cryptorand "crypto/rand"
	"testing"

	"github.com/pocketkms/pkms/crypto"
)

// TestCurrentKeyMaterialIdOnlyOnSymmetricKeys: AWS reports
// CurrentKeyMaterialId for symmetric encryption keys only, generated or
// imported, and keeps it on an imported key whose material was deleted;
// asymmetric and HMAC keys never carry it.
func TestCurrentKeyMaterialIdOnlyOnSymmetricKeys(t *testing.T) {
	e := newEnv(t)
	generated := []struct {
		spec  KeySpec
		usage KeyUsage
		want  bool
	}{
		{KeySpecSymmetricDefault, "", true},
		{KeySpecRsa2048, KeyUsageEncryptDecrypt, false},
		{KeySpecRsa2048, KeyUsageSignVerify, false},
		{KeySpecEccNistP256, KeyUsageSignVerify, false},
		{KeySpecEccNistP384, KeyUsageKeyAgreement, false},
		{KeySpecEccSecgP256k1, KeyUsageSignVerify, false},
		{KeySpecEccNistEdwards25519, KeyUsageSignVerify, false},
		{KeySpecMlDsa44, KeyUsageSignVerify, false},
		{KeySpecHmac224, KeyUsageGenerateVerifyMac, false},
		{KeySpecHmac512, KeyUsageGenerateVerifyMac, false},
	}
	for _, tt := range generated {
		m := e.createKey(&CreateKeyInput{KeySpec: tt.spec, KeyUsage: tt.usage})
		if got := m.CurrentKeyMaterialId != ""; got != tt.want {
			t.Errorf("generated %s %s: CurrentKeyMaterialId %q, want present=%v", tt.spec, tt.usage, m.CurrentKeyMaterialId, tt.want)
		}
		if got := e.describe(m.KeyId).CurrentKeyMaterialId != ""; got != tt.want {
			t.Errorf("generated %s %s: DescribeKey CurrentKeyMaterialId present=%v, want %v", tt.spec, tt.usage, got, tt.want)
		}
	}

	p256, _, err := crypto.GenerateKeyPair(cryptorand.Reader, "ECC_NIST_P256")
	if err != nil {
		t.Fatal(err)
	}
	imported := []struct {
		spec     KeySpec
		usage    KeyUsage
		material []byte
		want     bool
	}{
		{KeySpecSymmetricDefault, "", cellMaterial, true},
		{KeySpecHmac256, KeyUsageGenerateVerifyMac, bytes.Repeat([]byte{9}, 32), false},
		{KeySpecEccNistP256, KeyUsageSignVerify, p256, false},
	}
	for _, tt := range imported {
		k := e.externalKey(tt.spec, tt.usage)
		if id := e.describe(k).CurrentKeyMaterialId; id != "" {
			t.Errorf("imported %s before import: CurrentKeyMaterialId %q, want none", tt.spec, id)
		}
		e.importMaterial(k, tt.material)
		id := e.describe(k).CurrentKeyMaterialId
		if (id != "") != tt.want {
			t.Errorf("imported %s: CurrentKeyMaterialId %q, want present=%v", tt.spec, id, tt.want)
		}
		del := invokeOK[DeleteImportedKeyMaterialOutput](e, "DeleteImportedKeyMaterial", &DeleteImportedKeyMaterialInput{KeyId: k})
		after := e.describe(k)
		if after.KeyState != KeyStatePendingImport {
			t.Fatalf("imported %s after delete: state %s", tt.spec, after.KeyState)
		}
		if tt.want && after.CurrentKeyMaterialId != del.KeyMaterialId {
			t.Errorf("imported %s after delete: CurrentKeyMaterialId %q, want the deleted material %q", tt.spec, after.CurrentKeyMaterialId, del.KeyMaterialId)
		}
		if !tt.want && after.CurrentKeyMaterialId != "" {
			t.Errorf("imported %s after delete: CurrentKeyMaterialId %q, want none", tt.spec, after.CurrentKeyMaterialId)
		}
	}
}

// TestPendingDeletionShowsDeletionDateOnly: PendingDeletionWindowInDays is
// a member of multi-Region primaries in PendingReplicaDeletion; a key in
// PendingDeletion shows DeletionDate and no window.
func TestPendingDeletionShowsDeletionDateOnly(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: ptr(int32(9))})
	m := e.describe(id)
	if m.KeyState != KeyStatePendingDeletion || m.DeletionDate == nil {
		t.Fatalf("KeyState %s DeletionDate %v", m.KeyState, m.DeletionDate)
	}
	if m.PendingDeletionWindowInDays != nil {
		t.Errorf("PendingDeletionWindowInDays = %d on a PendingDeletion key; AWS sends it only for PendingReplicaDeletion", *m.PendingDeletionWindowInDays)
	}
}
