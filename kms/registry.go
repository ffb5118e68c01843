package kms

import (
	"context"
	"fmt"
	"reflect"
	"sort"
)

// Operation describes one AWS KMS API operation: its name, its typed input
// and output, whether it only reads the vault, and whether pkms implements
// it. The command line and the wire server both dispatch through this
// table, so every operation is reachable the same way from both.
type Operation struct {
	Name        string       // AWS name, e.g. "ScheduleKeyDeletion"
	Input       reflect.Type // struct type of the request
	Output      reflect.Type // struct type of the response
	ReadOnly    bool         // needs only a read transaction
	Implemented bool         // false: Invoke returns UnsupportedOperationException
	call        func(*Service, context.Context, any) (any, error)
}

// NewInput returns a pointer to a zero input struct.
func (o *Operation) NewInput() any { return reflect.New(o.Input).Interface() }

// NewOutput returns a pointer to a zero output struct.
func (o *Operation) NewOutput() any { return reflect.New(o.Output).Interface() }

// operations is built by a variable initializer, which Go runs before any
// init function, so the init functions that implement operations find it.
var operations = buildOperations()

func buildOperations() map[string]*Operation {
	operations := map[string]*Operation{}
	for _, m := range append(modelShapes, pkmsShapes...) {
		name := m.Name
		operations[name] = &Operation{Name: name, Input: m.In, Output: m.Out,
			call: func(*Service, context.Context, any) (any, error) {
				return nil, newErr(UnsupportedOperationException, "pkms does not implement %s yet; see the feature table in README.md", name)
			}}
	}
	for name, ro := range readOnlyOps {
		operations[name].ReadOnly = ro
	}
	return operations
}

// readOnlyOps are the operations that never write the vault.
var readOnlyOps = map[string]bool{
	"DescribeKey": true, "ListKeys": true, "ListAliases": true, "ListResourceTags": true,
	"GetKeyPolicy": true, "ListKeyPolicies": true, "Encrypt": true, "Decrypt": true,
	"ReEncrypt": true, "GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
	"GenerateRandom": true, "GetPublicKey": true, "Sign": true, "Verify": true,
	"GenerateMac": true, "VerifyMac": true, "DeriveSharedSecret": true, "ListGrants": true,
	"ListRetirableGrants": true, "GetKeyRotationStatus": true, "ListKeyRotations": true,
	"DescribeCustomKeyStores": true, "GetKeyLastUsage": true,
}

// implement registers the method that implements an operation. The method
// expression's types must be the model's types for that operation.
func implement[I, O any](name string, fn func(*Service, context.Context, *I) (*O, error)) {
	op, ok := operations[name]
	if !ok || op.Input != reflect.TypeFor[I]() || op.Output != reflect.TypeFor[O]() {
		panic(fmt.Sprintf("kms: %s registered with the wrong types", name))
	}
	op.Implemented = true
	op.call = func(s *Service, ctx context.Context, in any) (any, error) {
		return fn(s, ctx, in.(*I))
	}
}

// LookupOperation returns the operation with the given AWS name.
func LookupOperation(name string) (*Operation, bool) {
	op, ok := operations[name]
	return op, ok
}

// Operations returns every AWS KMS operation sorted by name.
func Operations() []*Operation {
	out := make([]*Operation, 0, len(operations))
	for _, op := range operations {
		out = append(out, op)
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
	ctx, c := s.startAudit(ctx, EventSourceKMS, name, op.ReadOnly, requestParameters(in))
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
