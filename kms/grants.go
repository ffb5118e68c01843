package kms

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Grants. A grant lets one principal call a list of operations on one key.
// pkms records grants and lists them faithfully (CreateGrant, ListGrants,
// ListRetirableGrants, RetireGrant, RevokeGrant) and checks every grant
// token a request carries; it does not yet enforce grants, which belongs
// with key-policy evaluation in pkms serve.
//
// Storage: one record per grant in the grants bucket (record id: the grant
// id), and an index bucket holding, per key, an entry with the number of
// its grants (so the 50,000 quota costs one read) and the ids of its
// grants, the Name index that makes CreateGrant idempotent (key id + name
// + a digest of the other parameters → grant id), and the vault's
// grant-token key. The grants bucket's record ids are opaque, so it cannot
// be read one key at a time: ListGrants reads the key's ids from the index
// and then only that key's grant records.

func init() {
	implement("CreateGrant", (*Service).CreateGrant, writes, keyStates(stateRow{allow, failDisabled, failPendingDel, failPendingImp, allow, failCreating, allow}))
	implement("ListGrants", (*Service).ListGrants, readOnly, keyStates(rowAlways))
	implement("ListRetirableGrants", (*Service).ListRetirableGrants, readOnly, noKey)
	implement("RetireGrant", (*Service).RetireGrant, writes, keyStates(rowAlways))
	implement("RevokeGrant", (*Service).RevokeGrant, writes, keyStates(rowAlways))
}

const (
	bucketGrants     = "grants"     // grant id → grantRecord; regional, as keys are
	bucketGrantIndex = "grantindex" // counters, the Name index, the token key
)

// maxGrantsPerKey is AWS's quota of grants per key (a variable so that
// tests can reach it without 50,000 writes).
var maxGrantsPerKey = 50000

// maxGrantTokens is the most grant tokens a request may carry.
const maxGrantTokens = 10

// Grant constraint limits: encryption context pairs per constraint, and the
// length of each value.
const (
	maxConstraintPairs = 8
	maxConstraintValue = 384
)

// grantRecord is what the vault stores for one grant.
type grantRecord struct {
	GrantID     string            `json:"id"`
	KeyID       string            `json:"key"`
	Name        string            `json:"name,omitempty"`
	Created     time.Time         `json:"created"`
	Grantee     string            `json:"grantee"`
	Retiring    string            `json:"retiring,omitempty"`
	Issuing     string            `json:"issuing"` // account id
	Operations  []GrantOperation  `json:"ops"`
	Constraints *GrantConstraints `json:"constraints,omitempty"`
}

// entry is the grant as ListGrants and ListRetirableGrants show it.
func (t *txn) grantEntry(r *grantRecord) GrantListEntry {
	return GrantListEntry{KeyId: t.keyArn(r.KeyID), GrantId: r.GrantID, Name: r.Name,
		CreationDate: NewTimestamp(r.Created), GranteePrincipal: r.Grantee, RetiringPrincipal: r.Retiring,
		IssuingAccount: "arn:aws:iam::" + r.Issuing + ":root", Operations: r.Operations, Constraints: r.Constraints}
}

// Index record ids.
func grantCountID(keyID string) string { return "count\x00" + keyID }
func grantNameID(r *grantRecord) string {
	return "name\x00" + r.KeyID + "\x00" + r.Name + "\x00" + grantFingerprint(r)
}

const grantTokenKeyID = "tokenkey"

// grantFingerprint digests the parameters that, with the key and the name,
// make two CreateGrant requests "the same request": the principals, the
// set of operations and the constraints. A request with the same name but
// other parameters makes a new grant.
func grantFingerprint(r *grantRecord) string {
	ops := slices.Clone(r.Operations)
	slices.Sort(ops)
	b, _ := json.Marshal(struct {
		G, R string
		O    []GrantOperation
		C    *GrantConstraints
	}{r.Grantee, r.Retiring, slices.Compact(ops), r.Constraints})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// grantIndex is a key's entry in the grant index: the number of its
// grants, and which of the 256 shards of its id list (by the first byte of
// the grant id) hold ids. A shard is one record of sorted ids, so adding or
// removing a grant rewrites at most 1/256 of a key's list, and listing a
// key with few grants reads few records. A key whose grants were made
// before the lists existed has only N (Listed false); its list is made
// from the grants bucket the first time one of its grants changes, and
// until then listing walks the bucket as it did.
type grantIndex struct {
	N      int    `json:"n"`
	Listed bool   `json:"listed,omitempty"`
	Shards []byte `json:"shards,omitempty"` // a bit per shard that holds ids
}

// grantShard is one shard of a key's grant ids, sorted.
type grantShard struct {
	IDs []string `json:"ids"`
}

const grantShards = 256

func grantShardID(keyID string, shard int) string {
	return "ids\x00" + keyID + "\x00" + hex.EncodeToString([]byte{byte(shard)})
}

// grantShardOf is the shard of a grant id: its first byte.
func grantShardOf(grantID string) int {
	if len(grantID) < 2 {
		return 0
	}
	b, err := hex.DecodeString(grantID[:2])
	if err != nil {
		return 0
	}
	return int(b[0])
}

func (x *grantIndex) has(shard int) bool {
	return len(x.Shards) == grantShards/8 && x.Shards[shard/8]&(1<<(shard%8)) != 0
}

func (x *grantIndex) mark(shard int, on bool) {
	if len(x.Shards) != grantShards/8 {
		x.Shards = make([]byte, grantShards/8)
	}
	if on {
		x.Shards[shard/8] |= 1 << (shard % 8)
	} else {
		x.Shards[shard/8] &^= 1 << (shard % 8)
	}
}

type grantName struct {
	GrantID string `json:"id"`
}

type grantTokenKey struct {
	Key []byte `json:"key"`
}

// grantIndexOf reads the index entry of key keyID; a key without one has
// no grants.
func (t *txn) grantIndexOf(keyID string) (*grantIndex, error) {
	var x grantIndex
	err := getJSON(t, t.regional(bucketGrantIndex), grantCountID(keyID), &x)
	if errors.Is(err, ErrNoRecord) || err == nil && x.N <= 0 {
		return &grantIndex{Listed: true}, nil
	}
	if err != nil {
		return nil, err
	}
	return &x, nil
}

func (t *txn) grantCount(keyID string) (int, error) {
	x, err := t.grantIndexOf(keyID)
	if err != nil {
		return 0, err
	}
	return x.N, nil
}

func (t *txn) grantShard(keyID string, shard int) (*grantShard, error) {
	var sh grantShard
	if err := getJSON(t, t.regional(bucketGrantIndex), grantShardID(keyID, shard), &sh); err != nil && !errors.Is(err, ErrNoRecord) {
		return nil, err
	}
	return &sh, nil
}

// putGrantShard stores a shard of keyID's ids, or deletes an empty one,
// and marks it in x.
func (t *txn) putGrantShard(keyID string, x *grantIndex, shard int, ids []string) error {
	x.mark(shard, len(ids) > 0)
	if len(ids) == 0 {
		return t.Delete(t.regional(bucketGrantIndex), grantShardID(keyID, shard))
	}
	return putJSON(t, t.regional(bucketGrantIndex), grantShardID(keyID, shard), grantShard{IDs: ids})
}

// putGrantIndex stores a key's index entry, or deletes it when the key has
// no grants left (its shards are empty, so gone, by then).
func (t *txn) putGrantIndex(keyID string, x *grantIndex) error {
	if x.N <= 0 {
		return t.Delete(t.regional(bucketGrantIndex), grantCountID(keyID))
	}
	return putJSON(t, t.regional(bucketGrantIndex), grantCountID(keyID), x)
}

// walkKeyGrants finds the grants of keyID by reading the whole grants
// bucket, sorted by grant id: for a key whose index entry has no list.
func (t *txn) walkKeyGrants(keyID string) ([]*grantRecord, error) {
	var rs []*grantRecord
	err := t.eachGrant("", func(_ string, r *grantRecord) error {
		if r.KeyID == keyID {
			rs = append(rs, r)
		}
		return nil
	})
	slices.SortFunc(rs, func(a, b *grantRecord) int { return strings.Compare(a.GrantID, b.GrantID) })
	return rs, err
}

// listGrantIndex makes the id list of a key indexed before the lists
// existed, from the grants bucket.
func (t *txn) listGrantIndex(keyID string, x *grantIndex) error {
	rs, err := t.walkKeyGrants(keyID)
	if err != nil {
		return err
	}
	shards := map[int][]string{}
	for _, r := range rs {
		s := grantShardOf(r.GrantID)
		shards[s] = append(shards[s], r.GrantID)
	}
	x.N, x.Listed = len(rs), true
	for s, ids := range shards {
		if err := t.putGrantShard(keyID, x, s, ids); err != nil {
			return err
		}
	}
	return nil
}

// indexGrant adds the grant r (add true) to its key's index entry, or
// removes it; r's record is already stored, or already deleted.
func (t *txn) indexGrant(r *grantRecord, add bool) error {
	x, err := t.grantIndexOf(r.KeyID)
	if err != nil {
		return err
	}
	if !x.Listed {
		if err := t.listGrantIndex(r.KeyID, x); err != nil {
			return err
		}
	}
	s := grantShardOf(r.GrantID)
	sh, err := t.grantShard(r.KeyID, s)
	if err != nil {
		return err
	}
	i, found := slices.BinarySearch(sh.IDs, r.GrantID)
	switch {
	case add && !found:
		sh.IDs = slices.Insert(sh.IDs, i, r.GrantID)
		x.N++
	case !add && found:
		sh.IDs = slices.Delete(sh.IDs, i, i+1)
		x.N--
	}
	if err := t.putGrantShard(r.KeyID, x, s, sh.IDs); err != nil {
		return err
	}
	return t.putGrantIndex(r.KeyID, x)
}

// dropGrantIndex deletes the index entry of keyID and its id list.
func (t *txn) dropGrantIndex(keyID string) error {
	x, err := t.grantIndexOf(keyID)
	if err != nil {
		return err
	}
	for s := range grantShards {
		if x.has(s) {
			if err := t.Delete(t.regional(bucketGrantIndex), grantShardID(keyID, s)); err != nil {
				return err
			}
		}
	}
	return t.Delete(t.regional(bucketGrantIndex), grantCountID(keyID))
}

// eachKeyGrant visits the grants of keyID in grant id order, from the
// first id after after ("" for the first), reading only that key's
// records; fn ends the walk with ErrStop.
func (t *txn) eachKeyGrant(keyID, after string, fn func(r *grantRecord) error) error {
	x, err := t.grantIndexOf(keyID)
	if err != nil {
		return err
	}
	if !x.Listed {
		rs, err := t.walkKeyGrants(keyID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.GrantID <= after {
				continue
			}
			if err := fn(r); err != nil {
				return ignoreStop(err)
			}
		}
		return nil
	}
	start := 0
	if after != "" {
		start = grantShardOf(after)
	}
	for s := start; s < grantShards; s++ {
		if !x.has(s) {
			continue
		}
		sh, err := t.grantShard(keyID, s)
		if err != nil {
			return err
		}
		i, found := slices.BinarySearch(sh.IDs, after)
		if found {
			i++
		}
		for _, id := range sh.IDs[i:] {
			r, err := t.loadGrant(keyID, id)
			if err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return ignoreStop(err)
			}
		}
	}
	return nil
}

func ignoreStop(err error) error {
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// loadGrant returns a grant of the key keyID ("" for any key), or
// NotFoundException.
func (t *txn) loadGrant(keyID, grantID string) (*grantRecord, error) {
	var r grantRecord
	err := getJSON(t, t.regional(bucketGrants), grantID, &r)
	if errors.Is(err, ErrNoRecord) || err == nil && keyID != "" && r.KeyID != keyID {
		return nil, newErr(NotFoundException, "Grant ID %s not found", grantID)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// deleteGrant removes a grant and its index entries.
func (t *txn) deleteGrant(r *grantRecord) error {
	if err := t.Delete(t.regional(bucketGrants), r.GrantID); err != nil {
		return err
	}
	if r.Name != "" {
		if err := t.Delete(t.regional(bucketGrantIndex), grantNameID(r)); err != nil {
			return err
		}
	}
	return t.indexGrant(r, false)
}

// purgeGrants removes every grant of the keys in doomed, which are being
// purged in this transaction.
func (t *txn) purgeGrants(doomed map[string]bool) error {
	var gone []*grantRecord
	err := t.eachGrant("", func(_ string, r *grantRecord) error {
		if doomed[r.KeyID] {
			gone = append(gone, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range gone {
		if err := t.Delete(t.regional(bucketGrants), r.GrantID); err != nil {
			return err
		}
		if r.Name != "" {
			if err := t.Delete(t.regional(bucketGrantIndex), grantNameID(r)); err != nil {
				return err
			}
		}
	}
	for id := range doomed {
		if err := t.dropGrantIndex(id); err != nil {
			return err
		}
	}
	return nil
}

// eachGrant visits the grant records from marker on.
func (t *txn) eachGrant(marker string, fn func(m string, r *grantRecord) error) error {
	return t.ForEach(t.regional(bucketGrants), marker, func(m string, v []byte) error {
		var r grantRecord
		if err := unmarshalRecord(v, &r); err != nil {
			return err
		}
		return fn(m, &r)
	})
}

// Grant ids are 32 random bytes in hex, the form AWS's take.
func validGrantID(id string) bool { return len(id) == 64 && isHex(id) }

func checkGrantID(id string) error {
	if !validGrantID(id) {
		return newErr(InvalidGrantIDException, "Invalid grantId '%s'", id)
	}
	return nil
}

// Grant tokens. A token is the unpadded base64url encoding of
//
//	0x01 | grant id (32 bytes) | nonce (16 bytes) | tag (16 bytes)
//
// where tag is HMAC-SHA-256, truncated to 16 bytes, under the vault's
// grant-token key (32 random bytes made with the first grant, kept sealed
// in the grant index) over "pkms grant token v1", the version byte, the
// grant id and the nonce. The nonce makes every CreateGrant answer a new
// token, even when an idempotent Name returns an existing grant; the tag
// means only this vault can make a token it accepts. A token stays valid
// after its grant is retired (the grant, not the token, is what is gone).
const (
	grantTokenVersion = 1
	grantTokenNonce   = 16
	grantTokenTag     = 16
	grantTokenLen     = 1 + 32 + grantTokenNonce + grantTokenTag
)

func grantTokenMAC(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("pkms grant token v1"))
	m.Write(body)
	return m.Sum(nil)[:grantTokenTag]
}

func makeGrantToken(key []byte, grantID string, nonce []byte) string {
	id, _ := hex.DecodeString(grantID)
	body := append(append([]byte{grantTokenVersion}, id...), nonce...)
	return base64.RawURLEncoding.EncodeToString(append(body, grantTokenMAC(key, body)...))
}

// parseGrantToken returns the grant id a token names, if the token was made
// under key. A token has one spelling: the decoder's tolerance (line breaks,
// unused low bits) is refused.
func parseGrantToken(key []byte, token string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != token || len(b) != grantTokenLen || b[0] != grantTokenVersion || len(key) == 0 {
		return "", false
	}
	body, tag := b[:len(b)-grantTokenTag], b[len(b)-grantTokenTag:]
	if !hmac.Equal(tag, grantTokenMAC(key, body)) {
		return "", false
	}
	return hex.EncodeToString(body[1:33]), true
}

func invalidGrantToken() error {
	return newErr(InvalidGrantTokenException, "Invalid grant token")
}

// tokenKey returns the vault's grant-token key. If there is none yet, a
// write transaction stores fresh (when given) and returns it; otherwise the
// result is nil and no token is valid. The caller clears the result.
func (t *txn) tokenKey(fresh []byte) ([]byte, error) {
	var k grantTokenKey
	err := getJSON(t, t.regional(bucketGrantIndex), grantTokenKeyID, &k)
	if err == nil {
		return k.Key, nil
	}
	if !errors.Is(err, ErrNoRecord) || fresh == nil || !t.writable {
		return nil, ignoreNoRecord(err)
	}
	if err := putJSON(t, t.regional(bucketGrantIndex), grantTokenKeyID, grantTokenKey{Key: fresh}); err != nil {
		return nil, err
	}
	return slices.Clone(fresh), nil
}

func ignoreNoRecord(err error) error {
	if errors.Is(err, ErrNoRecord) {
		return nil
	}
	return err
}

// grantTokensOf returns the GrantTokens member of an operation's input, if
// it has one.
func grantTokensOf(in any) []string {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("GrantTokens")
	if !f.IsValid() {
		return nil
	}
	tokens, _ := f.Interface().([]string)
	return tokens
}

// checkGrantTokens is the one check of the GrantTokens every operation that
// takes them carries: at most ten, each made by this vault. Invoke runs it
// before the operation.
func (s *Service) checkGrantTokens(ctx context.Context, in any) error {
	tokens := grantTokensOf(in)
	if len(tokens) == 0 {
		return nil
	}
	if len(tokens) > maxGrantTokens {
		return validationErr("["+strings.Join(tokens, ", ")+"]", "grantTokens", "Member must have length less than or equal to 10")
	}
	return s.view(ctx, func(t *txn) error {
		key, err := t.tokenKey(nil)
		if err != nil {
			return err
		}
		defer clear(key)
		for _, tok := range tokens {
			if _, ok := parseGrantToken(key, tok); !ok {
				return invalidGrantToken()
			}
		}
		return nil
	})
}

// Principals. A grantee is an AWS account (its root), an IAM user or role,
// an assumed-role session or a federated user, named by ARN; a service
// principal, an IAM group or an organization cannot be one. A retiring
// principal may also be a service principal (AWS services retire the grants
// they create). The patterns are compiled on first use: only grant
// operations check principals, and compiling them at package initialisation
// cost every pkms process about 0.1 ms and 330 allocations.
var principalPatterns = sync.OnceValues(func() (arn, service *regexp.Regexp) {
	return regexp.MustCompile(`^arn:aws(-[a-z]+)*:(iam::\d{12}:(root|user/.+|role/.+)|sts::\d{12}:(assumed-role/[^/]+/.+|federated-user/.+))$`),
		regexp.MustCompile(`^([a-z0-9-]+\.)+amazonaws\.com(\.cn)?$`)
})

func checkPrincipal(p string, service bool) error {
	principalARN, servicePrincipal := principalPatterns()
	if principalARN.MatchString(p) || service && servicePrincipal.MatchString(p) {
		return nil
	}
	return newErr(InvalidArnException, "ARN does not refer to a valid principal: %s", p)
}

// Grant operations by key type: what a grant on such a key may allow.
var (
	grantOpsAlways    = []GrantOperation{GrantOperationCreateGrant, GrantOperationRetireGrant, GrantOperationDescribeKey}
	grantOpsSymmetric = []GrantOperation{GrantOperationDecrypt, GrantOperationEncrypt, GrantOperationGenerateDataKey,
		GrantOperationGenerateDataKeyWithoutPlaintext, GrantOperationGenerateDataKeyPair,
		GrantOperationGenerateDataKeyPairWithoutPlaintext, GrantOperationReEncryptFrom, GrantOperationReEncryptTo}
	grantOpsByUsage = map[KeyUsage][]GrantOperation{
		KeyUsageEncryptDecrypt: {GrantOperationDecrypt, GrantOperationEncrypt, GrantOperationReEncryptFrom,
			GrantOperationReEncryptTo, GrantOperationGetPublicKey},
		KeyUsageSignVerify:        {GrantOperationSign, GrantOperationVerify, GrantOperationGetPublicKey},
		KeyUsageGenerateVerifyMac: {GrantOperationGenerateMac, GrantOperationVerifyMac},
		KeyUsageKeyAgreement:      {GrantOperationDeriveSharedSecret, GrantOperationGetPublicKey},
	}
	// grantOpsWithContext take an encryption context (or, for the last
	// three, allow a constraint that is ignored): the only operations a
	// constrained grant may allow.
	grantOpsWithContext = append(slices.Clone(grantOpsSymmetric), grantOpsAlways...)
)

func grantOpAllowed(k *keyRecord, op GrantOperation) bool {
	if slices.Contains(grantOpsAlways, op) {
		return true
	}
	if k.Spec == KeySpecSymmetricDefault {
		return slices.Contains(grantOpsSymmetric, op)
	}
	return slices.Contains(grantOpsByUsage[k.Usage], op)
}

// checkGrantRequest applies the rules of a grant's operations and
// constraints to the key it is for.
func checkGrantRequest(k *keyRecord, arn string, ops []GrantOperation, c *GrantConstraints) error {
	for _, op := range ops {
		if !grantOpAllowed(k, op) {
			return newErr(ValidationException, "Grant operation %s is not valid for %s: its key spec is %s and its key usage %s", op, arn, k.Spec, k.Usage)
		}
	}
	if c == nil {
		return nil
	}
	for name, ctx := range map[string]map[string]string{"EncryptionContextSubset": c.EncryptionContextSubset, "EncryptionContextEquals": c.EncryptionContextEquals} {
		if len(ctx) > maxConstraintPairs {
			return newErr(ValidationException, "%s has %d pairs; a grant constraint holds at most %d", name, len(ctx), maxConstraintPairs)
		}
		for key, v := range ctx {
			if len(v) > maxConstraintValue {
				return newErr(ValidationException, "The value of %s in %s is longer than %d characters", key, name, maxConstraintValue)
			}
		}
	}
	if k.Spec != KeySpecSymmetricDefault {
		return newErr(ValidationException, "Grant constraints are valid only for symmetric encryption keys; %s is a %s key", arn, k.Spec)
	}
	for _, op := range ops {
		if !slices.Contains(grantOpsWithContext, op) {
			return newErr(ValidationException, "Grant constraints are valid only for operations that take an encryption context; %s does not", op)
		}
	}
	return nil
}

// CreateGrant adds a grant to a key. With a Name, the same request again
// returns the existing grant's id (and a new token) instead of a second
// grant; the same Name with other parameters makes a new grant.
func (s *Service) CreateGrant(ctx context.Context, in *CreateGrantInput) (*CreateGrantOutput, error) {
	if err := checkPrincipal(in.GranteePrincipal, false); err != nil {
		return nil, err
	}
	if in.RetiringPrincipal != "" {
		if err := checkPrincipal(in.RetiringPrincipal, true); err != nil {
			return nil, err
		}
	}
	constraints := in.Constraints
	if constraints != nil && len(constraints.EncryptionContextSubset) == 0 && len(constraints.EncryptionContextEquals) == 0 {
		constraints = nil
	}
	// Randomness first: the transaction may run more than once.
	random := make([]byte, 32+grantTokenNonce+32)
	if _, err := io.ReadFull(s.rand, random); err != nil {
		return nil, err
	}
	defer clear(random)
	grantID := hex.EncodeToString(random[:32])
	nonce, freshKey := random[32:32+grantTokenNonce], random[32+grantTokenNonce:]

	var out *CreateGrantOutput
	err := s.update(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("CreateGrant", k); err != nil {
			return err
		}
		arn := t.keyArn(k.KeyID)
		if err := checkGrantRequest(k, arn, in.Operations, constraints); err != nil {
			return err
		}
		r := &grantRecord{GrantID: grantID, KeyID: k.KeyID, Name: in.Name, Created: t.now,
			Grantee: in.GranteePrincipal, Retiring: in.RetiringPrincipal, Issuing: t.account,
			Operations: slices.Clone(in.Operations), Constraints: constraints}
		existing := ""
		if r.Name != "" {
			var n grantName
			err := getJSON(t, t.regional(bucketGrantIndex), grantNameID(r), &n)
			if err == nil {
				existing = n.GrantID
			} else if !errors.Is(err, ErrNoRecord) {
				return err
			}
		}
		if existing == "" {
			n, err := t.grantCount(k.KeyID)
			if err != nil {
				return err
			}
			if n >= maxGrantsPerKey {
				return newErr(LimitExceededException, "Key %s already has %d grants, the maximum; retire or revoke grants to make room", arn, maxGrantsPerKey)
			}
			if err := dryRunErr(in.DryRun); err != nil {
				return err
			}
			if err := putJSON(t, t.regional(bucketGrants), r.GrantID, r); err != nil {
				return err
			}
			if r.Name != "" {
				if err := putJSON(t, t.regional(bucketGrantIndex), grantNameID(r), grantName{GrantID: r.GrantID}); err != nil {
					return err
				}
			}
			if err := t.indexGrant(r, true); err != nil {
				return err
			}
		} else {
			if err := dryRunErr(in.DryRun); err != nil {
				return err
			}
			r.GrantID = existing
		}
		key, err := t.tokenKey(freshKey)
		if err != nil {
			return err
		}
		defer clear(key)
		out = &CreateGrantOutput{GrantToken: makeGrantToken(key, r.GrantID, nonce), GrantId: r.GrantID}
		return nil
	})
	return out, err
}

// ListGrants lists the grants of one key, optionally only the one with a
// grant id or those of one grantee, at most 100 a page (default 50), in
// grant id order. It reads that key's grants only, through the index; its
// marker is the last grant id of the page before.
func (s *Service) ListGrants(ctx context.Context, in *ListGrantsInput) (*ListGrantsOutput, error) {
	if in.GrantId != "" {
		if err := checkGrantID(in.GrantId); err != nil {
			return nil, err
		}
	}
	if in.Marker != "" && !validGrantID(in.Marker) {
		return nil, errInvalidMarker(in.Marker)
	}
	var out *ListGrantsOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("ListGrants", k); err != nil {
			return err
		}
		n := limit(in.Limit, 50, 100)
		items, next, truncated := []GrantListEntry{}, "", false
		add := func(r *grantRecord) error {
			if in.GranteePrincipal != "" && r.Grantee != in.GranteePrincipal {
				return nil
			}
			if len(items) == n {
				truncated = true
				return ErrStop
			}
			items, next = append(items, t.grantEntry(r)), r.GrantID
			return nil
		}
		if in.GrantId != "" {
			// One grant: its own record, if it is this key's.
			r, err := t.loadGrant(k.KeyID, in.GrantId)
			if CodeOf(err) == NotFoundException || err == nil && r.GrantID <= in.Marker {
				r, err = nil, nil
			}
			if err != nil {
				return err
			}
			if r != nil {
				_ = add(r)
			}
		} else if err := t.eachKeyGrant(k.KeyID, in.Marker, add); err != nil {
			return err
		}
		if !truncated {
			next = ""
		}
		out = &ListGrantsOutput{Grants: items, NextMarker: next, Truncated: ptr(truncated)}
		return nil
	})
	return out, err
}

// ListRetirableGrants lists the grants, on any key, whose retiring principal
// is the given one, at most 100 a page (default 50).
func (s *Service) ListRetirableGrants(ctx context.Context, in *ListRetirableGrantsInput) (*ListRetirableGrantsOutput, error) {
	if err := checkPrincipal(in.RetiringPrincipal, true); err != nil {
		return nil, err
	}
	var out *ListRetirableGrantsOutput
	err := s.view(ctx, func(t *txn) error {
		items, next, truncated, err := pageOf(t, t.regional(bucketGrants), in.Marker, limit(in.Limit, 50, 100), func(v []byte) (GrantListEntry, bool, error) {
			var r grantRecord
			if err := unmarshalRecord(v, &r); err != nil {
				return GrantListEntry{}, false, err
			}
			if r.Retiring != in.RetiringPrincipal {
				return GrantListEntry{}, false, nil
			}
			// A key past its deletion date is gone, with its grants,
			// even before a write purges it.
			if _, err := t.loadKey(r.KeyID); CodeOf(err) == NotFoundException {
				return GrantListEntry{}, false, nil
			} else if err != nil {
				return GrantListEntry{}, false, err
			}
			return t.grantEntry(&r), true, nil
		})
		if err != nil {
			return err
		}
		out = &ListRetirableGrantsOutput{Grants: items, NextMarker: next, Truncated: ptr(truncated)}
		return nil
	})
	return out, err
}

// grantByID resolves KeyId + GrantId to the grant and its key, for
// RetireGrant and RevokeGrant.
func (t *txn) grantByID(op, keyRef, grantID string) (*grantRecord, error) {
	k, err := t.resolveKey(keyRef)
	if err != nil {
		return nil, err
	}
	if err := t.checkState(op, k); err != nil {
		return nil, err
	}
	return t.loadGrant(k.KeyID, grantID)
}

// RetireGrant deletes a grant named by a grant token, or by key and grant id.
func (s *Service) RetireGrant(ctx context.Context, in *RetireGrantInput) (*RetireGrantOutput, error) {
	byID := in.KeyId != "" && in.GrantId != ""
	if in.GrantToken == "" && !byID {
		return nil, newErr(ValidationException, "Grant token OR (grant ID, key ID) must be specified")
	}
	if in.GrantToken == "" {
		if err := checkGrantID(in.GrantId); err != nil {
			return nil, err
		}
	}
	return &RetireGrantOutput{}, s.update(ctx, func(t *txn) error {
		var r *grantRecord
		var err error
		if in.GrantToken != "" {
			key, err := t.tokenKey(nil)
			if err != nil {
				return err
			}
			id, ok := parseGrantToken(key, in.GrantToken)
			clear(key)
			if !ok {
				return invalidGrantToken()
			}
			if r, err = t.loadGrant("", id); err != nil {
				return err
			}
			k, err := t.loadKey(r.KeyID)
			if err != nil {
				return err
			}
			if err := t.checkState("RetireGrant", k); err != nil {
				return err
			}
		} else if r, err = t.grantByID("RetireGrant", in.KeyId, in.GrantId); err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		return t.deleteGrant(r)
	})
}

// RevokeGrant deletes a grant named by key and grant id.
func (s *Service) RevokeGrant(ctx context.Context, in *RevokeGrantInput) (*RevokeGrantOutput, error) {
	if err := checkGrantID(in.GrantId); err != nil {
		return nil, err
	}
	return &RevokeGrantOutput{}, s.update(ctx, func(t *txn) error {
		r, err := t.grantByID("RevokeGrant", in.KeyId, in.GrantId)
		if err != nil {
			return err
		}
		if err := dryRunErr(in.DryRun); err != nil {
			return err
		}
		return t.deleteGrant(r)
	})
}
