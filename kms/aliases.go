package kms

import (
	"context"
	"errors"
	"strings"
)

func init() {
	implement("CreateAlias", (*Service).CreateAlias, writes, keyStates(rowNoDelete))
	implement("UpdateAlias", (*Service).UpdateAlias, writes, keyStates(rowNoDelete))
	implement("DeleteAlias", (*Service).DeleteAlias, writes, keyStates(rowAlways))
	implement("ListAliases", (*Service).ListAliases, readOnly, keyStates(rowAlways))
}

// maxAliasesPerKey is AWS's quota of aliases per key.
const maxAliasesPerKey = 50

// checkAliasName applies AWS's alias rules beyond the model pattern, which
// Validate has already checked.
func checkAliasName(name string) error {
	switch {
	case !strings.HasPrefix(name, "alias/"):
		return newErr(ValidationException, `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	case strings.Contains(name, ":"):
		return newErr(ValidationException, "%s contains invalid characters for an alias", name)
	case strings.HasPrefix(name, "alias/aws/"):
		return newErr(InvalidAliasNameException, `%s: the alias prefix "alias/aws/" is reserved for AWS managed keys`, name)
	case name == "alias/":
		return newErr(InvalidAliasNameException, "alias/ must be followed by a name")
	}
	return nil
}

// aliasTarget loads the key an alias is to point at: named by key id or key
// ARN only, and in a state that allows op.
func (t *txn) aliasTarget(op, ref string) (*keyRecord, error) {
	id, err := t.resolveKeyID(ref, false)
	if err != nil {
		return nil, err
	}
	t.audit.touch(t.keyArn(id)) // audit: the event's resources
	k, err := t.loadKey(id)
	if err != nil {
		return nil, err
	}
	return k, t.checkState(op, k)
}

// eachAlias visits every alias record.
func (t *txn) eachAlias(fn func(a *aliasRecord) error) error {
	return t.ForEach(t.regional(bucketAliases), "", func(_ string, v []byte) error {
		var a aliasRecord
		if err := unmarshalRecord(v, &a); err != nil {
			return err
		}
		return fn(&a)
	})
}

// CreateAlias gives a key a friendly name. One alias names one key; a key
// can have up to 50 aliases.
func (s *Service) CreateAlias(ctx context.Context, in *CreateAliasInput) (*CreateAliasOutput, error) {
	if err := checkAliasName(in.AliasName); err != nil {
		return nil, err
	}
	return &CreateAliasOutput{}, s.update(ctx, func(t *txn) error {
		k, err := t.aliasTarget("CreateAlias", in.TargetKeyId)
		if err != nil {
			return err
		}
		if _, err := t.Get(t.regional(bucketAliases), in.AliasName); err == nil {
			return newErr(AlreadyExistsException, "An alias with the name %s already exists", t.aliasArn(in.AliasName))
		} else if !errors.Is(err, ErrNoRecord) {
			return err
		}
		n := 0
		if err := t.eachAlias(func(a *aliasRecord) error {
			if a.TargetKeyID == k.KeyID {
				n++
			}
			return nil
		}); err != nil {
			return err
		}
		if n >= maxAliasesPerKey {
			return newErr(LimitExceededException, "Key %s already has %d aliases, the maximum", t.keyArn(k.KeyID), maxAliasesPerKey)
		}
		now := Timestamp{t.now}
		return putJSON(t, t.regional(bucketAliases), in.AliasName, aliasRecord{Name: in.AliasName, TargetKeyID: k.KeyID, Created: now, Updated: now})
	})
}

// UpdateAlias points an existing alias at another key of the same type and
// key usage.
func (s *Service) UpdateAlias(ctx context.Context, in *UpdateAliasInput) (*UpdateAliasOutput, error) {
	if err := checkAliasName(in.AliasName); err != nil {
		return nil, err
	}
	return &UpdateAliasOutput{}, s.update(ctx, func(t *txn) error {
		a, err := t.loadAlias(in.AliasName)
		if err != nil {
			return err
		}
		k, err := t.aliasTarget("UpdateAlias", in.TargetKeyId)
		if err != nil {
			return err
		}
		if old, err := t.loadKey(a.TargetKeyID); err == nil {
			if keyClass(old.Spec) != keyClass(k.Spec) || old.Usage != k.Usage {
				return newErr(ValidationException, "Alias %s points to a %s key with usage %s; the new target must be of the same type and key usage", in.AliasName, keyClass(old.Spec), old.Usage)
			}
		}
		a.TargetKeyID = k.KeyID
		a.Updated = Timestamp{t.now}
		return putJSON(t, t.regional(bucketAliases), a.Name, a)
	})
}

// keyClass is the key type UpdateAlias compares: symmetric, HMAC or asymmetric.
func keyClass(spec KeySpec) string {
	switch {
	case spec == KeySpecSymmetricDefault:
		return "symmetric"
	case strings.HasPrefix(string(spec), "HMAC_"):
		return "HMAC"
	}
	return "asymmetric"
}

// DeleteAlias removes an alias; its key is unaffected.
func (s *Service) DeleteAlias(ctx context.Context, in *DeleteAliasInput) (*DeleteAliasOutput, error) {
	if err := checkAliasName(in.AliasName); err != nil && CodeOf(err) != InvalidAliasNameException {
		return nil, err
	}
	return &DeleteAliasOutput{}, s.update(ctx, func(t *txn) error {
		if _, err := t.loadAlias(in.AliasName); err != nil {
			return err
		}
		return t.Delete(t.regional(bucketAliases), in.AliasName)
	})
}

// ListAliases lists aliases, optionally only those of one key (named by key
// id or key ARN), at most 100 a page (default 50).
func (s *Service) ListAliases(ctx context.Context, in *ListAliasesInput) (*ListAliasesOutput, error) {
	var out *ListAliasesOutput
	err := s.view(ctx, func(t *txn) error {
		filter := ""
		if in.KeyId != "" {
			id, err := t.resolveKeyID(in.KeyId, false)
			if err != nil {
				return err
			}
			if _, err := t.loadKey(id); err != nil {
				return err
			}
			filter = id
		}
		aliases, next, more, err := pageOf(t, t.regional(bucketAliases), in.Marker, limit(in.Limit, 50, 100), func(v []byte) (AliasListEntry, bool, error) {
			var a aliasRecord
			if err := unmarshalRecord(v, &a); err != nil {
				return AliasListEntry{}, false, err
			}
			if filter != "" && a.TargetKeyID != filter {
				return AliasListEntry{}, false, nil
			}
			if _, err := t.loadKey(a.TargetKeyID); err != nil {
				if CodeOf(err) == NotFoundException {
					return AliasListEntry{}, false, nil // target deleted; the alias goes with it
				}
				return AliasListEntry{}, false, err
			}
			return AliasListEntry{AliasName: a.Name, AliasArn: t.aliasArn(a.Name), TargetKeyId: a.TargetKeyID,
				CreationDate: ptr(a.Created), LastUpdatedDate: ptr(a.Updated)}, true, nil
		})
		out = &ListAliasesOutput{Aliases: aliases, NextMarker: next, Truncated: ptr(more)}
		return err
	})
	return out, err
}
