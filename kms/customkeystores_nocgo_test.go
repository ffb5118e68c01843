//go:build !cgo

package kms

import (
	"strings"
	"testing"
)

// TestCustomKeyStoresWithoutCgo: a build without cgo says it lacks PKCS#11.
func TestCustomKeyStoresWithoutCgo(t *testing.T) {
	e := newEnv(t)
	_, err := e.call("CreateCustomKeyStore", &CreateCustomKeyStoreInput{CustomKeyStoreName: "lab", CloudHsmClusterId: "lab-hsm",
		TrustAnchorCertificate: "-----BEGIN CERTIFICATE-----\nMIIBbzCCARWgAwIBAgIUN98bdoytX61nl0Mgq/aTyQm+QPowCgYIKoZIzj0EAwIw\nDTELMAkGA1UEAwwCY2EwHhcNMjYxMjA1MTk0MTQ1WhcNMjYxMjA2MTk0MTQ1WjAN\nMQswCQYDVQQDDAJjYTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNASaxKUvjZr\nsFhcn9an6D+mSABh1XH6Qjp5cnY9/6mnLt/rcpurLPR8C1GKWFl2BXtyGgL2SXWG\nOzHXPshRUaijUzBRMB0GA1UdDgQWBBQK4l8kE2UH38E2eDb1/6g/qYNbSDAfBgNV\nHSMEGDAWgBQK4l8kE2UH38E2eDb1/6g/qYNbSDAPBgNVHRMBAf8EBTADAQH/MAoG\nCCqGSM49BAMCA0gAMEUCIQDwKaaiRT9yv52Cor3hjOUQzsqrrZBxB+TdyLV5RY9o\nXQIgbH+JrtbHoWIuHle9Rlz0CUmm1E+YIeKlISoYscMjqhg=\n-----END CERTIFICATE-----\n",
		KeyStorePassword:       "12345678"})
	wantCode(t, err, UnsupportedOperationException)
	if !strings.Contains(errMessage(err), "without cgo") {
		t.Errorf("message %q does not say the build lacks cgo", errMessage(err))
	}
}
