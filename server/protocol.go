package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketkms/pkms/kms"
)

// Wire constants of the AWS JSON 1.1 protocol as KMS uses it.
const (
	contentType   = "application/x-amz-json-1.1"
	targetPrefix  = "TrentService."
	controlPrefix = "PkmsAgent."
	// MaxBody bounds a request body. The largest KMS request is an
	// ImportKeyMaterial or PutKeyPolicy call of some tens of kilobytes.
	MaxBody = 1 << 20
	// Headers the pkms CLI sends to its agent: the region that shapes ARNs.
	headerRegion = "X-Pkms-Region"
	// headerKind marks errors that are not KMS exceptions (the vault or the
	// agent failing), so that the pkms CLI exits as it would in-process.
	headerKind = "X-Pkms-Error-Kind"
)

// Error kinds carried in headerKind.
const (
	kindVault  = "vault"  // the vault is damaged, locked or gone: exit 253
	kindLocked = "locked" // the agent has forgotten its key: exit 253
	kindChain  = "chain"  // the audit chain is broken (wireError.Chain): exit 253
)

// Backend is an unlocked vault as the server uses it: the service over it
// and the function that closes the vault, zeroing its keys.
type Backend struct {
	Service *kms.Service
	Close   func() error
}

// Server answers KMS requests. The zero value is not usable; see New.
type Server struct {
	// Region is the region requests use unless they carry their own.
	Region string
	// Auth checks a request before anything else (SigV4 for serve); nil
	// admits every request that reached the handler (the agent checks the
	// peer's uid when it accepts the connection).
	Auth func(r *http.Request, body []byte) error
	// IsVaultError classifies errors from the vault (exit 253 in the CLI).
	IsVaultError func(error) bool
	// Logf logs one line per failed request; never secrets.
	Logf func(format string, args ...any)
	// LogRequest, when set, is called once per answered request (pkms
	// --debug): method, operation, access key id, outcome and duration.
	LogRequest func(RequestLog)
	// Hooks serve the control targets.
	Hooks Control

	mu       sync.RWMutex
	backend  *Backend // nil while locked
	lastUse  atomic.Int64
	stopOnce sync.Once
	stopped  chan struct{} // closed by Stop
}

// New returns a server over b (nil: locked until Unlock).
func New(b *Backend) *Server {
	s := &Server{backend: b, stopped: make(chan struct{}), Logf: log.Printf}
	s.touch()
	return s
}

func (s *Server) touch() { s.lastUse.Store(time.Now().UnixNano()) }

// LastUse is when the last request arrived.
func (s *Server) LastUse() time.Time { return time.Unix(0, s.lastUse.Load()) }

// Stopped is closed once Stop has been called.
func (s *Server) Stopped() <-chan struct{} { return s.stopped }

// Stop locks the server and signals Stopped; listeners then shut down.
func (s *Server) Stop() {
	s.Lock()
	s.stopOnce.Do(func() { close(s.stopped) })
}

// Lock flushes pending usage, closes the vault (zeroing its keys) and
// refuses requests until Unlock.
func (s *Server) Lock() { s.swap(nil) }

// Unlock installs a backend, closing any previous one.
func (s *Server) Unlock(b *Backend) { s.swap(b) }

// swap installs b (nil: locked) once requests in flight are done, then
// flushes and closes the previous backend.
func (s *Server) swap(b *Backend) {
	s.mu.Lock()
	old := s.backend
	s.backend = b
	s.mu.Unlock()
	if old != nil {
		_ = old.Service.FlushUsage(context.Background())
		_ = old.Close()
	}
}

// Locked reports whether the server has no vault.
func (s *Server) Locked() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.backend == nil
}

// FlushUsage writes pending key usage; servers call it every second.
func (s *Server) FlushUsage(ctx context.Context) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.backend == nil {
		return nil
	}
	return s.backend.Service.FlushUsage(ctx)
}

// withService runs fn with the current service, holding the read lock so
// that Lock waits for requests in flight instead of closing the vault under
// them.
func (s *Server) withService(fn func(*kms.Service) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.backend == nil {
		return errLocked
	}
	return fn(s.backend.Service)
}

var errLocked = errors.New("the pkms agent is locked")

// ServeHTTP implements the protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.touch()
	reqID := kms.NewRequestID()
	w.Header().Set("X-Amzn-RequestId", reqID)
	if r.Method != http.MethodPost {
		writeError(w, http.StatusNotFound, "UnknownOperationException", "", "")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "SerializationException", fmt.Sprintf("The request body exceeds %d bytes.", MaxBody), "")
			return
		}
		writeError(w, http.StatusBadRequest, "SerializationException", "cannot read the request body", "")
		return
	}
	// The agent's socket admits only its owner's uid (checked when the
	// connection was accepted); everything else must pass Auth.
	private := r.Context().Value(peerKey{}) != nil
	if s.Auth != nil && !private {
		if err := s.Auth(r, body); err != nil {
			var ae *AuthError
			if errors.As(err, &ae) {
				writeError(w, ae.Status, ae.Code, ae.Message, "")
				return
			}
			s.logf("authentication failed: %v", err)
			writeError(w, http.StatusInternalServerError, string(kms.KMSInternalException), "The request could not be authenticated.", "")
			return
		}
	}
	// The control targets (stop, lock, unlock, access keys) and the
	// region header exist only on the agent's private socket.
	// Agent-only operations (the access keys of pkms serve, the audit
	// trail's queries) are served
	// there too, through the registry like every operation, and never
	// under TrentService.
	target := r.Header.Get("X-Amz-Target")
	var op *kms.Operation
	if name, ok := strings.CutPrefix(target, controlPrefix); ok && private {
		if o, known := kms.LookupOperation(name); known && o.AgentOnly {
			op = o
		} else {
			s.control(w, r, name, body)
			return
		}
	} else {
		name, ok := strings.CutPrefix(target, targetPrefix)
		o, known := kms.LookupOperation(name)
		if !ok || !known || o.AgentOnly {
			writeError(w, http.StatusBadRequest, "UnknownOperationException", "", "")
			return
		}
		op = o
	}
	in := op.NewInput()
	if err := decodeBody(body, in); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", err.Error(), "")
		return
	}
	// Every request brings its region, as a request to an AWS endpoint
	// does: the CLI on the agent's socket in a header (its --region), an
	// SDK in its SigV4 credential scope. The server's region is the default.
	region := s.Region
	if h := r.Header.Get(headerRegion); private && h != "" {
		if !kms.ValidRegion(h) {
			writeError(w, http.StatusBadRequest, "ValidationException", "invalid region name in "+headerRegion, "")
			return
		}
		region = h
	} else if scoped, ok := sigv4Region(r); ok {
		region = scoped
	}
	ctx := kms.WithRequestID(kms.WithRegion(r.Context(), region), reqID)
	if s.Auth != nil && !private {
		ctx = callerContext(ctx, r) // audit: the access key is the caller
	}
	var out any
	err = s.withService(func(svc *kms.Service) error {
		var err error
		out, err = svc.Invoke(ctx, op.Name, in)
		return err
	})
	if err != nil {
		s.writeServiceError(w, op.Name, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// decodeBody reads a request document; an empty body is an empty request.
func decodeBody(body []byte, in any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("Value for %s has the wrong type (%s).", te.Field, te.Value)
		}
		return errors.New("The request body is not a valid JSON document.")
	}
	return nil
}

// writeServiceError answers an error from the service: KMS exceptions as
// AWS sends them, vault failures as KMSInternalException marked for the
// pkms CLI, anything else as an internal error without details.
func (s *Server) writeServiceError(w http.ResponseWriter, op string, err error) {
	var ke *kms.Error
	var ce *kms.ChainError
	switch {
	case errors.As(err, &ke):
		writeError(w, ke.HTTPStatus(), string(ke.Code), ke.Message, "")
	case errors.As(err, &ce):
		// The pkms CLI gets the break itself, to report it as it does
		// in-process (only the agent serves the audit operations).
		w.Header().Set(headerKind, kindChain)
		w.Header().Set("X-Amzn-ErrorType", string(kms.KMSInternalException))
		writeJSON(w, http.StatusInternalServerError, wireError{Type: string(kms.KMSInternalException), Message: ce.Error(), Chain: ce})
	case errors.Is(err, errLocked):
		writeError(w, http.StatusServiceUnavailable, "KMSInternalException", err.Error(), kindLocked)
	case s.IsVaultError != nil && s.IsVaultError(err):
		writeError(w, http.StatusInternalServerError, "KMSInternalException", err.Error(), kindVault)
	default:
		s.logf("%s: %v", op, err)
		writeError(w, http.StatusInternalServerError, "KMSInternalException", "The request failed inside pkms; see the server log.", "")
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// wireError is the body of an error response.
type wireError struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
	// Chain is the break of a broken audit chain (kindChain).
	Chain *kms.ChainError `json:"PkmsAuditChain,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, msg, kind string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	if kind != "" {
		w.Header().Set(headerKind, kind)
	}
	writeJSON(w, status, wireError{Type: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"KMSInternalException","message":"cannot encode the response"}`)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
