package kms

import (
	"bytes"
	"context"
	"errors"
	"time"
)

// Key rotation. A rotation gives a symmetric encryption key new material
// and keeps every earlier one: the ciphertext blob names the material that
// sealed it, so old ciphertexts still decrypt while new ones use the
// current material. Automatic rotation (EnableKeyRotation) is applied
// without a daemon: every key with a schedule has an entry in a small index
// bucket, and one record there holds the earliest due date of all. The
// first operation after that date (read-only ones included, see
// Service.view) first runs a write transaction that applies every due
// rotation, so no operation ever reads a key whose rotation is overdue.
//
// The index is one for the whole vault, not one per region: an operation in
// any region applies every due rotation, so the replicas of a multi-Region
// key, which get each new material of their primary, never lag behind it.
// Only a primary (or single-Region key) has a schedule and an entry; its
// replicas report the primary's.

func init() {
	implement("EnableKeyRotation", (*Service).EnableKeyRotation, writes, keyStates(rowRotation))
	implement("DisableKeyRotation", (*Service).DisableKeyRotation, writes, keyStates(rowRotation))
	implement("GetKeyRotationStatus", (*Service).GetKeyRotationStatus, readOnly, keyStates(stateRow{allow, allow, allow, failExternal, failUnsupport, allow, allow}))
	implement("RotateKeyOnDemand", (*Service).RotateKeyOnDemand, writes, keyStates(rowCrypto))
	implement("ListKeyRotations", (*Service).ListKeyRotations, readOnly, keyStates(rowAlways))
}

// ConflictException is AWS's answer to an on-demand rotation while an
// automatic one is in progress or about to begin.
const ConflictException ErrorCode = "ConflictException"

const (
	bucketRotations = "rotations" // automatic rotation schedules of every region
	// rotationsEarliest is the id of the index record holding the earliest
	// due date (entry ids start with a key id, so it names no key).
	rotationsEarliest = "earliest"

	defaultRotationPeriod = 365
	maxOnDemandRotations  = 25
	// onDemandQuietTime is how close to a scheduled automatic rotation
	// AWS refuses an on-demand one.
	onDemandQuietTime    = 20 * time.Minute
	listRotationsDefault = 100
	listRotationsMax     = 1000
	oneDay               = 24 * time.Hour
)

// rotationSchedule is a key's automatic rotation: every Period days, next
// on Next. A key without one (nil) has automatic rotation disabled.
type rotationSchedule struct {
	Period int32     `json:"period"`
	Next   time.Time `json:"next"`
}

// rotationsBucket is the bucket of the rotation index.
func (t *txn) rotationsBucket() string { return bucketRotations }

// rotationEntry is a key's entry in the rotation index: its due date and
// the region that holds it ("" for the default region).
type rotationEntry struct {
	KeyID  string    `json:"id,omitempty"`
	Region string    `json:"region,omitempty"`
	Date   time.Time `json:"date"`
}

// rotationEntryID names the index entry of key id in region.
func rotationEntryID(region, id string) string { return regionalName(region, id) }

// replicaKey reports whether k, a record of the transaction's region, is a
// multi-Region replica key, which follows its primary key's rotation.
func (t *txn) replicaKey(k *keyRecord) bool { return k.MultiRegion && k.PrimaryRegion != t.region }

// rotatable refuses rotation for the keys AWS refuses it for: keys that are
// not symmetric encryption keys, and keys in custom key stores; automatic
// (automatic true) also for imported material and multi-Region replicas.
// The key's state has been checked before.
func (t *txn) rotatable(k *keyRecord, automatic bool) error {
	switch {
	case k.CustomKeyStoreID != "":
		return newErr(failUnsupport.code, failUnsupport.msg, t.keyArn(k.KeyID))
	case k.Spec != KeySpecSymmetricDefault:
		// AWS sends this exception without a message.
		return &Error{Code: UnsupportedOperationException}
	case automatic && k.Origin == OriginExternal:
		return t.wrongOrigin(k)
	case t.replicaKey(k):
		return newErr(UnsupportedOperationException, "%s is a multi-Region replica key; its rotation follows its primary key in %s.", t.keyArn(k.KeyID), k.PrimaryRegion)
	}
	return nil
}

// rotationKey resolves the key of a rotation operation and checks its state
// and kind.
func (t *txn) rotationKey(op, ref string, automatic bool) (*keyRecord, error) {
	k, err := t.resolveKey(ref)
	if err != nil {
		return nil, err
	}
	if err := t.checkState(op, k); err != nil {
		return nil, err
	}
	return k, t.rotatable(k, automatic)
}

// rotateMaterial makes m the current material of k, rotated in by typ at
// date: a material k already holds (imported material pending rotation)
// is promoted, any other is added. The material that was current keeps its
// own description and expiry settings. It changes only the record; the
// caller saves it and updates the expiry index.
func (t *txn) rotateMaterial(k *keyRecord, m material, typ RotationType, date time.Time) {
	if old := k.current(); old != nil && k.Origin == OriginExternal {
		old.Note, old.Expiration, old.ValidTo = k.MaterialNote, k.ExpirationModel, k.ValidTo
	}
	i := k.materialIndex(m.ID)
	if i < 0 {
		k.Materials = append(k.Materials, m)
		i = len(k.Materials) - 1
	}
	n := &k.Materials[i]
	n.Pending, n.Rotated, n.By = false, &date, typ
	k.CurrentMaterial = n.ID
	if k.Origin == OriginExternal {
		k.BoundMaterial = n.ID
		k.MaterialNote, k.ExpirationModel, k.ValidTo = n.Note, n.Expiration, n.ValidTo
		n.Note, n.Expiration, n.ValidTo = "", "", nil
	}
}

// rotateImported rotates an EXTERNAL key to its pending material and keeps
// the expiry index in step with the new current material.
func (t *txn) rotateImported(k *keyRecord) error {
	p := k.pendingMaterial()
	if p == nil {
		return newErr(KMSInvalidStateException, "No available key material pending rotation for the key: %s.", t.keyArn(k.KeyID))
	}
	t.rotateMaterial(k, *p, RotationTypeOnDemand, t.now)
	return t.indexExpiry(k)
}

// rotateReplicas gives every replica of the multi-Region primary k the
// material m that k was just rotated to, as the same rotation, and saves
// them; k itself is the caller's to save. Generated material is copied.
// Imported material never is: as in AWS, each replica must already hold it,
// imported there with ImportType NEW_KEY_MATERIAL (its id follows from the
// key id and the material, so it is the primary's), or the rotation fails.
func (t *txn) rotateReplicas(k *keyRecord, m material, typ RotationType, date time.Time) error {
	if !k.MultiRegion {
		return nil
	}
	set, err := t.replicaSet(k)
	if err != nil {
		return err
	}
	imported := k.Origin == OriginExternal
	for _, rk := range set {
		if rk.Region == t.region {
			continue
		}
		c := m
		if imported {
			i := rk.Key.materialIndex(m.ID)
			if i < 0 || !rk.Key.Materials[i].Pending {
				return newErr(KMSInvalidStateException, "The key material (id: %s) is not pending rotation in the replica key %s: import it there with --import-type NEW_KEY_MATERIAL first.", m.ID, t.keyArnIn(rk.Region, k.KeyID))
			}
			c = rk.Key.Materials[i]
		} else {
			c.Secret = bytes.Clone(m.Secret)
		}
		t.rotateMaterial(rk.Key, c, typ, date)
		err := t.inRegion(rk.Region, func() error {
			if err := t.saveKey(rk.Key); err != nil || !imported {
				return err
			}
			return t.indexExpiry(rk.Key)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// moveRotation hands the automatic rotation schedule of the primary k (a
// record of the transaction's region) to the replica n in region, which is
// becoming the primary; the caller saves both records.
func (t *txn) moveRotation(k *keyRecord, region string, n *keyRecord) error {
	r := k.Rotation
	if r == nil {
		return nil
	}
	if err := t.schedule(k, nil); err != nil {
		return err
	}
	return t.inRegion(region, func() error { return t.schedule(n, r) })
}

// primaryRotation is the rotation schedule that applies to k: its own, or
// for a multi-Region replica its primary's.
func (t *txn) primaryRotation(k *keyRecord) (*rotationSchedule, error) {
	if !t.replicaKey(k) {
		return k.Rotation, nil
	}
	var p keyRecord
	err := t.inRegion(k.PrimaryRegion, func() error { return getJSON(t, t.regional(bucketKeys), k.KeyID, &p) })
	if errors.Is(err, ErrNoRecord) {
		return nil, nil
	}
	return p.Rotation, err
}

// schedule sets (r non-nil) or removes a key's automatic rotation and its
// index entry.
func (t *txn) schedule(k *keyRecord, r *rotationSchedule) error {
	k.Rotation = r
	id := rotationEntryID(t.region, k.KeyID)
	if r == nil {
		if err := t.Delete(t.rotationsBucket(), id); err != nil && !errors.Is(err, ErrNoRecord) {
			return err
		}
		return nil
	}
	if err := putJSON(t, t.rotationsBucket(), id, rotationEntry{KeyID: k.KeyID, Region: t.region, Date: r.Next}); err != nil {
		return err
	}
	earliest, ok, err := t.earliestRotation()
	if err != nil || (ok && !r.Next.Before(earliest)) {
		return err
	}
	return t.setEarliestRotation(r.Next)
}

// earliestRotation reads the earliest due date of the index; ok is false
// when no key has a schedule. The record may be earlier than every entry
// (after an entry was removed): that only costs one needless walk.
func (t *txn) earliestRotation() (date time.Time, ok bool, err error) {
	var e deletionEntry
	err = getJSON(t, t.rotationsBucket(), rotationsEarliest, &e)
	if errors.Is(err, ErrNoRecord) {
		return time.Time{}, false, nil
	}
	return e.Date, err == nil, err
}

func (t *txn) setEarliestRotation(date time.Time) error {
	return putJSON(t, t.rotationsBucket(), rotationsEarliest, deletionEntry{Date: date})
}

// rotationsDue reports whether an automatic rotation is due, reading the
// earliest-date record once per committed vault state.
func (t *txn) rotationsDue() (bool, error) {
	s := t.s
	s.mu.Lock()
	c := s.rotationDue
	s.mu.Unlock()
	if !c.valid || c.gen != t.gen || c.bucket != t.rotationsBucket() {
		date, ok, err := t.earliestRotation()
		if err != nil {
			return false, err
		}
		c = rotationDueCache{valid: true, gen: t.gen, bucket: t.rotationsBucket(), date: date, any: ok}
		s.mu.Lock()
		s.rotationDue = c
		s.mu.Unlock()
	}
	return c.any && !t.now.Before(c.date), nil
}

// rotationDueCache remembers the earliest due date read at one vault
// generation, so that read operations do not decrypt the record each time.
type rotationDueCache struct {
	valid  bool
	gen    uint64
	bucket string
	date   time.Time
	any    bool
}

// errRotationsDue makes a read transaction give way to the write
// transaction that applies due rotations (see Service.view).
var errRotationsDue = errors.New("kms: automatic rotations are due")

// applyDueRotations runs in every write transaction: when the earliest due
// date has come, it rotates every enabled key whose date has come, once for
// each period missed, and dates each rotation when it was due. A key that
// is not enabled is not rotated and leaves the index (EnableKey puts it
// back, see resumeRotation).
func (t *txn) applyDueRotations() error {
	earliest, ok, err := t.earliestRotation()
	if err != nil || !ok || t.now.Before(earliest) {
		return err
	}
	var entries []rotationEntry
	err = t.ForEach(t.rotationsBucket(), "", func(_ string, v []byte) error {
		var e rotationEntry
		if err := unmarshalRecord(v, &e); err != nil {
			return err
		}
		if e.KeyID != "" {
			entries = append(entries, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var next time.Time
	for _, e := range entries {
		if t.now.Before(e.Date) {
			if next.IsZero() || e.Date.Before(next) {
				next = e.Date
			}
			continue
		}
		region := e.Region
		if region == "" {
			region = DefaultRegion
		}
		err := t.inRegion(region, func() error {
			id := rotationEntryID(t.region, e.KeyID)
			k, err := t.keyForRotation(e.KeyID)
			if err != nil {
				return err
			}
			if k == nil || k.Rotation == nil || k.State != KeyStateEnabled || t.replicaKey(k) {
				return t.Delete(t.rotationsBucket(), id)
			}
			if err := t.rotateDue(k); err != nil {
				return err
			}
			e.Date = k.Rotation.Next
			if next.IsZero() || e.Date.Before(next) {
				next = e.Date
			}
			return putJSON(t, t.rotationsBucket(), id, e)
		})
		if err != nil {
			return err
		}
	}
	if next.IsZero() {
		if err := t.Delete(t.rotationsBucket(), rotationsEarliest); err != nil && !errors.Is(err, ErrNoRecord) {
			return err
		}
		return nil
	}
	return t.setEarliestRotation(next)
}

// keyForRotation reads a key for the rotation index in a write
// transaction; nil if it no longer exists.
func (t *txn) keyForRotation(id string) (*keyRecord, error) {
	var k keyRecord
	err := getJSON(t, t.regional(bucketKeys), id, &k)
	if errors.Is(err, ErrNoRecord) {
		return nil, nil
	}
	return &k, err
}

// rotateDue applies every automatic rotation of k whose date has come and
// saves it.
func (t *txn) rotateDue(k *keyRecord) error {
	for !t.now.Before(k.Rotation.Next) {
		if err := t.rotateAutomatically(k, k.Rotation.Next); err != nil {
			return err
		}
	}
	return t.saveKey(k)
}

// rotateAutomatically gives k new material as an automatic rotation dated
// date, and schedules the next one period later.
func (t *txn) rotateAutomatically(k *keyRecord, date time.Time) error {
	m, err := t.s.generateMaterial(KeySpecSymmetricDefault)
	if err != nil {
		return err
	}
	m.Created = date
	t.rotateMaterial(k, m, RotationTypeAutomatic, date)
	k.Rotation.Next = date.Add(time.Duration(k.Rotation.Period) * oneDay)
	return t.rotateReplicas(k, m, RotationTypeAutomatic, date)
}

// resumeRotation is EnableKey's part: a key that was not rotated while it
// could not be used rotates at once if its date has passed, and its
// schedule resumes.
func (t *txn) resumeRotation(k *keyRecord) error {
	if k.Rotation == nil {
		return nil
	}
	if !t.now.Before(k.Rotation.Next) {
		if err := t.rotateAutomatically(k, t.now); err != nil {
			return err
		}
	}
	return t.schedule(k, k.Rotation)
}

// EnableKeyRotation turns on automatic rotation every RotationPeriodInDays
// (90–2560, default 365) days; the first comes one period from now, and
// enabling again restarts the schedule.
func (s *Service) EnableKeyRotation(ctx context.Context, in *EnableKeyRotationInput) (*EnableKeyRotationOutput, error) {
	period := int32(defaultRotationPeriod)
	if in.RotationPeriodInDays != nil {
		period = *in.RotationPeriodInDays
	}
	return &EnableKeyRotationOutput{}, s.update(ctx, func(t *txn) error {
		k, err := t.rotationKey("EnableKeyRotation", in.KeyId, true)
		if err != nil {
			return err
		}
		if err := t.schedule(k, &rotationSchedule{Period: period, Next: t.now.Add(time.Duration(period) * oneDay)}); err != nil {
			return err
		}
		return t.saveKey(k)
	})
}

// DisableKeyRotation turns off automatic rotation; the key keeps every
// material it has.
func (s *Service) DisableKeyRotation(ctx context.Context, in *DisableKeyRotationInput) (*DisableKeyRotationOutput, error) {
	return &DisableKeyRotationOutput{}, s.update(ctx, func(t *txn) error {
		k, err := t.rotationKey("DisableKeyRotation", in.KeyId, true)
		if err != nil {
			return err
		}
		if err := t.schedule(k, nil); err != nil {
			return err
		}
		return t.saveKey(k)
	})
}

// GetKeyRotationStatus reports a key's automatic rotation. Keys that cannot
// rotate automatically (asymmetric, HMAC) report false, as AWS now does;
// a key pending deletion reports false and gets its setting back when the
// deletion is cancelled. Rotations complete within the operation that
// starts them, so OnDemandRotationStartDate, which AWS shows only while an
// on-demand rotation is in progress, never appears.
func (s *Service) GetKeyRotationStatus(ctx context.Context, in *GetKeyRotationStatusInput) (*GetKeyRotationStatusOutput, error) {
	var out *GetKeyRotationStatusOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("GetKeyRotationStatus", k); err != nil {
			return err
		}
		switch {
		case k.Origin == OriginExternal:
			return t.wrongOrigin(k)
		case k.CustomKeyStoreID != "":
			return t.rotatable(k, true)
		}
		out = &GetKeyRotationStatusOutput{KeyRotationEnabled: ptr(false), KeyId: t.keyArn(k.KeyID)}
		r, err := t.primaryRotation(k)
		if err != nil {
			return err
		}
		if r != nil && k.State != KeyStatePendingDeletion && k.State != KeyStatePendingReplicaDeletion {
			out.KeyRotationEnabled = ptr(true)
			out.RotationPeriodInDays = ptr(r.Period)
			out.NextRotationDate = NewTimestamp(r.Next)
		}
		return nil
	})
	return out, err
}

// RotateKeyOnDemand rotates a key at once, whether or not automatic
// rotation is on, without moving its schedule: new generated material, or
// for imported material the material imported with ImportType
// NEW_KEY_MATERIAL. AWS allows 25 on-demand rotations per key and none
// within 20 minutes of a scheduled one.
func (s *Service) RotateKeyOnDemand(ctx context.Context, in *RotateKeyOnDemandInput) (*RotateKeyOnDemandOutput, error) {
	// New material is made before the transaction (see update); unused for
	// imported material.
	m, err := s.generateMaterial(KeySpecSymmetricDefault)
	if err != nil {
		return nil, err
	}
	defer clear(m.Secret)
	var out *RotateKeyOnDemandOutput
	err = s.update(ctx, func(t *txn) error {
		k, err := t.rotationKey("RotateKeyOnDemand", in.KeyId, false)
		if err != nil {
			return err
		}
		n := 0
		for _, x := range k.Materials {
			if x.By == RotationTypeOnDemand {
				n++
			}
		}
		if n >= maxOnDemandRotations {
			return newErr(LimitExceededException, "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s", t.keyArn(k.KeyID))
		}
		if r := k.Rotation; r != nil && r.Next.Sub(t.now) < onDemandQuietTime {
			return newErr(ConflictException, "An automatic rotation of %s is scheduled to begin within the next 20 minutes; try again after it.", t.keyArn(k.KeyID))
		}
		if k.Origin == OriginExternal {
			if err := t.rotateImported(k); err != nil {
				return err
			}
			if err := t.rotateReplicas(k, *k.current(), RotationTypeOnDemand, t.now); err != nil {
				return err
			}
		} else {
			mt := m // stored sealed before m is wiped
			mt.Created = t.now
			t.rotateMaterial(k, mt, RotationTypeOnDemand, t.now)
			if err := t.rotateReplicas(k, mt, RotationTypeOnDemand, t.now); err != nil {
				return err
			}
		}
		if err := t.saveKey(k); err != nil {
			return err
		}
		out = &RotateKeyOnDemandOutput{KeyId: t.keyArn(k.KeyID)}
		return nil
	})
	return out, err
}

// ListKeyRotations lists a key's materials, oldest first: by default only
// those a rotation made current (ROTATIONS_ONLY), with ALL_KEY_MATERIAL
// also the first material and imported material pending rotation. The
// marker is the id of the last material of the previous page.
func (s *Service) ListKeyRotations(ctx context.Context, in *ListKeyRotationsInput) (*ListKeyRotationsOutput, error) {
	n := limit(in.Limit, listRotationsDefault, listRotationsMax)
	var out *ListKeyRotationsOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("ListKeyRotations", k); err != nil {
			return err
		}
		if err := t.rotatable(k, false); err != nil {
			return err
		}
		var all []RotationsListEntry
		var ids []string
		for i := range k.Materials {
			m := &k.Materials[i]
			if m.Rotated == nil && in.IncludeKeyMaterial != IncludeKeyMaterialAllKeyMaterial {
				continue
			}
			all = append(all, t.rotationEntry(k, m))
			ids = append(ids, m.ID)
		}
		start := 0
		if in.Marker != "" {
			start = -1
			for i, id := range ids {
				if id == in.Marker {
					start = i + 1
				}
			}
			if start < 0 {
				return errInvalidMarker(in.Marker)
			}
		}
		page := all[start:]
		out = &ListKeyRotationsOutput{Rotations: []RotationsListEntry{}, Truncated: ptr(false)}
		if len(page) > n {
			page = page[:n]
			out.NextMarker, out.Truncated = ids[start+n-1], ptr(true)
		}
		out.Rotations = append(out.Rotations, page...)
		return nil
	})
	return out, err
}

// rotationEntry describes one material as ListKeyRotations does; the
// import fields only for imported material.
func (t *txn) rotationEntry(k *keyRecord, m *material) RotationsListEntry {
	current := m.ID == k.currentMaterialID()
	e := RotationsListEntry{KeyId: k.KeyID, KeyMaterialId: m.ID, RotationType: m.By, KeyMaterialState: KeyMaterialStateNonCurrent}
	if m.Rotated != nil {
		e.RotationDate = NewTimestamp(*m.Rotated)
	}
	switch {
	case m.Pending:
		e.KeyMaterialState = KeyMaterialStatePendingRotation
	case current:
		e.KeyMaterialState = KeyMaterialStateCurrent
	}
	if k.Origin == OriginExternal {
		e.ImportState = ImportStateImported
		if m.Gone {
			e.ImportState = ImportStatePendingImport
		}
		e.KeyMaterialDescription, e.ExpirationModel, e.ValidTo = m.Note, m.Expiration, timestamp(m.ValidTo)
		if current {
			e.KeyMaterialDescription, e.ExpirationModel, e.ValidTo = k.MaterialNote, k.ExpirationModel, timestamp(k.ValidTo)
		}
	}
	return e
}

func timestamp(t *time.Time) *Timestamp {
	if t == nil {
		return nil
	}
	return NewTimestamp(*t)
}
