package kms

import (
	"errors"
	"fmt"
)

// ErrorCode is the name of an AWS KMS exception, exactly as it appears on the
// wire (`__type`) and in the CLI's "An error occurred (Code)" line.
type ErrorCode string

// The exceptions pkms raises. Each has the AWS name.
const (
	AlreadyExistsException           ErrorCode = "AlreadyExistsException"
	DependencyTimeoutException       ErrorCode = "DependencyTimeoutException"
	DisabledException                ErrorCode = "DisabledException"
	DryRunOperationException         ErrorCode = "DryRunOperationException"
	ExpiredImportTokenException      ErrorCode = "ExpiredImportTokenException"
	IncorrectKeyException            ErrorCode = "IncorrectKeyException"
	IncorrectKeyMaterialException    ErrorCode = "IncorrectKeyMaterialException"
	InvalidAliasNameException        ErrorCode = "InvalidAliasNameException"
	InvalidArnException              ErrorCode = "InvalidArnException"
	InvalidCiphertextException       ErrorCode = "InvalidCiphertextException"
	InvalidGrantIDException          ErrorCode = "InvalidGrantIdException"
	InvalidGrantTokenException       ErrorCode = "InvalidGrantTokenException"
	InvalidImportTokenException      ErrorCode = "InvalidImportTokenException"
	InvalidKeyUsageException         ErrorCode = "InvalidKeyUsageException"
	InvalidMarkerException           ErrorCode = "InvalidMarkerException"
	KMSInternalException             ErrorCode = "KMSInternalException"
	KMSInvalidMacException           ErrorCode = "KMSInvalidMacException"
	KMSInvalidSignatureException     ErrorCode = "KMSInvalidSignatureException"
	KMSInvalidStateException         ErrorCode = "KMSInvalidStateException"
	KeyUnavailableException          ErrorCode = "KeyUnavailableException"
	LimitExceededException           ErrorCode = "LimitExceededException"
	MalformedPolicyDocumentException ErrorCode = "MalformedPolicyDocumentException"
	NotFoundException                ErrorCode = "NotFoundException"
	TagException                     ErrorCode = "TagException"
	UnsupportedOperationException    ErrorCode = "UnsupportedOperationException"
	ValidationException              ErrorCode = "ValidationException"
	CustomKeyStoreNotFoundException  ErrorCode = "CustomKeyStoreNotFoundException"
	// Custom key stores (see customkeystores.go).
	CustomKeyStoreInvalidStateException ErrorCode = "CustomKeyStoreInvalidStateException"
	CustomKeyStoreNameInUseException    ErrorCode = "CustomKeyStoreNameInUseException"
	CustomKeyStoreHasCMKsException      ErrorCode = "CustomKeyStoreHasCMKsException"
	CloudHsmClusterInUseException       ErrorCode = "CloudHsmClusterInUseException"
	CloudHsmClusterNotFoundException    ErrorCode = "CloudHsmClusterNotFoundException"
	CloudHsmClusterNotRelatedException  ErrorCode = "CloudHsmClusterNotRelatedException"
	IncorrectTrustAnchorException       ErrorCode = "IncorrectTrustAnchorException"
)

// Error is a KMS exception. Code is the AWS exception name; Message is the
// text AWS would send (possibly empty: AWS sends no message for
// InvalidCiphertextException and the signature/MAC exceptions).
type Error struct {
	Code    ErrorCode
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Message
}

// Is makes errors.Is(err, &Error{Code: X}) match any error with code X.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// HTTPStatus is the status code the wire protocol uses for this error: 500
// for the service-side faults AWS documents as such, 400 for the rest.
func (e *Error) HTTPStatus() int {
	switch e.Code {
	case KMSInternalException, DependencyTimeoutException, KeyUnavailableException:
		return 500
	}
	return 400
}

func newErr(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the exception code of err, or "" if err is not a KMS error.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// validationErr formats AWS's "1 validation error detected" message for one
// member (member is the lowerCamel name AWS uses, e.g. "numberOfBytes").
func validationErr(value any, member, constraint string) *Error {
	return newErr(ValidationException, "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}
