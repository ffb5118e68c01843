package kms

import (
	"errors"
	"time"
)

// The materials of one key. A key has one material until it rotates; after
// that it keeps every earlier one, so that old ciphertexts still decrypt.
// Imported material (Origin EXTERNAL) can be deleted or expire one material
// at a time: the material stays listed as Gone, the key waits in
// PendingImport until every material it is bound to is imported again, and
// material pending rotation is simply forgotten.

// materialIndex is the index of material id in k.Materials, or -1.
func (k *keyRecord) materialIndex(id string) int {
	for i := range k.Materials {
		if k.Materials[i].ID == id {
			return i
		}
	}
	return -1
}

// pendingMaterial is the imported material waiting for RotateKeyOnDemand.
func (k *keyRecord) pendingMaterial() *material {
	for i := range k.Materials {
		if k.Materials[i].Pending {
			return &k.Materials[i]
		}
	}
	return nil
}

// validTo is the expiry date of material m: the key's own for the current
// material, the material's own for the others.
func (k *keyRecord) validTo(m *material) *time.Time {
	if m.ID == k.CurrentMaterial {
		return k.ValidTo
	}
	return m.ValidTo
}

// expiredMaterials lists the ids of the materials still held whose ValidTo
// has come.
func (k *keyRecord) expiredMaterials(now time.Time) []string {
	var ids []string
	for i := range k.Materials {
		m := &k.Materials[i]
		if v := k.validTo(m); v != nil && !m.Gone && !now.Before(*v) {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// nextExpiry is the earliest ValidTo of the materials still held, or nil.
func (k *keyRecord) nextExpiry() *time.Time {
	var next *time.Time
	for i := range k.Materials {
		m := &k.Materials[i]
		if v := k.validTo(m); v != nil && !m.Gone && (next == nil || v.Before(*next)) {
			next = v
		}
	}
	return next
}

// expireMaterials drops every material whose ValidTo has come.
func (k *keyRecord) expireMaterials(now time.Time) {
	for _, id := range k.expiredMaterials(now) {
		k.dropMaterial(id)
	}
}

// dropMaterial removes imported material id, as deletion or expiry does.
// Material pending rotation is forgotten; any other stays listed as Gone
// and the key waits in PendingImport (a key pending deletion stays so); ""
// (a current material already dropped) changes nothing else. The record may
// be shared through the cache: the list is built anew, never changed in
// place.
func (k *keyRecord) dropMaterial(id string) {
	kept := make([]material, 0, len(k.Materials))
	for _, m := range k.Materials {
		if m.ID == id {
			if m.Pending {
				continue
			}
			m.Secret, m.Public, m.Gone = nil, nil, true
			if k.State != KeyStatePendingDeletion {
				k.State = KeyStatePendingImport
			}
		}
		kept = append(kept, m)
	}
	k.Materials = kept
	if id == k.CurrentMaterial {
		k.CurrentMaterial = ""
	}
}

// allImported reports whether a key holds its current material and every
// other material it is bound to, as a key needs to leave PendingImport.
func (k *keyRecord) allImported() bool {
	if k.current() == nil {
		return false
	}
	for _, m := range k.Materials {
		if m.Gone {
			return false
		}
	}
	return true
}

// indexExpiry records the earliest ValidTo of an imported key's materials
// in the expiry index, or removes the key from it.
func (t *txn) indexExpiry(k *keyRecord) error {
	if v := k.nextExpiry(); v != nil {
		return putJSON(t, t.regional(bucketExpiries), k.KeyID, deletionEntry{KeyID: k.KeyID, Date: *v})
	}
	if err := t.Delete(t.regional(bucketExpiries), k.KeyID); err != nil && !errors.Is(err, ErrNoRecord) {
		return err
	}
	return nil
}
