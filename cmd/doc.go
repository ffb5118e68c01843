// Package cmd is the pkms command line: one cobra command per `aws kms`
// operation with the same flag names, the vault and agent commands, and the
// AWS CLI v2 conventions every command shares (global options, blob and
// shorthand parameters, --cli-input-json, pagination, output formats and
// exit codes).
//
// Operation commands are thin: their flags are derived from the kms input
// type's members, so a flag exists exactly when the AWS API member does and
// parses the way the AWS CLI parses that member's type. Errors are mapped to
// stderr text and an exit code in one place (exit.go).
package cmd
