package kms

import (
	"fmt"
	"sync"
)

// The key-state × operation matrix of the AWS KMS Developer Guide ("Key
// states of KMS keys"), one row per operation, one column per key state.
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

// stateColumns is the column order of every row in keyStateMatrix.
var stateColumns = [...]KeyState{
	KeyStateEnabled, KeyStateDisabled, KeyStatePendingDeletion, KeyStatePendingImport,
	KeyStateUnavailable, KeyStateCreating, KeyStateUpdating,
}

type stateRow [len(stateColumns)]stateRule

// keyStateMatrix maps an operation name to its row. PendingReplicaDeletion
// behaves as PendingDeletion. It is built on first use: a process that
// runs no operation on a key (such as a command that goes through an
// agent) never needs it.
var keyStateMatrix = sync.OnceValue(func() map[string]stateRow {
	var (
		rowAlways   = stateRow{allow, allow, allow, allow, allow, allow, allow}
		rowCrypto   = stateRow{allow, failDisabled, failPendingDel, failPendingImp, failUnavail, failCreating, allow}
		rowNoDelete = stateRow{allow, allow, failPendingDel, allow, allow, allow, allow}
		rowEnable   = stateRow{allow, allow, failPendingDel, failPendingImp, allow, failCreating, failUpdating}
		rowRotation = stateRow{allow, failDisabled, failPendingDel, failExternal, failUnsupport, failCreating, allow}
	)
	return map[string]stateRow{
		"CancelKeyDeletion":                   {failNotPending, failNotPending, allow, failNotPending, failNotPending, failNotPending, failNotPending},
		"CreateAlias":                         rowNoDelete,
		"CreateGrant":                         {allow, failDisabled, failPendingDel, failPendingImp, allow, failCreating, allow},
		"Decrypt":                             rowCrypto,
		"DeleteAlias":                         rowAlways,
		"DeleteImportedKeyMaterial":           {allow, allow, allow, allow, allow, failCreating, failUpdating},
		"DeriveSharedSecret":                  rowCrypto,
		"DescribeKey":                         rowAlways,
		"DisableKey":                          rowEnable,
		"DisableKeyRotation":                  rowRotation,
		"EnableKey":                           rowEnable,
		"EnableKeyRotation":                   rowRotation,
		"Encrypt":                             rowCrypto,
		"GenerateDataKey":                     rowCrypto,
		"GenerateDataKeyPair":                 rowCrypto,
		"GenerateDataKeyPairWithoutPlaintext": rowCrypto,
		"GenerateDataKeyWithoutPlaintext":     rowCrypto,
		"GenerateMac":                         rowCrypto,
		"GetKeyLastUsage":                     rowAlways,
		"GetKeyPolicy":                        rowAlways,
		"GetKeyRotationStatus":                {allow, allow, allow, failExternal, failUnsupport, allow, allow},
		"GetParametersForImport":              {allow, allow, failPendingDel, allow, failUnsupport, failCreating, failUpdating},
		"GetPublicKey":                        rowCrypto,
		"ImportKeyMaterial":                   {allow, allow, failPendingDel, allow, failUnsupport, failCreating, allow},
		"ListAliases":                         rowAlways,
		"ListGrants":                          rowAlways,
		"ListKeyPolicies":                     rowAlways,
		"ListKeyRotations":                    rowAlways,
		"ListResourceTags":                    rowAlways,
		"PutKeyPolicy":                        rowAlways,
		"ReEncrypt":                           rowCrypto,
		"ReplicateKey":                        {allow, failDisabled, failPendingDel, failPendingImp, allow, failCreating, failUpdating},
		"RetireGrant":                         rowAlways,
		"RevokeGrant":                         rowAlways,
		"RotateKeyOnDemand":                   rowCrypto,
		"ScheduleKeyDeletion":                 {allow, allow, failPendingDel, allow, allow, allow, failUpdating},
		"Sign":                                rowCrypto,
		"TagResource":                         rowNoDelete,
		"UntagResource":                       rowNoDelete,
		"UpdateAlias":                         rowNoDelete,
		"UpdateKeyDescription":                rowNoDelete,
		"UpdatePrimaryRegion":                 {allow, failDisabled, failPendingDel, failPendingImp, allow, failCreating, allow},
		"Verify":                              rowCrypto,
		"VerifyMac":                           rowCrypto,
		"ExportKeyMaterial":                   rowCrypto, // pkms only
	}
})

// checkState returns the error AWS gives for running op on a key in its
// current state, or nil if the state allows it.
func (t *txn) checkState(op string, k *keyRecord) error {
	row, ok := keyStateMatrix()[op]
	if !ok {
		panic("kms: no key-state row for " + op)
	}
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
