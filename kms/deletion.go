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

func (t *txn) purgeExpired() error {
	if err := t.purgeExpiredMaterial(); err != nil {
		return err
	}
	due, err := t.dueEntries(bucketDeletions)
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
	for _, id := range due {
		doomed[id] = true
		if err := t.notePurgedTokenKey(id); err != nil {
			return err
		}
		if err := t.Delete(bucketKeys, id); err != nil {
			return err
		}
		if err := t.Delete(bucketDeletions, id); err != nil {
			return err
		}
		if err := t.Delete(bucketUsage, id); err != nil {
			return err
		}
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
		if err := t.Delete(bucketAliases, name); err != nil {
			return err
		}
	}
	return nil
}

// purgeExpiredMaterial removes imported key material whose ValidTo has
// passed, from the keys the expiry index names, and indexes each key's
// next expiry.
func (t *txn) purgeExpiredMaterial() error {
	due, err := t.dueEntries(bucketExpiries)
	if err != nil {
		return err
	}
	for _, id := range due {
		var k keyRecord
		err := getJSON(t, bucketKeys, id, &k)
		if errors.Is(err, ErrNoRecord) {
			err = t.Delete(bucketExpiries, id)
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
	implement("ScheduleKeyDeletion", (*Service).ScheduleKeyDeletion)
	implement("CancelKeyDeletion", (*Service).CancelKeyDeletion)
}

// Deletion waiting period limits (the model allows 1–365; AWS enforces 7–30).
const (
	minPendingWindow     = 7
	maxPendingWindow     = 30
	defaultPendingWindow = 30
)

// ScheduleKeyDeletion puts a key into PendingDeletion for 7–30 days
// (default 30). When the date passes the key, its aliases and its material
// are gone for good.
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
		date := t.now.Add(time.Duration(days) * 24 * time.Hour)
		k.State = KeyStatePendingDeletion
		k.DeletionDate = &date
		k.PendingWindowInDays = days
		if err := t.saveKey(k); err != nil {
			return err
		}
		if err := putJSON(t, bucketDeletions, k.KeyID, deletionEntry{KeyID: k.KeyID, Date: date}); err != nil {
			return err
		}
		out = &ScheduleKeyDeletionOutput{KeyId: t.keyArn(k.KeyID), DeletionDate: NewTimestamp(date),
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
		if err := t.Delete(bucketDeletions, k.KeyID); err != nil && !errors.Is(err, ErrNoRecord) {
			return err
		}
		out = &CancelKeyDeletionOutput{KeyId: t.keyArn(k.KeyID)}
		return nil
	})
	return out, err
}
