package kms

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"slices"
)

// Multi-Region keys. A multi-Region key set is one key id ("mrk-" and 32
// hex digits) with a record in each region of the set: the primary, made
// by CreateKey --multi-region, and its replicas, made by ReplicateKey.
// They share the id, the key material, the key spec, usage and origin, so
// a ciphertext made under one decrypts under any other; each record keeps
// its own state, policy, description, tags and aliases. PrimaryRegion is
// the same in every record of the set; UpdatePrimaryRegion changes it in
// all of them.

func init() {
	implement("ReplicateKey", (*Service).ReplicateKey, writes, keyStates(stateRow{allow, failDisabled, failPendingDel, failPendingImp, allow, failCreating, failUpdating}))
	implement("UpdatePrimaryRegion", (*Service).UpdatePrimaryRegion, writes, keyStates(stateRow{allow, failDisabled, failPendingDel, failPendingImp, allow, failCreating, allow}))
}

// newMultiRegionKeyID returns "mrk-" and 32 random lowercase hex digits.
func newMultiRegionKeyID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	return "mrk-" + hex.EncodeToString(b[:]), nil
}

// regionalKey is one record of a multi-Region key set and its region.
type regionalKey struct {
	Region string
	Key    *keyRecord
}

// replicaSet returns every record of the key k across regions: k's own
// for a single-Region key; for a multi-Region key the primary and its
// replicas (a record whose deletion date has passed is gone), in the order
// their regions were first used. The records are read afresh, never from
// the cache, so that a write transaction may change them and store each
// with saveKeyIn. It is the one place that finds a key's replicas: what
// must reach every record of a set (the primary region, and new key
// material when the key rotates) goes through it.
func (t *txn) replicaSet(k *keyRecord) ([]regionalKey, error) {
	if !k.MultiRegion {
		return []regionalKey{{t.region, k}}, nil
	}
	regions, err := t.regions()
	if err != nil {
		return nil, err
	}
	var set []regionalKey
	for _, r := range regions {
		err := t.inRegion(r, func() error {
			var rk keyRecord
			if err := getJSON(t, t.regional(bucketKeys), k.KeyID, &rk); err != nil {
				return err
			}
			if rk.MultiRegion && !rk.expired(t.now) {
				set = append(set, regionalKey{r, &rk})
			}
			return nil
		})
		if err != nil && !errors.Is(err, ErrNoRecord) {
			return nil, err
		}
	}
	return set, nil
}

// saveKeyIn stores a record of another region (one replicaSet returned).
func (t *txn) saveKeyIn(region string, k *keyRecord) error {
	return t.inRegion(region, func() error { return t.saveKey(k) })
}

// keyArnIn is the ARN of key id in region.
func (t *txn) keyArnIn(region, id string) string {
	var arn string
	_ = t.inRegion(region, func() error { arn = t.keyArn(id); return nil })
	return arn
}

// multiRegionConfiguration describes k's set as DescribeKey shows it. A
// region whose record cannot be read is left out of the list.
func (t *txn) multiRegionConfiguration(k *keyRecord) *MultiRegionConfiguration {
	c := &MultiRegionConfiguration{MultiRegionKeyType: MultiRegionKeyTypeReplica,
		PrimaryKey:  &MultiRegionKey{Arn: t.keyArnIn(k.PrimaryRegion, k.KeyID), Region: k.PrimaryRegion},
		ReplicaKeys: []MultiRegionKey{}}
	if k.PrimaryRegion == t.region {
		c.MultiRegionKeyType = MultiRegionKeyTypePrimary
	}
	set, err := t.replicaSet(k)
	if err != nil {
		set = []regionalKey{{t.region, k}}
	}
	for _, rk := range set {
		if rk.Region != k.PrimaryRegion {
			c.ReplicaKeys = append(c.ReplicaKeys, MultiRegionKey{Arn: t.keyArnIn(rk.Region, k.KeyID), Region: rk.Region})
		}
	}
	return c
}

// loadPrimary resolves ref to a multi-Region primary key of the
// transaction's region, or the error AWS gives for any other key.
func (t *txn) loadPrimary(ref string) (*keyRecord, error) {
	k, err := t.resolveKey(ref)
	if err != nil {
		return nil, err
	}
	if !k.MultiRegion || k.PrimaryRegion != t.region {
		return nil, newErr(UnsupportedOperationException, "%s is not a multi-region primary key.", t.keyArn(k.KeyID))
	}
	return k, nil
}

// ReplicateKey makes a replica of a multi-Region primary key in another
// region: the same key id and material, with its own policy (the default
// one unless given), description and tags. A replica of a key with
// imported material has no material: it waits in PendingImport for the
// same material to be imported. As in AWS the response shows the replica
// in its transient Creating state; pkms has it ready at once.
func (s *Service) ReplicateKey(ctx context.Context, in *ReplicateKeyInput) (*ReplicateKeyOutput, error) {
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	var out *ReplicateKeyOutput
	err := s.update(ctx, func(t *txn) error {
		k, err := t.loadPrimary(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("ReplicateKey", k); err != nil {
			return err
		}
		set, err := t.replicaSet(k)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(set, func(rk regionalKey) bool { return rk.Region == in.ReplicaRegion }) {
			return newErr(AlreadyExistsException, "Key %s already exists.", t.keyArnIn(in.ReplicaRegion, k.KeyID))
		}
		return t.inRegion(in.ReplicaRegion, func() error {
			policy, n, err := t.checkCreate(&CreateKeyInput{Policy: in.Policy, BypassPolicyLockoutSafetyCheck: in.BypassPolicyLockoutSafetyCheck})
			if err != nil {
				return err
			}
			r := &keyRecord{KeyID: k.KeyID, Created: t.now, Description: in.Description, Usage: k.Usage,
				Spec: k.Spec, Origin: k.Origin, State: KeyStateEnabled, Policy: policy, Tags: mergeTags(nil, in.Tags),
				Exportable: k.Exportable, MultiRegion: true, PrimaryRegion: k.PrimaryRegion}
			if k.Origin == OriginExternal {
				// Imported material is never copied: the replica accepts
				// the primary's material once it is imported into it.
				r.State, r.BoundMaterial = KeyStatePendingImport, k.BoundMaterial
			} else {
				r.Materials = make([]material, len(k.Materials))
				for i, m := range k.Materials {
					m.Secret = slices.Clone(m.Secret)
					r.Materials[i] = m
				}
				r.CurrentMaterial = k.CurrentMaterial
			}
			if err := t.saveKey(r); err != nil {
				return err
			}
			if err := t.setKeyCount(n + 1); err != nil {
				return err
			}
			m := t.metadata(r)
			m.KeyState, m.Enabled, m.CurrentKeyMaterialId = KeyStateCreating, ptr(false), ""
			tags := r.Tags
			if tags == nil {
				tags = []Tag{}
			}
			out = &ReplicateKeyOutput{ReplicaKeyMetadata: m, ReplicaPolicy: policy, ReplicaTags: tags}
			return nil
		})
	})
	return out, err
}

// UpdatePrimaryRegion makes the replica in another region the primary of
// a multi-Region key set, and the current primary a replica. Both must be
// enabled; ids, ARNs and every other property stay as they are.
func (s *Service) UpdatePrimaryRegion(ctx context.Context, in *UpdatePrimaryRegionInput) (*UpdatePrimaryRegionOutput, error) {
	return &UpdatePrimaryRegionOutput{}, s.update(ctx, func(t *txn) error {
		k, err := t.loadPrimary(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("UpdatePrimaryRegion", k); err != nil {
			return err
		}
		if in.PrimaryRegion == t.region {
			return newErr(ValidationException, "%s is already the primary key in %s.", t.keyArn(k.KeyID), t.region)
		}
		set, err := t.replicaSet(k)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(set, func(rk regionalKey) bool { return rk.Region == in.PrimaryRegion })
		if i < 0 {
			return newErr(NotFoundException, "Key '%s' does not exist", t.keyArnIn(in.PrimaryRegion, k.KeyID))
		}
		if err := t.inRegion(in.PrimaryRegion, func() error { return t.checkState("UpdatePrimaryRegion", set[i].Key) }); err != nil {
			return err
		}
		if err := t.moveRotation(k, in.PrimaryRegion, set[i].Key); err != nil {
			return err
		}
		for _, rk := range set {
			rk.Key.PrimaryRegion = in.PrimaryRegion
			if err := t.saveKeyIn(rk.Region, rk.Key); err != nil {
				return err
			}
		}
		return nil
	})
}
