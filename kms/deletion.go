package kms

import (
	"context"
	"errors"
	"time"
)

// Deletion. A key scheduled for deletion is indexed in its own small bucket
// so that applying expired deletion dates costs one walk over the pending
// deletions, not over every key. Reads treat an expired key as gone at
// once (see loadKey); the next write transaction removes it, its aliases
// and its index entry for good.

// deletionEntry is a key id and a date, in the deletion index and the
// imported-material expiry index.
type deletionEntry struct {
	KeyID string    `json:"id"`
	Date  time.Time `json:"date"`
}

// purgeExpired applies the deletion dates and material expiry dates that
// have come, in every region.
func (t *txn) purgeExpired() error {
	return t.eachRegion(t.purgeExpiredRegion)
}

// purgeExpiredRegion removes the keys of the transaction's region whose
// deletion date has come, with their aliases, index entries and usage.
func (t *txn) purgeExpiredRegion() error {
	if err := t.purgeExpiredMaterial(); err != nil {
		return err
	}
	due, err := t.dueEntries(t.regional(bucketDeletions))
	if err != nil || len(due) == 0 {
		return err
	}
	n, err := t.keyCount()
	if err != nil {
		return err
	}
	if err := t.setKeyCount(max(n-len(due), 0)); err != nil {
		return err
	}
	doomed := map[string]bool{}
	var replicas []keyRecord // multi-Region replicas purged: their primary may wait for them
	for _, id := range due {
		doomed[id] = true
		var k keyRecord
		if err := getJSON(t, t.regional(bucketKeys), id, &k); err == nil {
			if k.MultiRegion && k.PrimaryRegion != t.region {
				replicas = append(replicas, k)
			}
		} else if !errors.Is(err, ErrNoRecord) {
			return err
		}
		if err := t.notePurgedTokenKey(id); err != nil {
			return err
		}
		for _, b := range []string{bucketKeys, bucketDeletions, bucketUsage} {
			if err := t.Delete(t.regional(b), id); err != nil {
				return err
			}
		}
	}
	if err := t.purgeGrants(doomed); err != nil {
		return err
	}
	var aliases []string
	err = t.eachAlias(func(a *aliasRecord) error {
		if doomed[a.TargetKeyID] {
			aliases = append(aliases, a.Name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range aliases {
		if err := t.Delete(t.regional(bucketAliases), name); err != nil {
			return err
		}
	}
	for i := range replicas {
		if err := t.lastReplicaGone(&replicas[i]); err != nil {
			return err
		}
	}
	return nil
}

// lastReplicaGone starts the deletion window of a multi-Region primary in
// PendingReplicaDeletion once the replica r, just purged, was its last one:
// the primary becomes PendingDeletion, its window counted from the date
// the replica was deleted.
func (t *txn) lastReplicaGone(r *keyRecord) error {
	return t.inRegion(r.PrimaryRegion, func() error {
		var p keyRecord
		if err := getJSON(t, t.regional(bucketKeys), r.KeyID, &p); errors.Is(err, ErrNoRecord) {
			return nil
		} else if err != nil {
			return err
		}
		if p.State != KeyStatePendingReplicaDeletion {
			return nil
		}
		set, err := t.replicaSet(&p)
		if err != nil || len(set) > 1 {
			return err
		}
		from := t.now
		if r.DeletionDate != nil {
			from = *r.DeletionDate
		}
		return t.scheduleDeletion(&p, from, p.PendingWindowInDays)
	})
}

// scheduleDeletion puts k into PendingDeletion, to be deleted days after
// from, and indexes it for purging.
func (t *txn) scheduleDeletion(k *keyRecord, from time.Time, days int32) error {
	date := from.Add(time.Duration(days) * 24 * time.Hour)
	k.State = KeyStatePendingDeletion
	k.DeletionDate = &date
	k.PendingWindowInDays = days
	if err := t.saveKey(k); err != nil {
		return err
	}
	return putJSON(t, t.regional(bucketDeletions), k.KeyID, deletionEntry{KeyID: k.KeyID, Date: date})
}

// purgeExpiredMaterial removes imported key material whose ValidTo has
// passed, from the keys the expiry index names, and indexes each key's
// next expiry.
func (t *txn) purgeExpiredMaterial() error {
	due, err := t.dueEntries(t.regional(bucketExpiries))
	if err != nil {
		return err
	}
	for _, id := range due {
		var k keyRecord
		err := getJSON(t, t.regional(bucketKeys), id, &k)
		if errors.Is(err, ErrNoRecord) {
			err = t.Delete(t.regional(bucketExpiries), id)
		} else if err == nil {
			k.expireMaterials(t.now)
			if err = t.saveKey(&k); err == nil {
				err = t.indexExpiry(&k)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dueEntries lists the key ids of an index bucket whose date has come.
func (t *txn) dueEntries(bucket string) ([]string, error) {
	var due []string
	err := t.ForEach(bucket, "", func(_ string, v []byte) error {
		var e deletionEntry
		if err := unmarshalRecord(v, &e); err != nil {
			return err
		}
		if !t.now.Before(e.Date) {
			due = append(due, e.KeyID)
		}
		return nil
	})
	return due, err
}

func init() {
	implement("ScheduleKeyDeletion", (*Service).ScheduleKeyDeletion, writes, keyStates(stateRow{allow, allow, failPendingDel, allow, allow, allow, failUpdating}))
	implement("CancelKeyDeletion", (*Service).CancelKeyDeletion, writes, keyStates(stateRow{failNotPending, failNotPending, allow, failNotPending, failNotPending, failNotPending, failNotPending}))
}

// Deletion waiting period limits (the model allows 1–365; AWS enforces 7–30).
const (
	minPendingWindow     = 7
	maxPendingWindow     = 30
	defaultPendingWindow = 30
)

// ScheduleKeyDeletion puts a key into PendingDeletion for 7–30 days
// (default 30). When the date passes the key, its aliases and its material
// are gone for good. A multi-Region primary that still has replicas waits
// in PendingReplicaDeletion until the last of them is deleted; its window
// starts then.
func (s *Service) ScheduleKeyDeletion(ctx context.Context, in *ScheduleKeyDeletionInput) (*ScheduleKeyDeletionOutput, error) {
	days := int32(defaultPendingWindow)
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
	}
	if days < minPendingWindow {
		return nil, validationErr(days, "pendingWindowInDays", "Member must have value greater than or equal to 7")
	}
	if days > maxPendingWindow {
		return nil, validationErr(days, "pendingWindowInDays", "Member must have value less than or equal to 30")
	}
	var out *ScheduleKeyDeletionOutput
	err := s.update(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("ScheduleKeyDeletion", k); err != nil {
			return err
		}
		if k.MultiRegion && k.PrimaryRegion == t.region {
			// A multi-Region primary outlives its replicas: while any
			// remains it waits in PendingReplicaDeletion, without a date.
			set, err := t.replicaSet(k)
			if err != nil {
				return err
			}
			if len(set) > 1 {
				k.State = KeyStatePendingReplicaDeletion
				k.PendingWindowInDays = days
				out = &ScheduleKeyDeletionOutput{KeyId: t.keyArn(k.KeyID), KeyState: k.State, PendingWindowInDays: ptr(days)}
				return t.saveKey(k)
			}
		}
		if err := t.scheduleDeletion(k, t.now, days); err != nil {
			return err
		}
		out = &ScheduleKeyDeletionOutput{KeyId: t.keyArn(k.KeyID), DeletionDate: NewTimestamp(*k.DeletionDate),
			KeyState: KeyStatePendingDeletion, PendingWindowInDays: ptr(days)}
		return nil
	})
	return out, err
}

// CancelKeyDeletion takes a key out of PendingDeletion. As in AWS the key
// is then Disabled, whatever its state was before, and must be enabled; a
// key that has no key material (imported material never imported or
// deleted) returns to PendingImport instead.
func (s *Service) CancelKeyDeletion(ctx context.Context, in *CancelKeyDeletionInput) (*CancelKeyDeletionOutput, error) {
	var out *CancelKeyDeletionOutput
	err := s.update(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("CancelKeyDeletion", k); err != nil {
			return err
		}
		k.State = KeyStateDisabled
		if k.current() == nil {
			k.State = KeyStatePendingImport
		}
		k.DeletionDate = nil
		k.PendingWindowInDays = 0
		if err := t.saveKey(k); err != nil {
			return err
		}
		if err := t.Delete(t.regional(bucketDeletions), k.KeyID); err != nil && !errors.Is(err, ErrNoRecord) {
			return err
		}
		out = &CancelKeyDeletionOutput{KeyId: t.keyArn(k.KeyID)}
		return nil
	})
	return out, err
}
