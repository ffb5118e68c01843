package kms

import (
	"context"
	"fmt"
	"reflect"
	"sort"
)

// Operation describes one API operation (AWS KMS's, or one pkms adds): its
// name, its typed input and output, and the facts about it that the rest of
// pkms needs. The command line and the wire server both dispatch through
// this registry, so every operation is reachable the same way from both.
//
// Every fact about an operation lives in its entry: the model gives the
// name and types, and one implement call beside the method states the rest
// (does it write the vault, which key states allow it). Nothing else keeps
// a table keyed by operation name; TestRegistry checks every entry when the
// package is built, so a missing fact fails a test, not a user's command.
type Operation struct {
	Name        string       // AWS name, e.g. "ScheduleKeyDeletion"
	Input       reflect.Type // struct type of the request
	Output      reflect.Type // struct type of the response
	ReadOnly    bool         // needs only a read transaction
	Implemented bool         // false: Invoke returns UnsupportedOperationException
	PkmsOnly    bool         // pkms adds it; AWS KMS has no such operation
	TracksUsage bool         // recorded as the key's last usage (GetKeyLastUsage)
	// AgentOnly operations (pkms serve's access keys, the audit trail's
	// queries) have no generated command and are served only on the
	// agent's private socket, never to a SigV4 client; Operations leaves
	// them out.
	AgentOnly bool

	access  access    // what implement was told about vault writes
	states  *stateRow // key states that allow it; nil with keyless for none
	keyless bool      // the operation never acts on an existing key's state
	// notInKeyStore: AWS refuses it for a key in a custom key store.
	notInKeyStore bool
	call          func(*Service, context.Context, any) (any, error)
}

// access is whether an operation's declaration says it writes the vault.
type access int

const (
	accessUnstated access = iota
	accessRead
	accessWrite
)

// opFact is one fact an operation's implement call states.
type opFact func(*Operation)

// The facts an implement call must state: exactly one of readOnly and
// writes, and exactly one of keyStates(row) and noKey.
var (
	readOnly opFact = func(op *Operation) { op.access = accessRead; op.ReadOnly = true }
	writes   opFact = func(op *Operation) { op.access = accessWrite }
	noKey    opFact = func(op *Operation) { op.keyless = true }
	// Optional facts. agentOnly: see Operation.AgentOnly. notInKeyStore:
	// AWS refuses the operation for a key in a custom key store.
	agentOnly     opFact = func(op *Operation) { op.AgentOnly = true }
	notInKeyStore opFact = func(op *Operation) { op.notInKeyStore = true }
)

// keyStates states the operation's row of the key-state matrix (state.go).
func keyStates(row stateRow) opFact { return func(op *Operation) { op.states = &row } }

// NewInput returns a pointer to a zero input struct.
func (o *Operation) NewInput() any { return reflect.New(o.Input).Interface() }

// NewOutput returns a pointer to a zero output struct.
func (o *Operation) NewOutput() any { return reflect.New(o.Output).Interface() }

// operations is built by a variable initializer, which Go runs before any
// init function, so the init functions that implement operations find it.
var operations = buildOperations()

func buildOperations() map[string]*Operation {
	operations := map[string]*Operation{}
	for i, m := range append(modelShapes, pkmsShapes...) {
		name := m.Name
		operations[name] = &Operation{Name: name, Input: m.In, Output: m.Out, PkmsOnly: i >= len(modelShapes),
			call: func(*Service, context.Context, any) (any, error) {
				return nil, newErr(UnsupportedOperationException, "pkms does not implement %s yet; see the feature table in README.md", name)
			}}
	}
	// AWS's model lists the operations recorded as a key's last usage.
	for _, name := range KeyLastUsageOperation("").Values() {
		if op, ok := operations[name]; ok {
			op.TracksUsage = true
		}
	}
	return operations
}

// implement registers the method that implements an operation, with the
// facts about it. The method expression's types must be the model's types
// for that operation; TestRegistry checks the facts.
func implement[I, O any](name string, fn func(*Service, context.Context, *I) (*O, error), facts ...opFact) {
	op, ok := operations[name]
	if !ok || op.Input != reflect.TypeFor[I]() || op.Output != reflect.TypeFor[O]() {
		panic(fmt.Sprintf("kms: %s registered with the wrong types", name))
	}
	op.Implemented = true
	for _, f := range facts {
		f(op)
	}
	op.call = func(s *Service, ctx context.Context, in any) (any, error) {
		return fn(s, ctx, in.(*I))
	}
}

// checkFacts reports what an operation's entry lacks or states twice
// over, or nil when it is complete.
func (o *Operation) checkFacts() []string {
	var missing []string
	if !o.Implemented {
		return nil // Invoke refuses it before any fact is needed
	}
	if o.access == accessUnstated {
		missing = append(missing, "readOnly or writes")
	}
	if (o.states == nil) == !o.keyless {
		missing = append(missing, "exactly one of keyStates(row) and noKey")
	}
	return missing
}

// LookupOperation returns the operation with the given AWS name.
func LookupOperation(name string) (*Operation, bool) {
	op, ok := operations[name]
	return op, ok
}

// Operations returns every operation a client calls by name, sorted by
// name: AWS KMS's and the ones pkms adds, but not the AgentOnly ones
// (LookupOperation finds those).
func Operations() []*Operation {
	out := make([]*Operation, 0, len(operations))
	for _, op := range operations {
		if !op.AgentOnly {
			out = append(out, op)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Invoke validates in (a pointer to the operation's input struct) against
// the model's constraints and runs the operation. It is the single entry
// point for the command line and the wire server.
func (s *Service) Invoke(ctx context.Context, name string, in any) (any, error) {
	op, ok := operations[name]
	if !ok {
		return nil, newErr(UnsupportedOperationException, "unknown operation %s", name)
	}
	if reflect.TypeOf(in) != reflect.PointerTo(op.Input) {
		return nil, fmt.Errorf("kms: %s called with %T", name, in)
	}
	// audit: one event per call, success or failure (audit*.go).
	source := EventSourceKMS
	if op.AgentOnly {
		source = EventSourcePkms // pkms's own operations
	}
	ctx, c := s.startAudit(ctx, source, name, op.ReadOnly, requestParameters(in))
	out, err := s.invoke(ctx, op, in)
	if aerr := s.endAudit(ctx, c, err); err == nil && aerr != nil {
		return nil, aerr // a result without its record is not returned
	}
	return out, err
}

func (s *Service) invoke(ctx context.Context, op *Operation, in any) (any, error) {
	if err := Validate(in); err != nil {
		return nil, err
	}
	if err := s.checkGrantTokens(ctx, in); err != nil {
		return nil, err
	}
	out, err := op.call(s, ctx, in)
	if err == nil {
		fillLists(out)
		s.noteUsage(ctx, op.Name, out)
	}
	return out, err
}
