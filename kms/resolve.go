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
	t.audit.touch(t.keyArn(id)) // audit: the event's resources
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
	if !validKeyID(ref) {
		return "", newErr(NotFoundException, "Invalid keyId '%s'", ref)
	}
	return ref, nil
}

// validKeyID reports whether id has the form of a KMS key id: a UUID in its
// 8-4-4-4-12 form, or "mrk-" and 32 hex digits for a multi-Region key. AWS
// answers anything else ("fake-key-id", a UUID without its dashes) with
// "Invalid keyId" before looking for a key.
func validKeyID(id string) bool {
	if hex, ok := strings.CutPrefix(id, "mrk-"); ok {
		return len(hex) == 32 && isHex(hex)
	}
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch i {
		case 8, 13, 18, 23:
			if id[i] != '-' {
				return false
			}
		default:
			if !isHex(id[i : i+1]) {
				return false
			}
		}
	}
	return true
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// parseArn checks an ARN against this vault's partition, region and account
// and returns its resource part ("key/ID" or "alias/NAME"). An ARN for
// another partition, region or account names nothing this vault can reach:
// AWS answers NotFoundException "Invalid arn <region>" for another region,
// and pkms names the first part that differs in the same form.
func (t *txn) parseArn(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "kms" || parts[1] == "" || parts[5] == "" {
		return "", newErr(InvalidArnException, "Invalid arn %s", arn)
	}
	for i, want := range []string{1: "aws", 3: t.region, 4: t.account} {
		if want != "" && parts[i] != want {
			return "", newErr(NotFoundException, "Invalid arn %s", parts[i])
		}
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
	a, err := cachedGet(t, cachedAliases, t.regional(bucketAliases), name)
	if err != nil {
		if errors.Is(err, ErrNoRecord) {
			return nil, newErr(NotFoundException, "Alias %s is not found.", t.aliasArn(name))
		}
		return nil, err
	}
	return a, nil
}
