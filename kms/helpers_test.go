package kms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/pocketkms/pkms/crypto"
)

// Shared setup for the kms tests: a service over an in-memory store with a
// fixed account, a clock the test advances by hand and a deterministic
// random source, plus small assertion helpers.

const testAccount = "111122223333"

// testEpoch is where every test clock starts: the CreationDate of the
// recorded AWS responses the output tests compare with
// (1763796691.242 = 2025-11-22T07:31:31.242Z).
var testEpoch = time.UnixMilli(1763796691242).UTC()

var (
	uuidV4Pattern     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	materialIDPattern = regexp.MustCompile(`^[a-f0-9]{64}$`)
)

// fakeClock is a clock that moves only when the test says so.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testEnv is one vault and one service over it.
type testEnv struct {
	t     *testing.T
	ctx   context.Context
	store *memStore
	svc   *Service
	clock *fakeClock
	reg   string // the region of ctx, when not the service's
}

// inRegion returns the environment making its requests in region, as
// --region or a request's signing region does.
func (e *testEnv) inRegion(region string) *testEnv {
	c := *e
	c.ctx, c.reg = WithRegion(e.ctx, region), region
	return &c
}

// region is the region the environment's requests use.
func (e *testEnv) region() string {
	if e.reg != "" {
		return e.reg
	}
	return e.svc.Region()
}

type envOption func(*Options)

func withRegion(region string) envOption { return func(o *Options) { o.Region = region } }

// withSystemRand uses the service's default random source (crypto/rand),
// which, unlike the deterministic one, is safe for concurrent use.
func withSystemRand() envOption { return func(o *Options) { o.Rand = nil } }

// withoutGroupCommit gives each write its own transaction, run once.
func withoutGroupCommit() envOption { return func(o *Options) { o.GroupCommit = false } }

func newEnv(t *testing.T, opts ...envOption) *testEnv {
	t.Helper()
	return newEnvForAccount(t, testAccount, opts...)
}

func newEnvForAccount(t *testing.T, account string, opts ...envOption) *testEnv {
	t.Helper()
	st := newMemStore()
	if _, err := Initialize(st, account); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: testEpoch}
	o := Options{Clock: clock.Now, Rand: rand.NewChaCha8([32]byte{'p', 'k', 'm', 's'}), GroupCommit: true}
	for _, f := range opts {
		f(&o)
	}
	return &testEnv{t: t, ctx: context.Background(), store: st, svc: New(&retryingStore{memStore: st}, o), clock: clock}
}

// in returns the environment reporting to t (for subtests sharing a vault).
func (e *testEnv) in(t *testing.T) *testEnv {
	c := *e
	c.t = t
	return &c
}

// call invokes an operation the way the CLI and the wire server do.
func (e *testEnv) call(op string, in any) (any, error) {
	return e.svc.Invoke(e.ctx, op, in)
}

// invokeOK invokes op, fails the test on any error and returns the typed output.
func invokeOK[O any](e *testEnv, op string, in any) *O {
	e.t.Helper()
	out, err := e.call(op, in)
	if err != nil {
		e.t.Fatalf("%s: unexpected error: %v", op, err)
	}
	o, ok := out.(*O)
	if !ok {
		e.t.Fatalf("%s returned %T", op, out)
	}
	return o
}

func (e *testEnv) keyArn(id string) string {
	return "arn:aws:kms:" + e.region() + ":" + testAccount + ":key/" + id
}

func (e *testEnv) aliasArn(name string) string {
	return "arn:aws:kms:" + e.region() + ":" + testAccount + ":" + name
}

func (e *testEnv) createKey(in *CreateKeyInput) *KeyMetadata {
	e.t.Helper()
	return invokeOK[CreateKeyOutput](e, "CreateKey", in).KeyMetadata
}

// newKey creates a default symmetric key and returns its id.
func (e *testEnv) newKey() string {
	e.t.Helper()
	return e.createKey(&CreateKeyInput{}).KeyId
}

// newExternalKey creates a key without material (PendingImport).
func (e *testEnv) newExternalKey() string {
	e.t.Helper()
	return e.createKey(&CreateKeyInput{Origin: OriginExternal}).KeyId
}

func (e *testEnv) describe(ref string) *KeyMetadata {
	e.t.Helper()
	return invokeOK[DescribeKeyOutput](e, "DescribeKey", &DescribeKeyInput{KeyId: ref}).KeyMetadata
}

func (e *testEnv) createAlias(name, target string) {
	e.t.Helper()
	invokeOK[CreateAliasOutput](e, "CreateAlias", &CreateAliasInput{AliasName: name, TargetKeyId: target})
}

func (e *testEnv) encrypt(ref string, plaintext []byte, encCtx map[string]string) *EncryptOutput {
	e.t.Helper()
	return invokeOK[EncryptOutput](e, "Encrypt", &EncryptInput{KeyId: ref, Plaintext: plaintext, EncryptionContext: encCtx})
}

// putState drives a key from Enabled into state with the AWS operation
// that leads there.
func (e *testEnv) putState(id string, state KeyState) {
	e.t.Helper()
	switch state {
	case KeyStateEnabled, KeyStatePendingImport:
	case KeyStateDisabled:
		invokeOK[DisableKeyOutput](e, "DisableKey", &DisableKeyInput{KeyId: id})
	case KeyStatePendingDeletion:
		invokeOK[ScheduleKeyDeletionOutput](e, "ScheduleKeyDeletion", &ScheduleKeyDeletionInput{KeyId: id})
	default:
		e.t.Fatalf("no operation reaches state %s", state)
	}
	if got := e.describe(id).KeyState; got != state {
		e.t.Fatalf("key %s is %s, want %s", id, got, state)
	}
}

// listAliases returns every alias (all pages).
func (e *testEnv) listAliases(keyID string) []AliasListEntry {
	e.t.Helper()
	var all []AliasListEntry
	for _, page := range paginate(e.t, 0, func(marker string) ([]AliasListEntry, string, bool, error) {
		out, err := e.call("ListAliases", &ListAliasesInput{KeyId: keyID, Marker: marker})
		if err != nil {
			return nil, "", false, err
		}
		o := out.(*ListAliasesOutput)
		return o.Aliases, o.NextMarker, deref(o.Truncated), nil
	}) {
		all = append(all, page...)
	}
	return all
}

func (e *testEnv) aliasNames(keyID string) []string {
	e.t.Helper()
	var names []string
	for _, a := range e.listAliases(keyID) {
		names = append(names, a.AliasName)
	}
	return names
}

// listKeyIDs returns the ids ListKeys reports (all pages).
func (e *testEnv) listKeyIDs() []string {
	e.t.Helper()
	var ids []string
	for _, page := range paginate(e.t, 0, func(marker string) ([]KeyListEntry, string, bool, error) {
		out, err := e.call("ListKeys", &ListKeysInput{Marker: marker})
		if err != nil {
			return nil, "", false, err
		}
		o := out.(*ListKeysOutput)
		return o.Keys, o.NextMarker, deref(o.Truncated), nil
	}) {
		for _, k := range page {
			ids = append(ids, k.KeyId)
		}
	}
	return ids
}

// stored reports whether the vault holds a record, looking at the memory
// store directly rather than through the service.
func (e *testEnv) stored(bucket, id string) bool {
	e.store.mu.RLock()
	defer e.store.mu.RUnlock()
	_, ok := e.store.data[bucket][id]
	return ok
}

// paginate walks a paginated list operation from the first page. It checks
// the AWS paging contract on every page: at most limit items (limit 0: not
// checked), NextMarker present exactly when Truncated, and no empty page
// except a sole one. It returns the pages.
func paginate[T any](t *testing.T, limit int, fetch func(marker string) (items []T, next string, truncated bool, err error)) [][]T {
	t.Helper()
	var pages [][]T
	marker := ""
	for range 1000 {
		items, next, truncated, err := fetch(marker)
		if err != nil {
			t.Fatalf("page %d (marker %q): %v", len(pages)+1, marker, err)
		}
		if limit > 0 && len(items) > limit {
			t.Errorf("page %d has %d items, limit %d", len(pages)+1, len(items), limit)
		}
		if truncated != (next != "") {
			t.Errorf("page %d: Truncated=%v but NextMarker=%q", len(pages)+1, truncated, next)
		}
		if len(items) == 0 && (truncated || len(pages) > 0) {
			t.Errorf("page %d is empty", len(pages)+1)
		}
		pages = append(pages, items)
		if !truncated || next == "" {
			return pages
		}
		marker = next
	}
	t.Fatal("pagination does not end")
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func errMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// wantErr checks an error's AWS code and exact message.
func wantErr(t *testing.T, err error, code ErrorCode, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("got success, want %s: %q", code, msg)
		return
	}
	if CodeOf(err) != code || errMessage(err) != msg {
		t.Errorf("got %s: %q\nwant %s: %q", CodeOf(err), errMessage(err), code, msg)
	}
}

// wantCode checks only an error's AWS code.
func wantCode(t *testing.T, err error, code ErrorCode) {
	t.Helper()
	if err == nil {
		t.Errorf("got success, want %s", code)
		return
	}
	if CodeOf(err) != code {
		t.Errorf("got %v, want %s", err, code)
	}
}

// validationMsg is AWS's message for one failed model constraint.
func validationMsg(format string, args ...any) string {
	return "1 validation error detected: " + fmt.Sprintf(format, args...)
}

// blobNamingKey forges a well-formed ciphertext blob that names keyID,
// sealed with throw-away material: what a caller holds for a key that has
// no material in this vault (PendingImport) or lost it.
func blobNamingKey(t *testing.T, keyID string) []byte {
	t.Helper()
	var materialID [crypto.MaterialIDSize]byte
	materialID[0] = 0x5a
	r := rand.NewChaCha8([32]byte{'f', 'o', 'r', 'g', 'e'})
	b, err := crypto.EncryptBlob(r, make([]byte, crypto.KeySize), keyID, materialID, []byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cliJSON renders an output as the AWS CLI's --output json does (4-space
// indent, members in model order).
func cliJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
