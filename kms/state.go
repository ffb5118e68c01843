package kms

import (
	"fmt"
)

// The key-state × operation matrix of the AWS KMS Developer Guide ("Key
// states of KMS keys"), one row per operation (stated in its implement
// call, beside the method), one column per key state.
// Conditional cells ("?" in the guide: rotation and import on keys of the
// wrong origin) are allowed here and checked by the operation itself,
// because they depend on the key's origin, not on its state.

type stateRule struct {
	code ErrorCode
	msg  string // %s is the key ARN; "" with code "" means allowed
}

var (
	allow          = stateRule{}
	failDisabled   = stateRule{DisabledException, "%s is disabled."}
	failPendingDel = stateRule{KMSInvalidStateException, "%s is pending deletion."}
	failNotPending = stateRule{KMSInvalidStateException, "%s is not pending deletion."}
	failPendingImp = stateRule{KMSInvalidStateException, "%s is pending import."}
	failExternal   = stateRule{UnsupportedOperationException, "%s origin is EXTERNAL which is not valid for this operation."}
	failUnavail    = stateRule{KMSInvalidStateException, "%s is unavailable."}
	failUnsupport  = stateRule{UnsupportedOperationException, "%s is in a custom key store, which is not valid for this operation."}
	failCreating   = stateRule{KMSInvalidStateException, "%s is creating."}
	failUpdating   = stateRule{KMSInvalidStateException, "%s is updating."}
)

// stateColumns is the column order of every key-state row.
var stateColumns = [...]KeyState{
	KeyStateEnabled, KeyStateDisabled, KeyStatePendingDeletion, KeyStatePendingImport,
	KeyStateUnavailable, KeyStateCreating, KeyStateUpdating,
}

type stateRow [len(stateColumns)]stateRule

// The rows many operations share. An operation states its row in its
// implement call (keyStates), beside its method. PendingReplicaDeletion
// behaves as PendingDeletion.
var (
	rowAlways   = stateRow{allow, allow, allow, allow, allow, allow, allow}
	rowCrypto   = stateRow{allow, failDisabled, failPendingDel, failPendingImp, failUnavail, failCreating, allow}
	rowNoDelete = stateRow{allow, allow, failPendingDel, allow, allow, allow, allow}
	rowEnable   = stateRow{allow, allow, failPendingDel, failPendingImp, allow, failCreating, failUpdating}
	rowRotation = stateRow{allow, failDisabled, failPendingDel, failExternal, failUnsupport, failCreating, allow}
)

// checkState returns the error AWS gives for running op on a key in its
// current state, or nil if the state allows it.
func (t *txn) checkState(op string, k *keyRecord) error {
	o, ok := operations[op]
	if !ok || o.states == nil {
		// TestRegistry and TestKeyStateOps make this unreachable.
		panic("kms: no key-state row for " + op)
	}
	row := *o.states
	state := k.State
	if state == KeyStatePendingReplicaDeletion {
		state = KeyStatePendingDeletion
	}
	for i, s := range stateColumns {
		if s == state {
			if r := row[i]; r.code != "" {
				return &Error{Code: r.code, Message: fmt.Sprintf(r.msg, t.keyArn(k.KeyID))}
			}
			return nil
		}
	}
	return newErr(KMSInternalException, "key %s has unknown state %q", k.KeyID, state)
}
