package kms

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/pocketkms/pkms/vault"
)

// Bucket names in the vault. Record ids inside them are logical ids (key
// id, alias name); the vault stores them opaquely.
const (
	bucketConfig    = "config"
	bucketKeys      = "keys"
	bucketAliases   = "aliases"
	bucketDeletions = "deletions"
	bucketExpiries  = "expiries" // imported key material with a ValidTo
)

// config is the vault-wide KMS configuration, written once by Initialize.
type config struct {
	AccountID string `json:"AccountId"`
	// ImportTokenKey seals the import tokens of GetParametersForImport;
	// made on first use.
	ImportTokenKey []byte `json:"importTokenKey,omitempty"`
}

// txn is one operation's view of the vault: the raw transaction plus the
// account and the operation's clock reading, so that every timestamp an
// operation writes is the same instant.
type txn struct {
	Tx
	s       *Service
	account string
	region  string // the request's region, else the service's: its buckets and ARNs
	// regionNoted: the region is known to be in the list of regions in use.
	regionNoted bool
	now         time.Time
	writable    bool
	gen         uint64
	audit       *auditCall // the call being recorded, if any (audit.go)
	// purgedTokenKeys are the token keys of the keys purged in this
	// transaction, destroyed in their tokens once it commits.
	purgedTokenKeys []purgedTokenKey
}

func (s *Service) begin(ctx context.Context, tx Tx, writable bool) (*txn, error) {
	account, err := s.accountID(tx)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, s: s, account: account, region: s.regionFor(ctx), now: s.now(), writable: writable, gen: tx.Generation(), audit: auditCallOf(ctx)}, nil
}

// accountID reads the vault's account id once; it never changes.
func (s *Service) accountID(tx Tx) (string, error) {
	if a := s.knownAccount(); a != "" {
		return a, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.knownAccount(); a != "" {
		return a, nil
	}
	var cfg config
	if err := getJSON(tx, bucketConfig, "config", &cfg); err != nil {
		if errors.Is(err, ErrNoRecord) {
			// Damage (a lost record or bucket), not a KMS failure: the
			// vault's own error, which the CLI answers with 253.
			return "", fmt.Errorf("%w: it has no KMS configuration record (lost, or the vault was not made by pkms vault init)", vault.ErrCorrupt)
		}
		return "", err
	}
	s.account.Store(&cfg.AccountID)
	return cfg.AccountID, nil
}

// knownAccount is the vault's account id once a transaction has read it,
// else "".
func (s *Service) knownAccount() string {
	if a := s.account.Load(); a != nil {
		return *a
	}
	return ""
}

// Initialize writes the KMS configuration of a new vault. accountID is the
// 12-digit account that ARNs and the default key policy name; "" picks a
// random one.
func Initialize(store Store, accountID string) (string, error) {
	if accountID == "" {
		n, err := rand.Int(rand.Reader, big.NewInt(9e11))
		if err != nil {
			return "", err
		}
		accountID = fmt.Sprintf("%012d", n.Int64()+1e11)
	}
	if !ValidAccountID(accountID) {
		return "", fmt.Errorf("account id %q must be 12 digits", accountID)
	}
	err := store.Update(func(tx Tx) error {
		if _, err := tx.Get(bucketConfig, "config"); err == nil {
			return errors.New("the vault already has a KMS configuration")
		}
		return putJSON(tx, bucketConfig, "config", config{AccountID: accountID})
	})
	return accountID, err
}

// ValidAccountID reports whether s is a 12-digit AWS account id.
func ValidAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func getJSON(tx Tx, bucket, id string, v any) error {
	b, err := tx.Get(bucket, id)
	if err != nil {
		return err
	}
	return unmarshalRecord(b, v)
}

// unmarshalRecord decodes a record the service wrote. The vault has already
// authenticated the bytes, so a failure here means a pkms bug or a record
// from an incompatible version, reported as an internal error.
func unmarshalRecord(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return newErr(KMSInternalException, "cannot decode a vault record")
	}
	return nil
}

func putJSON(tx Tx, bucket, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(bucket, id, b)
}

// The number of keys is kept in a counter record per region (the quota is
// per region), updated in the same transaction as every create and purge,
// so that enforcing the key quota costs one record read instead of a walk
// over every key.
type keyCounter struct {
	N int `json:"n"`
}

func (t *txn) keyCount() (int, error) {
	var c keyCounter
	err := getJSON(t, bucketConfig, t.regional("keycount"), &c)
	if errors.Is(err, ErrNoRecord) {
		return t.Count(t.regional(bucketKeys)) // a vault from before the counter existed
	}
	return c.N, err
}

func (t *txn) setKeyCount(n int) error {
	return putJSON(t, bucketConfig, t.regional("keycount"), keyCounter{N: n})
}
