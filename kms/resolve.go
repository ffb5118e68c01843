package kms

import (
	"errors"
	"strings"
)

// Key references. AWS accepts four forms for a KmsKeyId: a key id, a key
// ARN, an alias name and an alias ARN. pkms accepts all four wherever a key
// is named (AWS restricts management operations to key ids and ARNs; being
// lenient there breaks no script written for AWS), except for an alias's
// own target, which AWS and pkms require to be a key id or key ARN.

// resolveKey returns the key a reference names.
func (t *txn) resolveKey(ref string) (*keyRecord, error) {
	id, err := t.resolveKeyID(ref, true)
	if err != nil {
		return nil, err
	}
	return t.loadKey(id)
}

// resolveKeyID turns a reference into a bare key id, following an alias if
// allowed. It does not check that the key exists.
func (t *txn) resolveKeyID(ref string, allowAlias bool) (string, error) {
	if strings.HasPrefix(ref, "arn:") {
		resource, err := t.parseArn(ref)
		if err != nil {
			return "", err
		}
		ref = resource
		if !strings.HasPrefix(ref, "key/") && !strings.HasPrefix(ref, "alias/") {
			return "", newErr(InvalidArnException, "ARN %s does not name a KMS key or alias", ref)
		}
		ref = strings.TrimPrefix(ref, "key/")
	}
	if strings.HasPrefix(ref, "alias/") {
		if !allowAlias {
			return "", newErr(ValidationException, "%s is an alias; this parameter takes a key ID or key ARN", ref)
		}
		a, err := t.loadAlias(ref)
		if err != nil {
			return "", err
		}
		return a.TargetKeyID, nil
	}
	if ref == "" {
		return "", newErr(NotFoundException, "Invalid keyId ''")
	}
	return ref, nil
}

// parseArn checks an ARN against this vault's partition, region and account
// and returns its resource part ("key/ID" or "alias/NAME"). An ARN for
// another region or account names nothing in this vault.
func (t *txn) parseArn(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "kms" || parts[1] == "" || parts[5] == "" {
		return "", newErr(InvalidArnException, "Invalid arn %s", arn)
	}
	if parts[1] != "aws" || parts[3] != t.region || parts[4] != t.account {
		if strings.HasPrefix(parts[5], "alias/") {
			return "", newErr(NotFoundException, "Alias %s is not found.", arn)
		}
		return "", newErr(NotFoundException, "Key '%s' does not exist", arn)
	}
	return parts[5], nil
}

// aliasRecord is what the vault stores for one alias.
type aliasRecord struct {
	Name        string    `json:"name"`
	TargetKeyID string    `json:"target"`
	Created     Timestamp `json:"created"`
	Updated     Timestamp `json:"updated"`
}

func (t *txn) loadAlias(name string) (*aliasRecord, error) {
	a, err := cachedGet(t, cachedAliases, bucketAliases, name)
	if err != nil {
		if errors.Is(err, ErrNoRecord) {
			return nil, newErr(NotFoundException, "Alias %s is not found.", t.aliasArn(name))
		}
		return nil, err
	}
	return a, nil
}
