package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/server"
)

// agentInvoker calls operations through the agent named by
// PKMS_AGENT_SOCK or found for the vault (see agentSocket). It is the in-process session's twin: the same input
// structs go out, the same output structs come back, and errors map to the
// same exit codes, so output is byte-identical with or without an agent.
type agentInvoker struct {
	g      *globals
	client *server.Client
}

func (a *agentInvoker) invoke(ctx context.Context, op *kms.Operation, in any) (any, error) {
	a.g.debugf("calling %s through the agent at %s", op.Name, a.client.Socket)
	out := op.NewOutput()
	if err := a.client.Invoke(ctx, op.Name, in, out); err != nil {
		return nil, agentError(op.Name, err)
	}
	return out, nil
}

// close has nothing to release: each call holds its connection only while
// it runs.
func (a *agentInvoker) close() {}

// agentError maps what the agent answered to the error the in-process path
// would have returned.
func agentError(op string, err error) error {
	var (
		ke *kms.Error
		ce *kms.ChainError
		ue *server.UnreachableError
		re *server.RemoteError
	)
	switch {
	case errors.As(err, &ke):
		return &opError{op: op, err: ke}
	case errors.As(err, &ce):
		return chainFailure(ce)
	case errors.As(err, &ue):
		return &vaultError{err: ue, hints: []string{
			"the agent has stopped (idle timeout, lifetime, or pkms agent stop); start one with: eval \"$(pkms agent)\"",
			"or unset PKMS_AGENT_SOCK to open the vault directly"}}
	case errors.As(err, &re) && re.Locked():
		return &vaultError{err: fmt.Errorf("%s", re.Message), hints: []string{"run: pkms agent unlock"}}
	case errors.As(err, &re):
		return &vaultError{err: fmt.Errorf("%s", re.Message)}
	}
	return err
}
