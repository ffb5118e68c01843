package kms

import (
	"context"
	"fmt"
	"io"
)

func init() {
	implement("CreateKey", (*Service).CreateKey, writes, noKey)
	implement("DescribeKey", (*Service).DescribeKey, readOnly, keyStates(rowAlways))
	implement("ListKeys", (*Service).ListKeys, readOnly, noKey)
	implement("EnableKey", (*Service).EnableKey, writes, keyStates(rowEnable))
	implement("DisableKey", (*Service).DisableKey, writes, keyStates(rowEnable))
	implement("UpdateKeyDescription", (*Service).UpdateKeyDescription, writes, keyStates(rowNoDelete))
}

// maxKeys is AWS's resource quota of KMS keys per account and region.
const maxKeys = 100000

// symmetricKeyBytes is the size of SYMMETRIC_DEFAULT key material (AES-256).
const symmetricKeyBytes = 32

// CreateKey creates a customer managed key. Defaults follow AWS: a
// SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key with KMS-generated material, the
// default key policy, Enabled. Origin EXTERNAL creates a key without
// material in PendingImport.
func (s *Service) CreateKey(ctx context.Context, in *CreateKeyInput) (*CreateKeyOutput, error) {
	spec, usage, err := createKeySpec(in)
	if err != nil {
		return nil, err
	}
	origin := in.Origin
	if origin == "" {
		origin = OriginAwsKms
	}
	multiRegion := in.MultiRegion != nil && *in.MultiRegion
	var tk *tokenKey // a key in a custom key store, generated in its token
	switch {
	case multiRegion && (in.CustomKeyStoreId != "" || origin == OriginAwsCloudhsm || origin == OriginExternalKeyStore):
		return nil, newErr(UnsupportedOperationException, "Multi-Region keys cannot be created in a custom key store.")
	case in.CustomKeyStoreId != "" || origin == OriginAwsCloudhsm || origin == OriginExternalKeyStore:
		if err := validateTags(in.Tags); err != nil {
			return nil, err
		}
		if tk, err = s.newTokenKey(ctx, in, spec, usage, origin); err != nil {
			return nil, err
		}
	case in.PkmsTokenSigning != nil && *in.PkmsTokenSigning:
		return nil, newErr(ValidationException, "PkmsTokenSigning needs Origin AWS_CLOUDHSM and a CustomKeyStoreId.")
	case in.XksKeyId != "":
		return nil, newErr(ValidationException, "XksKeyId is valid only with Origin EXTERNAL_KEY_STORE")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	// The id and the material need no vault state: they are made before
	// the write transaction, which then only checks and stores. Making an
	// asymmetric key takes time (seconds for RSA_4096), so a request the
	// vault refuses is refused first, in a read transaction.
	newID := newKeyID
	if multiRegion {
		newID = newMultiRegionKeyID
	}
	id, err := newID(s.rand)
	if err != nil {
		return nil, err
	}
	var m *material
	if origin != OriginExternal && tk == nil {
		if isAsymmetric(spec) {
			if err := s.view(ctx, func(t *txn) error { _, _, err := t.checkCreate(in); return err }); err != nil {
				return nil, err
			}
		}
		gen, err := s.generateMaterial(spec)
		if err != nil {
			return nil, err
		}
		m = &gen
		defer clear(m.Secret) // stored sealed, or unused
	}
	var out *CreateKeyOutput
	err = s.update(ctx, func(t *txn) error {
		policy, n, err := t.checkCreate(in)
		if err != nil {
			return err
		}
		if tk != nil {
			id = tk.keyID
		}
		k := &keyRecord{KeyID: id, Created: t.now, Description: in.Description, Usage: usage,
			Spec: spec, Origin: origin, State: KeyStateEnabled, Policy: policy, Tags: mergeTags(nil, in.Tags),
			Exportable: in.PkmsExportable != nil && *in.PkmsExportable, MultiRegion: multiRegion}
		if multiRegion {
			k.PrimaryRegion = t.region
		}
		if tk != nil {
			tk.apply(k)
		} else if m == nil {
			k.State = KeyStatePendingImport
		} else {
			mt := *m
			mt.Created = t.now
			k.Materials = []material{mt}
			k.CurrentMaterial = mt.ID
		}
		if err := t.saveKey(k); err != nil {
			return err
		}
		if err := t.setKeyCount(n + 1); err != nil {
			return err
		}
		out = &CreateKeyOutput{KeyMetadata: t.metadata(k)}
		return nil
	})
	if err != nil && tk != nil {
		s.discard(tk)
	}
	return out, err
}

// checkCreate applies what CreateKey needs the vault for: the key quota and
// the key policy (the default one, or the given one validated). It returns
// the policy and the number of keys.
func (t *txn) checkCreate(in *CreateKeyInput) (policy string, keys int, err error) {
	n, err := t.keyCount()
	if err != nil {
		return "", 0, err
	}
	if n >= maxKeys {
		return "", 0, newErr(LimitExceededException, "The request was rejected because the number of KMS keys in the account and Region would exceed the limit of %d", maxKeys)
	}
	policy = in.Policy
	if policy == "" {
		policy = defaultKeyPolicy(t.account)
	} else if err := t.checkPolicy(policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
		return "", 0, err
	}
	return policy, n, nil
}

// newKeyID returns a random (version 4) UUID, the form of AWS key ids.
func newKeyID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// DescribeKey returns a key's metadata.
func (s *Service) DescribeKey(ctx context.Context, in *DescribeKeyInput) (*DescribeKeyOutput, error) {
	var out *DescribeKeyOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		out = &DescribeKeyOutput{KeyMetadata: t.metadata(k)}
		if k.CustomKeyStoreID != "" && t.tokenKeyGone(k) {
			out.KeyMetadata.KeyState, out.KeyMetadata.Enabled = KeyStateUnavailable, ptr(false)
		}
		return nil
	})
	return out, err
}

// ListKeys lists keys in the vault's stable (opaque) order, a page at a time.
func (s *Service) ListKeys(ctx context.Context, in *ListKeysInput) (*ListKeysOutput, error) {
	var out *ListKeysOutput
	err := s.view(ctx, func(t *txn) error {
		keys, next, more, err := pageOf(t, t.regional(bucketKeys), in.Marker, limit(in.Limit, 100, 1000), func(v []byte) (KeyListEntry, bool, error) {
			var k keyRecord
			if err := unmarshalRecord(v, &k); err != nil || k.expired(t.now) {
				return KeyListEntry{}, false, err
			}
			return KeyListEntry{KeyId: k.KeyID, KeyArn: t.keyArn(k.KeyID)}, true, nil
		})
		out = &ListKeysOutput{Keys: keys, NextMarker: next, Truncated: ptr(more)}
		return err
	})
	return out, err
}

// setState is the shared body of EnableKey and DisableKey.
func (s *Service) setState(ctx context.Context, op, ref string, state KeyState) error {
	return s.update(ctx, func(t *txn) error {
		k, err := t.resolveKey(ref)
		if err != nil {
			return err
		}
		if err := t.checkState(op, k); err != nil {
			return err
		}
		k.State = state
		if state == KeyStateEnabled {
			if err := t.resumeRotation(k); err != nil {
				return err
			}
		}
		return t.saveKey(k)
	})
}

// EnableKey sets a key's state to Enabled.
func (s *Service) EnableKey(ctx context.Context, in *EnableKeyInput) (*EnableKeyOutput, error) {
	return &EnableKeyOutput{}, s.setState(ctx, "EnableKey", in.KeyId, KeyStateEnabled)
}

// DisableKey sets a key's state to Disabled; it can no longer be used in
// cryptographic operations until it is enabled again.
func (s *Service) DisableKey(ctx context.Context, in *DisableKeyInput) (*DisableKeyOutput, error) {
	return &DisableKeyOutput{}, s.setState(ctx, "DisableKey", in.KeyId, KeyStateDisabled)
}

// UpdateKeyDescription replaces a key's description.
func (s *Service) UpdateKeyDescription(ctx context.Context, in *UpdateKeyDescriptionInput) (*UpdateKeyDescriptionOutput, error) {
	return &UpdateKeyDescriptionOutput{}, s.update(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("UpdateKeyDescription", k); err != nil {
			return err
		}
		k.Description = in.Description
		return t.saveKey(k)
	})
}
