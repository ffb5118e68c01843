package kms

import (
	"errors"

	"github.com/pocketkms/pkms/crypto"
)

// kmsError translates a failure of a cryptographic primitive into the
// exception AWS raises for it. Verification failures carry no message, as
// in AWS; the others keep the primitive's explanation.
func kmsError(err error) error {
	var code ErrorCode
	switch {
	case err == nil:
		return nil
	case errors.Is(err, crypto.ErrInvalidSignature):
		return &Error{Code: KMSInvalidSignatureException}
	case errors.Is(err, crypto.ErrInvalidMAC):
		return &Error{Code: KMSInvalidMacException}
	case errors.Is(err, crypto.ErrAuth):
		return &Error{Code: InvalidCiphertextException}
	case errors.Is(err, crypto.ErrMessageLength), errors.Is(err, crypto.ErrInvalidKey):
		code = ValidationException
	case errors.Is(err, crypto.ErrIncompatible):
		code = InvalidKeyUsageException
	case errors.Is(err, crypto.ErrUnsupported):
		code = UnsupportedOperationException
	default:
		return err
	}
	return &Error{Code: code, Message: err.Error()}
}
