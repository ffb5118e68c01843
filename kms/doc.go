// Package kms is the whole of AWS KMS semantics, offline: one method per API
// operation on *Service, with input and output types whose names, JSON tags
// and member order are exactly those of the AWS API (botocore's kms
// 2014-11-01 model). Because the types carry the AWS member names, the
// command line (flags, --cli-input-json, output), and the wire protocol are
// all derived from them and no operation is implemented twice.
//
// The package owns key states and the key-state × operation matrix, key
// references (key id, key ARN, alias name, alias ARN), aliases, tags and
// key policies. Persistent state lives in a vault (see Store); every
// operation runs in exactly one vault transaction, so it lands whole or not
// at all. Errors are *Error values whose Code is the AWS exception name.
//
// Every call through Invoke is recorded in a tamper-evident audit trail
// inside the vault, as CloudTrail-shaped events in a hash chain (audit.go
// says what an event holds and why, audit_chain.go how the chain and its
// anchors work, audit_queue.go when events are committed).
//
// Every operation has one registry entry (Operation, registry.go): the
// model gives its name and types, and the implement call beside its method
// states the rest (readOnly or writes, its key-state row or noKey, and
// optional facts such as agentOnly). The command line and the server learn
// everything about an operation from its entry, and TestRegistry checks
// every entry, so adding an operation means its types, its method with its
// implement call, and its command file in cmd; no table elsewhere names it.
package kms
