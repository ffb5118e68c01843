package kms

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"time"
)

// Key last usage (GetKeyLastUsage) is bookkeeping that would turn every
// cryptographic read into a vault write. Instead, successful tracked
// operations note their key in memory, and FlushUsage writes every noted
// key in one transaction: the command line flushes once when it closes the
// vault, a server every second or so and when it stops. GetKeyLastUsage
// merges what is not yet flushed, so a process sees its own calls at once.

const bucketUsage = "usage"

// usageRecord is what the vault stores per key in bucketUsage.
type usageRecord struct {
	Operation KeyLastUsageOperation `json:"operation"`
	Time      time.Time             `json:"time"`
	RequestID string                `json:"requestId,omitempty"`
}

// usageLog holds the usage noted since the last flush, the latest per key.
type usageLog struct {
	mu      sync.Mutex
	pending map[usageKey]usageRecord
}

// usageKey names a key in its region (a multi-Region key has one id in
// several regions, each with its own usage).
type usageKey struct{ region, id string }

// noteUsage records a successful tracked operation for the key (and, for
// ReEncrypt, the source key) named in its output.
func (s *Service) noteUsage(ctx context.Context, op string, out any) {
	if o, ok := operations[op]; !ok || !o.TracksUsage {
		return
	}
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	rec := usageRecord{Operation: KeyLastUsageOperation(op), Time: s.now(), RequestID: RequestID(ctx)}
	s.usage.mu.Lock()
	defer s.usage.mu.Unlock()
	for _, field := range []string{"KeyId", "SourceKeyId"} {
		f := v.Elem().FieldByName(field)
		if !f.IsValid() || f.Kind() != reflect.String || f.String() == "" {
			continue
		}
		region := regionOfArn(f.String())
		if region == "" {
			region = s.regionFor(ctx)
		}
		id := usageKey{region, keyIDOfArn(f.String())}
		if prev, ok := s.usage.pending[id]; ok && prev.Time.After(rec.Time) {
			continue
		}
		if s.usage.pending == nil {
			s.usage.pending = map[usageKey]usageRecord{}
		}
		s.usage.pending[id] = rec
	}
}

// keyIDOfArn returns the key id of a key ARN (outputs carry ARNs).
func keyIDOfArn(arn string) string {
	if i := strings.LastIndex(arn, ":key/"); i >= 0 {
		return arn[i+len(":key/"):]
	}
	return arn
}

// pendingUsage returns the unflushed usage of one key.
func (s *Service) pendingUsage(id usageKey) (usageRecord, bool) {
	s.usage.mu.Lock()
	defer s.usage.mu.Unlock()
	r, ok := s.usage.pending[id]
	return r, ok
}

// FlushUsage writes the usage noted since the last flush in one
// transaction. It does nothing (and opens no transaction) when nothing is
// pending. On failure the usage stays pending for the next flush.
func (s *Service) FlushUsage(ctx context.Context) error {
	// The servers flush usage on every stop, lock and tick: queued audit
	// events go first (audit_queue.go).
	aerr := s.FlushAudit(ctx)
	if err := s.flushUsage(ctx); err != nil {
		return err
	}
	return aerr
}

func (s *Service) flushUsage(ctx context.Context) error {
	s.usage.mu.Lock()
	pending := s.usage.pending
	s.usage.pending = nil
	s.usage.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	err := s.update(ctx, func(t *txn) error {
		for key, rec := range pending {
			err := t.inRegion(key.region, func() error {
				id := key.id
				if _, err := t.Get(t.regional(bucketKeys), id); errors.Is(err, ErrNoRecord) {
					return nil // purged since
				} else if err != nil {
					return err
				}
				var old usageRecord
				if err := getJSON(t, t.regional(bucketUsage), id, &old); err == nil && old.Time.After(rec.Time) {
					return nil
				} else if err != nil && !errors.Is(err, ErrNoRecord) {
					return err
				}
				return putJSON(t, t.regional(bucketUsage), id, rec)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Put it back, unless newer usage arrived meanwhile.
		s.usage.mu.Lock()
		for id, rec := range pending {
			if cur, ok := s.usage.pending[id]; !ok || cur.Time.Before(rec.Time) {
				if s.usage.pending == nil {
					s.usage.pending = map[usageKey]usageRecord{}
				}
				s.usage.pending[id] = rec
			}
		}
		s.usage.mu.Unlock()
	}
	return err
}

func init() { implement("GetKeyLastUsage", (*Service).GetKeyLastUsage, readOnly, keyStates(rowAlways)) }

// GetKeyLastUsage reports the last successful cryptographic operation on a
// key, flushed or not.
func (s *Service) GetKeyLastUsage(ctx context.Context, in *GetKeyLastUsageInput) (*GetKeyLastUsageOutput, error) {
	var out *GetKeyLastUsageOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("GetKeyLastUsage", k); err != nil {
			return err
		}
		// pkms has tracked usage since its first vault format, so tracking
		// starts when the key was created.
		out = &GetKeyLastUsageOutput{KeyId: k.KeyID, TrackingStartDate: NewTimestamp(k.Created), KeyCreationDate: NewTimestamp(k.Created)}
		var rec usageRecord
		found := true
		if err := getJSON(t, t.regional(bucketUsage), k.KeyID, &rec); errors.Is(err, ErrNoRecord) {
			found = false
		} else if err != nil {
			return err
		}
		if p, ok := s.pendingUsage(usageKey{t.region, k.KeyID}); ok && (!found || p.Time.After(rec.Time)) {
			rec, found = p, true
		}
		if found {
			out.KeyLastUsage = &KeyLastUsageData{Operation: rec.Operation, Timestamp: NewTimestamp(rec.Time), KmsRequestId: rec.RequestID}
		}
		return nil
	})
	return out, err
}
