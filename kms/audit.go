package kms

// # The audit trail
//
// AWS KMS records every call in CloudTrail; for an offline signing machine
// that record is the evidence of what was signed, when and by whom. pkms
// keeps one inside the vault: every call through Invoke (the command line,
// the agent and pkms serve alike), success or failure, appends one event
// shaped as a CloudTrail KMS record (Event). Management commands that are
// not KMS operations (pkms vault ..., pkms serve credentials ...) append
// events too, with eventSource "pkms" (Record).
//
// What an event holds is decided by construction, not by a list of things
// to hide: requestParameters are built from the request by reflection,
// blob members ([]byte: plaintext, ciphertext, key material, signatures,
// MACs, messages, public keys, import tokens) are never copied whatever
// their name, and every other member is copied only if it is on the
// allow-list auditLogged; auditSecret names the string members that are
// secrets (key store passwords, the XKS secret, grant tokens), and a member
// on neither list is dropped (a test makes every new member choose).
// responseElements never come from the response: like AWS since 2022, a
// call that changed a key records its ARN as responseElements.keyId, and
// resources lists every key the call resolved or wrote. The encryption
// context is logged, as AWS logs it.
//
// The chain (audit_chain.go) makes the trail tamper-evident; the queue
// (audit_queue.go) keeps it off the hot path of the long-lived servers.

import (
	"context"
	"errors"
	"os"
	"os/user"
	"reflect"
	"strconv"
	"sync"
	"time"
)

// Event is one audit record, in the member names and order of a CloudTrail
// KMS event.
type Event struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       Identity        `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AwsRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress,omitempty"`
	UserAgent          string          `json:"userAgent,omitempty"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  map[string]any  `json:"requestParameters"`
	ResponseElements   map[string]any  `json:"responseElements"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	Resources          []EventResource `json:"resources,omitempty"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`
}

// EventResource is one resource of an event (a key ARN).
type EventResource struct {
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

// Identity is who made a call: the local user (name and uid) for the
// command line and the agent, the access key for pkms serve.
type Identity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName"`
}

// Event sources and versions.
const (
	EventSourceKMS  = "kms.amazonaws.com"
	EventSourcePkms = "pkms"
	eventVersion    = "1.08"
	eventTimeLayout = "2006-01-02T15:04:05Z"
)

type identityKey struct{}

// WithAccessKey returns a context whose calls are recorded as made with
// the pkms serve access key id.
func WithAccessKey(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, identityKey{}, Identity{Type: "AccessKey", PrincipalID: id, AccessKeyID: id, UserName: id})
}

// localIdentity is the user running this process (the agent serves only
// its own uid, so this is also the agent's caller).
var localIdentity = sync.OnceValue(func() Identity {
	uid := strconv.Itoa(os.Getuid())
	name := uid
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return Identity{Type: "LocalUser", PrincipalID: uid, UserName: name}
})

func identityOf(ctx context.Context) Identity {
	if id, ok := ctx.Value(identityKey{}).(Identity); ok {
		return id
	}
	return localIdentity()
}

// auditCall is one call being recorded: the event so far, where it was
// written, and the keys the call touched.
type auditCall struct {
	ev       Event
	readOnly bool
	mu       sync.Mutex
	written  bool // committed inside the call's own transaction
	keys     []string
	response map[string]any // responseElements of a pkms command
}

type auditCallKey struct{}

func auditCallOf(ctx context.Context) *auditCall {
	c, _ := ctx.Value(auditCallKey{}).(*auditCall)
	return c
}

// newAuditCall starts the record of one call; nil when the service has no
// store (operations pkms does not implement fail without a vault).
func (s *Service) newAuditCall(ctx context.Context, source, name string, readOnly bool, params map[string]any) *auditCall {
	if s.store == nil || s.noAudit {
		return nil
	}
	id := identityOf(ctx)
	reqID := RequestID(ctx)
	if reqID == "" {
		reqID = NewRequestID()
	}
	if len(params) == 0 {
		params = nil // CloudTrail's null
	}
	return &auditCall{readOnly: readOnly, ev: Event{
		EventVersion: eventVersion, UserIdentity: id, EventTime: s.now().Format(eventTimeLayout),
		EventSource: source, EventName: name, AwsRegion: s.regionFor(ctx),
		RequestParameters: params, RequestID: reqID, EventID: NewRequestID(), ReadOnly: readOnly,
		EventType: "AwsApiCall", ManagementEvent: true, EventCategory: "Management",
	}}
}

// touch notes a key the call resolved or wrote.
func (c *auditCall) touch(arn string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range c.keys {
		if k == arn {
			return
		}
	}
	c.keys = append(c.keys, arn)
}

// respond sets a responseElements member (never a secret).
func (c *auditCall) respond(k string, v any) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.response == nil {
		c.response = map[string]any{}
	}
	c.response[k] = v
}

// finish completes the event with the outcome: the keys touched, and the
// error if the call failed (marshalEvent fills in the account).
func (c *auditCall) finish(err error) Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	ev := c.ev
	ev.Resources = nil
	for _, arn := range c.keys {
		ev.Resources = append(ev.Resources, EventResource{Type: "AWS::KMS::Key", ARN: arn})
	}
	ev.ResponseElements = nil
	if err != nil {
		ev.ErrorCode, ev.ErrorMessage = errorFields(err)
	} else if len(c.response) > 0 {
		ev.ResponseElements = c.response
	} else if !c.readOnly && len(c.keys) > 0 {
		ev.ResponseElements = map[string]any{"keyId": c.keys[0]} // the key the request named
	}
	return ev
}

// errorFields is the errorCode and errorMessage of a failed call: the KMS
// exception, or a generic code for the vault's own failures (whose text may
// name files).
func errorFields(err error) (string, string) {
	var ke *Error
	if errors.As(err, &ke) {
		return string(ke.Code), ke.Message
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "RequestCanceled", "the request was canceled"
	}
	return string(KMSInternalException), "the vault failed the request"
}

// auditSecret are the string members that are secrets: never logged.
var auditSecret = map[string]bool{
	"KeyStorePassword": true, "RawSecretAccessKey": true, "GrantToken": true, "GrantTokens": true,
}

// auditLogged are the members logged in requestParameters (blob members
// never are, whatever their name).
var auditLogged = map[string]bool{}

func init() {
	for _, m := range []string{
		"AccessKeyId", "AliasName", "Anchor", "AttributeKey", "AttributeValue", "Before", "BypassPolicyLockoutSafetyCheck", "CloudHsmClusterId", "Constraints",
		"CustomKeyStoreId", "CustomKeyStoreName", "CustomKeyStoreType", "CustomerMasterKeySpec", "Description",
		"DestinationEncryptionAlgorithm", "DestinationEncryptionContext", "DestinationKeyId", "DryRun",
		"DryRunModifiers", "EncryptionAlgorithm", "EncryptionContext", "EncryptionContextEquals", "EndTime",
		"EncryptionContextSubset", "ExpirationModel", "GrantId", "GranteePrincipal", "ImportType",
		"IncludeKeyMaterial", "KeyAgreementAlgorithm", "KeyEncryptionAlgorithm", "KeyId",
		"KeyMaterialDescription", "KeyMaterialId", "KeyPairSpec", "KeySpec", "KeyUsage", "Limit", "LookupAttributes",
		"MacAlgorithm", "Marker", "MaxResults", "MessageType", "MultiRegion", "Name", "NewCustomKeyStoreName", "NextToken",
		"NumberOfBytes", "Operations", "Origin", "PendingWindowInDays", "PkmsExportable", "PkmsPkcs11Module",
		"PkmsTokenSigning", "Policy", "PolicyName", "PrimaryRegion", "Recipient", "ReplicaRegion",
		"RetiringPrincipal", "RotationPeriodInDays", "SigningAlgorithm", "SourceEncryptionAlgorithm",
		"SourceEncryptionContext", "SourceKeyId", "Since", "StartTime", "TagKey", "TagKeys", "TagValue", "Tags", "TargetKeyId",
		"TrustAnchorCertificate", "ValidTo", "WrappingAlgorithm", "WrappingKeySpec", "XksKeyId",
		"XksProxyAuthenticationCredential", "XksProxyConnectivity", "XksProxyUriEndpoint", "XksProxyUriPath",
		"XksProxyVpcEndpointServiceName", "XksProxyVpcEndpointServiceOwner",
	} {
		auditLogged[m] = true
	}
}

var timestampType = reflect.TypeFor[Timestamp]()

// requestParameters is the logged form of a request: the allowed members
// that are set, under their lowerCamel names; nil when none is.
func requestParameters(in any) map[string]any {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	m, _ := auditValue(v).(map[string]any)
	return m
}

// auditField is a struct member that may be logged, under its logged name.
type auditField struct {
	index int
	name  string
}

var auditPlans sync.Map // reflect.Type → []auditField

// auditFields lists the members of struct type t that are logged (the
// allow-list, less the secrets), worked out once per type.
func auditFields(t reflect.Type) []auditField {
	if fs, ok := auditPlans.Load(t); ok {
		return fs.([]auditField)
	}
	var fs []auditField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && auditLogged[f.Name] && !auditSecret[f.Name] {
			fs = append(fs, auditField{index: i, name: lowerCamel(f.Name)})
		}
	}
	auditPlans.Store(t, fs)
	return fs
}

// auditValue converts one value under the allow-list; nil means "leave
// out".
func auditValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return auditValue(v.Elem())
	case reflect.Struct:
		if v.Type() == timestampType {
			return v.Interface().(Timestamp).UTC().Format(eventTimeLayout)
		}
		var m map[string]any
		for _, f := range auditFields(v.Type()) {
			if x := auditValue(v.Field(f.index)); x != nil {
				if m == nil {
					m = map[string]any{}
				}
				m[f.name] = x
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 || v.IsNil() {
			return nil // a blob: never logged
		}
		out := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			if x := auditValue(v.Index(i)); x != nil {
				out = append(out, x)
			}
		}
		return out
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String || v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[it.Key().String()] = it.Value().String()
		}
		return out
	case reflect.String:
		if v.String() == "" {
			return nil
		}
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int32, reflect.Int64:
		return v.Int()
	}
	return nil
}

// marshalEvent is the stored form of an event, in the vault's account.
func marshalEvent(ev *Event, account string) ([]byte, error) {
	return appendEvent(make([]byte, 0, 1024), withAccount(ev, account))
}

// withAccount fills in the vault's account wherever an event names it.
func withAccount(ev *Event, account string) *Event {
	ev.RecipientAccountID, ev.UserIdentity.AccountID = account, account
	for j := range ev.Resources {
		ev.Resources[j].AccountID = account
	}
	return ev
}

// Time parses the event's eventTime.
func (ev *Event) Time() time.Time {
	t, _ := time.Parse(eventTimeLayout, ev.EventTime)
	return t
}
