package kms

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketkms/pkms/crypto"
)

// Store is the persistence the service needs: one transaction per
// operation, read-only or read-write. The vault package provides it (see
// VaultStore); records are opaque bytes addressed by bucket and id.
type Store interface {
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
}

// Batcher is a Store that can commit concurrent writes together (group
// commit): fn runs in a read-write transaction that may also hold other
// callers' writes, and Batch returns once that transaction is durable. fn
// may run more than once (when another write in its group fails after
// writing), so it must have no effect outside the transaction other than
// setting its results anew on every run; an error of one fn never fails
// another. vault.Vault provides it through VaultStore.
type Batcher interface {
	Batch(fn func(Tx) error) error
}

// Tx is one transaction. Get returns an error matching ErrNoRecord when the
// record is absent. ForEach visits records in a stable order starting
// strictly after the opaque marker `after`; a callback returning ErrStop
// ends the walk without error.
type Tx interface {
	Get(bucket, id string) ([]byte, error)
	Put(bucket, id string, value []byte) error
	Delete(bucket, id string) error
	ForEach(bucket, after string, fn func(marker string, value []byte) error) error
	Count(bucket string) (int, error)
	// Generation identifies the committed state the transaction sees; it
	// changes with every commit, so decoded records can be reused while it
	// stays the same.
	Generation() uint64
}

// ErrNoRecord is what a Store reports for an absent record.
var ErrNoRecord = errors.New("kms: no such record")

// ErrStop ends a ForEach walk early.
var ErrStop = errors.New("kms: stop iteration")

// ErrInvalidMarker is what a Store reports for a marker it did not produce.
var ErrInvalidMarker = errors.New("kms: invalid marker")

// Options configure a Service.
type Options struct {
	// Region is where operations act unless their context names another
	// (WithRegion): its keys and aliases, and its ARNs (default us-east-1).
	Region string
	// Clock returns the current time (default time.Now); tests fix it.
	Clock func() time.Time
	// Rand supplies every random byte (default crypto/rand.Reader).
	Rand io.Reader
	// GroupCommit lets concurrent writes share one commit when the Store
	// is a Batcher: for long-lived servers (the agent, pkms serve), where
	// many clients write at once. A one-shot command has one write and
	// keeps its own transaction.
	GroupCommit bool
	// PKCS11Module is the PKCS#11 module custom key stores use when a
	// request names none (default: a search of the usual paths).
	PKCS11Module string
	// Unaudited turns the audit trail off. Only benchmarks set it, for
	// the baseline that shows what the trail costs; no command can (a
	// test holds that).
	Unaudited bool
}

// Service implements the AWS KMS operations over a Store. It is safe for
// concurrent use as long as the Store is.
type Service struct {
	mu      sync.Mutex
	account atomic.Pointer[string] // cached from the vault's config record (accountID)
	cache   recordCache
	parsed  sync.Map // material id → *crypto.PrivateKey, see signer
	usage   usageLog
	auditq  auditQueue // events waiting for a group commit (audit_queue.go)
	noAudit bool       // Options.Unaudited
	store   Store
	batch   Batcher // non-nil with Options.GroupCommit over a Batcher
	region  string
	clock   func() time.Time
	rand    io.Reader
	// keyPair makes asymmetric key pairs (crypto.GenerateKeyPair); tests
	// replace it to hold a generation open.
	keyPair func(rand io.Reader, spec string) (privPKCS8, pubSPKI []byte, err error)
	// Custom key stores: the configured module, and the logged-in token
	// sessions, kept while the service lives.
	pkcs11Module string
	tokens       tokenPool

	// rotationDue caches the earliest automatic rotation date (rotation.go).
	rotationDue rotationDueCache
}

// DefaultRegion is the region used when none is configured, as the AWS CLI
// documentation examples do.
const DefaultRegion = "us-east-1"

// ValidRegion reports whether r is a region name the AWS CLI accepts
// (botocore's validate_region_name): a DNS host label of at most 63
// letters, digits and hyphens, neither starting nor ending with a hyphen,
// and not all digits. r is part of every ARN pkms prints.
func ValidRegion(r string) bool {
	if r == "" || len(r) > 63 || r[0] == '-' || r[len(r)-1] == '-' {
		return false
	}
	digits := true
	for _, c := range []byte(r) {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
			digits = false
		default:
			return false
		}
	}
	return !digits
}

// New returns a Service over store.
func New(store Store, opts Options) *Service {
	s := &Service{store: store, region: opts.Region, clock: opts.Clock, rand: opts.Rand, keyPair: crypto.GenerateKeyPair, pkcs11Module: opts.PKCS11Module, noAudit: opts.Unaudited}
	if b, ok := store.(Batcher); ok && opts.GroupCommit {
		s.batch = b
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// Region returns the region operations act in unless their context names another.
func (s *Service) Region() string { return s.region }

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// view runs fn in a read-only transaction. When an automatic key rotation
// is due, a write transaction applies it first (see update), so that no
// operation reads a key whose rotation is overdue.
func (s *Service) view(ctx context.Context, fn func(*txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for tries := 0; ; tries++ {
		// Twice at most: a clock that moves back cannot make it loop.
		checkDue := func(t *txn) error {
			if due, err := t.rotationsDue(); err != nil || (due && tries < 2) {
				return cmp.Or(err, errRotationsDue)
			}
			return nil
		}
		err := s.viewOnce(ctx, checkDue, fn)
		if !errors.Is(err, errRotationsDue) {
			return err
		}
		// The rotations are the vault's own work, not the call's: they
		// are applied with no audit event of their own.
		if err := s.update(context.WithValue(ctx, auditCallKey{}, (*auditCall)(nil)), func(*txn) error { return nil }); err != nil {
			return err
		}
	}
}

// viewOnce runs pre and then fn in one read transaction; for a one-shot
// command's audited read-only call, in a write transaction that also
// commits the call's event (audit_queue.go).
func (s *Service) viewOnce(ctx context.Context, pre, fn func(*txn) error) error {
	run := func(t *txn) error {
		if err := pre(t); err != nil {
			return err
		}
		return fn(t)
	}
	if c := auditCallOf(ctx); c != nil && c.readOnly && s.batch == nil {
		var wrote, ran bool
		err := s.store.Update(func(tx Tx) error {
			ran = true
			t, err := s.begin(ctx, tx, false)
			if err != nil {
				return err
			}
			if err := run(t); err != nil {
				return err
			}
			wrote, err = c.auditInTxn(t)
			return err
		})
		if err == nil && wrote {
			c.markWritten()
		}
		if ran || !notWritable(err) {
			return err
		}
		c.markWritten() // a vault pkms may not write is read unrecorded
	}
	return s.store.View(func(tx Tx) error {
		t, err := s.begin(ctx, tx, false)
		if err != nil {
			return err
		}
		return run(t)
	})
}

// update runs fn in a read-write transaction, after applying time-driven
// state (expired deletion windows, due key rotations) so that every write
// sees a current vault. The call's audit event commits in the same
// transaction as its change.
// With group commit the transaction may be shared and fn run more than once
// (see Batcher): fn changes nothing but the transaction and its results.
// Slow work that needs no vault state (generating key material, unwrapping
// imported material) belongs before update, so that it never holds the
// vault's write lock.
func (s *Service) update(ctx context.Context, fn func(*txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	run := s.store.Update
	if s.batch != nil {
		run = s.batch.Batch
	}
	var purged []purgedTokenKey // set again if a group commit runs fn again
	c := auditCallOf(ctx)       // audit: the call's event commits with its change
	var wrote bool
	err := run(func(tx Tx) error {
		t, err := s.begin(ctx, tx, true)
		if err != nil {
			return err
		}
		call := t.audit
		t.audit = nil // keys purged or rotated on the way are not the call's resources
		if err := t.purgeExpired(); err != nil {
			return err
		}
		if err := t.applyDueRotations(); err != nil {
			return err
		}
		t.audit = call
		purged = t.purgedTokenKeys
		if err := fn(t); err != nil {
			return err
		}
		wrote, err = c.auditInTxn(t)
		return err
	})
	if err == nil {
		s.destroyTokenKeys(purged)
		if wrote {
			c.markWritten()
		}
	}
	return err
}

// Counts returns how many keys and aliases the vault holds in all regions
// (keys pending deletion included until they are purged).
func (s *Service) Counts() (keys, aliases int, err error) {
	err = s.view(context.Background(), func(t *txn) error {
		return t.eachRegion(func() error {
			k, err := t.Count(t.regional(bucketKeys))
			if err != nil {
				return err
			}
			a, err := t.Count(t.regional(bucketAliases))
			keys, aliases = keys+k, aliases+a
			return err
		})
	})
	return keys, aliases, err
}

// Close ends the token sessions of custom key stores that the service
// opened (it logs out of the tokens) and commits the queued audit events.
// The service stays usable: a later operation opens a session again.
func (s *Service) Close() error {
	s.tokens.closeAll()
	return s.FlushAudit(context.Background())
}
