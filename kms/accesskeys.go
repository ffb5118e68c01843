package kms

import (
	"context"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"io"
	"strings"
)

// Access keys are pkms's own, not an AWS KMS API: the credentials that AWS
// SDKs sign requests to `pkms serve` with (SigV4). They live in the vault
// like every other record, so the secrets are sealed under the vault key
// and a copied vault file reveals none of them. The secret is returned
// once, by CreateAccessKey; listing never shows it.

const bucketAccessKeys = "accesskeys"

// The access-key operations go through the registry like every other, but
// are agentOnly: the in-process command line and the agent's private
// socket reach them; a SigV4 client of pkms serve never does. Invoke records
// their event (eventSource pkms); the exported methods below record their
// own for callers that do not go through Invoke.
func init() {
	implement("CreateAccessKey", func(s *Service, ctx context.Context, in *CreateAccessKeyInput) (*AccessKey, error) {
		return s.createAccessKey(ctx, in.Description)
	}, writes, noKey, agentOnly)
	implement("ListAccessKeys", func(s *Service, ctx context.Context, _ *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
		keys, err := s.listAccessKeys(ctx)
		if err != nil {
			return nil, err
		}
		return &ListAccessKeysOutput{AccessKeys: keys}, nil
	}, readOnly, noKey, agentOnly)
	implement("DeleteAccessKey", func(s *Service, ctx context.Context, in *DeleteAccessKeyInput) (*DeleteAccessKeyOutput, error) {
		if err := s.deleteAccessKey(ctx, in.AccessKeyId); err != nil {
			return nil, err
		}
		return &DeleteAccessKeyOutput{}, nil
	}, writes, noKey, agentOnly)
}

// AccessKey is one pkms serve credential.
type AccessKey struct {
	AccessKeyId     string     `json:"AccessKeyId"`
	SecretAccessKey string     `json:"SecretAccessKey,omitempty"`
	Description     string     `json:"Description,omitempty"`
	CreateDate      *Timestamp `json:"CreateDate,omitempty"`
}

// accessKeyRecord is the stored form.
type accessKeyRecord struct {
	ID          string    `json:"id"`
	Secret      string    `json:"secret"`
	Description string    `json:"description,omitempty"`
	Created     Timestamp `json:"created"`
}

// Access key ids look like AWS's (20 characters, upper-case base32) but
// start with PKMS, so that secret scanners and people never mistake them for
// AWS credentials.
const accessKeyPrefix = "PKMS"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// CreateAccessKey makes a new access key and returns it with its secret.
func (s *Service) CreateAccessKey(ctx context.Context, description string) (out *AccessKey, err error) {
	err = s.Record(ctx, "CreateAccessKey", false, map[string]any{"description": description}, func(ctx context.Context) error {
		out, err = s.createAccessKey(ctx, description)
		return err
	})
	return out, err
}

func (s *Service) createAccessKey(ctx context.Context, description string) (*AccessKey, error) {
	if len(description) > 256 {
		return nil, newErr(ValidationException, "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	idb := make([]byte, 10)
	sec := make([]byte, 30)
	if _, err := io.ReadFull(s.rand, idb); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(s.rand, sec); err != nil {
		return nil, err
	}
	rec := accessKeyRecord{
		ID:          accessKeyPrefix + b32.EncodeToString(idb)[:16],
		Secret:      base64.StdEncoding.EncodeToString(sec), // 40 characters, as AWS's
		Description: description,
	}
	err := s.update(ctx, func(t *txn) error {
		rec.Created = *NewTimestamp(t.now)
		t.audit.respond("accessKeyId", rec.ID)
		return putJSON(t, bucketAccessKeys, rec.ID, rec)
	})
	if err != nil {
		return nil, err
	}
	return &AccessKey{AccessKeyId: rec.ID, SecretAccessKey: rec.Secret, Description: rec.Description, CreateDate: &rec.Created}, nil
}

// ListAccessKeys lists every access key, without secrets.
func (s *Service) ListAccessKeys(ctx context.Context) ([]AccessKey, error) {
	var out []AccessKey
	err := s.Record(ctx, "ListAccessKeys", true, nil, func(ctx context.Context) error {
		var err error
		out, err = s.listAccessKeys(ctx)
		return err
	})
	return out, err
}

func (s *Service) listAccessKeys(ctx context.Context) ([]AccessKey, error) {
	out := []AccessKey{}
	err := s.view(ctx, func(t *txn) error {
		out = out[:0]
		return t.ForEach(bucketAccessKeys, "", func(_ string, v []byte) error {
			var rec accessKeyRecord
			if err := unmarshalRecord(v, &rec); err != nil {
				return err
			}
			out = append(out, AccessKey{AccessKeyId: rec.ID, Description: rec.Description, CreateDate: &rec.Created})
			return nil
		})
	})
	return out, err
}

// DeleteAccessKey removes an access key; NotFoundException if there is none.
func (s *Service) DeleteAccessKey(ctx context.Context, id string) error {
	return s.Record(ctx, "DeleteAccessKey", false, map[string]any{"accessKeyId": id}, func(ctx context.Context) error {
		return s.deleteAccessKey(ctx, id)
	})
}

func (s *Service) deleteAccessKey(ctx context.Context, id string) error {
	return s.update(ctx, func(t *txn) error {
		if _, err := t.Get(bucketAccessKeys, id); errors.Is(err, ErrNoRecord) {
			return newErr(NotFoundException, "The access key with id %s cannot be found.", id)
		} else if err != nil {
			return err
		}
		return t.Delete(bucketAccessKeys, id)
	})
}

// AccessKeySecret returns the secret of an access key, for checking a
// request's signature; ok is false when there is no such key.
func (s *Service) AccessKeySecret(ctx context.Context, id string) (secret []byte, ok bool, err error) {
	if !strings.HasPrefix(id, accessKeyPrefix) || len(id) != 20 {
		return nil, false, nil
	}
	err = s.view(ctx, func(t *txn) error {
		var rec accessKeyRecord
		err := getJSON(t, bucketAccessKeys, id, &rec)
		if errors.Is(err, ErrNoRecord) {
			return nil
		}
		if err != nil {
			return err
		}
		secret, ok = []byte(rec.Secret), true
		return nil
	})
	return secret, ok, err
}
