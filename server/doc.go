// Package server is the second door to the KMS service: the AWS KMS wire
// protocol (JSON 1.1 over HTTP, X-Amz-Target: TrentService.<Operation>), so
// that AWS SDKs, the aws CLI and pkms's own command line can all call the
// same kms.Service.
//
// # Why one protocol for everything
//
// The agent (for scripts) and serve (for SDKs) are the same server on two
// listeners. The agent listens on a unix socket in a 0700
// directory and admits only its own uid (SO_PEERCRED); serve listens on
// loopback TCP and admits only requests signed (SigV4) with an access key
// stored in the vault. Requests are dispatched by operation name through
// kms.LookupOperation to kms.(*Service).Invoke, the same entry point the
// command line uses in-process, so an operation is never implemented twice
// and the CLI's output through an agent is byte-identical to its output
// without one: the request and response structs are the ones the CLI
// renders, round-tripped through their own JSON encoding.
//
// Errors travel as AWS sends them: HTTP 400 (500 for service faults) with
// {"__type": "<ExceptionName>", "message": "..."} and the
// X-Amzn-ErrorType header, so SDKs raise their typed exceptions.
package server
