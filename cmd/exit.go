package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"syscall"

	"github.com/pocketkms/pkms/cmd/param"
	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
)

// Exit codes, as AWS CLI v2 uses them.
const (
	exitOK        = 0
	exitUsage     = 252 // usage errors and client-side parameter validation
	exitVault     = 253 // vault missing, locked or cannot be unlocked (v2: configuration)
	exitService   = 254 // a KMS exception
	exitOther     = 255
	exitInterrupt = 130
	exitDeclined  = 1 // a confirmation answered no
)

// exitCodes says what each exit code means, in the order `pkms help
// exit-codes` lists them; the README's table is checked against it.
var exitCodes = []struct {
	Code    int
	Meaning string
}{
	{exitOK, "success"},
	{exitUsage, "usage error: unknown command or option, a stray word, a missing required option, a bad value for an option with fixed choices, or the CLI's own parameter validation (\"Parameter validation failed\"), before anything is asked of the vault"},
	{exitVault, "the vault is missing, locked, damaged (pkms vault verify found problems), or cannot be unlocked (wrong passphrase or PIN, no matching identity, token absent)"},
	{exitService, "a KMS exception (NotFoundException, DisabledException, ValidationException, UnsupportedOperationException, ...), printed as \"An error occurred (Code) when calling the Operation operation: message\""},
	{exitOther, "anything else, including a parameter value the CLI cannot convert (invalid base64 or non-ASCII text for a blob, a word that is not an integer)"},
	{exitInterrupt, "interrupted (Ctrl-C)"},
	{exitDeclined, "a confirmation (pkms vault slots remove, pkms vault rekey) answered no"},
}

// usageError is a command-line usage error: unknown or missing options.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// validationError is the CLI's own parameter validation (botocore's), done
// before any request: "Parameter validation failed:\n…".
type validationError struct{ lines []string }

func (e *validationError) Error() string {
	return "Parameter validation failed:\n" + strings.Join(e.lines, "\n")
}

// vaultError is a failure to find, open or unlock the vault, with hints.
type vaultError struct {
	err   error
	hints []string
}

func (e *vaultError) Error() string { return e.err.Error() }
func (e *vaultError) Unwrap() error { return e.err }

// opError is a KMS exception raised while calling an operation.
type opError struct {
	op  string
	err *kms.Error
}

func (e *opError) Error() string {
	return fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", e.err.Code, e.op, e.err.Message)
}

// report writes err to stderr in the AWS CLI's form and returns the exit code.
func report(stderr io.Writer, err error) int {
	var (
		ue *usageError
		ve *validationError
		pe *param.Error
		oe *opError
		vl *vaultError
		pf *paramFailure
	)
	var es exitStatus
	switch {
	case errors.As(err, &es):
		return int(es)
	case errors.As(err, &oe):
		fmt.Fprintf(stderr, "\n%s\n", oe.Error())
		return exitService
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "pkms: [ERROR]: %s\n\n%s", ue.msg, usageBanner)
		return exitUsage
	case errors.As(err, &pe) && !pe.Usage():
		// A value the CLI could not convert (base64, int()): exit 255.
		fmt.Fprintf(stderr, "\n%s\n", err.Error())
		return exitOther
	case errors.As(err, &ve), errors.As(err, &pe), errors.As(err, &pf):
		fmt.Fprintf(stderr, "\n%s\n", err.Error())
		return exitUsage
	case errors.As(err, &vl):
		fmt.Fprintf(stderr, "pkms: %s\n", vaultMessage(vl.err))
		for _, h := range vl.hints {
			fmt.Fprintf(stderr, "hint: %s\n", h)
		}
		return exitVault
	case errors.Is(err, context.Canceled):
		return exitInterrupt
	}
	fmt.Fprintf(stderr, "\n%s\n", err)
	return exitOther
}

// vaultMessage words a vault error for a person.
func vaultMessage(err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, vault.ErrIncorrectPassphrase):
		return "incorrect passphrase"
	case errors.As(err, &pe) && (errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)):
		return fmt.Sprintf("cannot %s the vault file %s: %v", pe.Op, pe.Path, pe.Err)
	}
	return err.Error()
}

const usageBanner = `usage: pkms [options] <command> [parameters]
To see help text, you can run:

  pkms --help
  pkms <command> --help
`
