package kms

import (
	cryptorand "crypto/rand"
	"strings"
	"testing"

	"github.com/pocketkms/pkms/crypto"
)

// TestNoLibraryTextInMessages: requests whose bytes a library parses
// (public keys, policies) fail with AWS's form and pkms's words, never the
// parser's own error text.
func TestNoLibraryTextInMessages(t *testing.T) {
	e := newEnv(t)
	agree := e.createKey(&CreateKeyInput{KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageKeyAgreement}).KeyId
	_, p384, err := crypto.GenerateKeyPair(cryptorand.Reader, "ECC_NIST_P384")
	if err != nil {
		t.Fatal(err)
	}
	for name, pub := range map[string][]byte{
		"not DER":           []byte("InvalidPublicKey"),
		"truncated DER":     {0x30, 0x82, 0x01},
		"another curve":     p384,
		"an empty sequence": {0x30, 0x00},
	} {
		_, err := e.call("DeriveSharedSecret", &DeriveSharedSecretInput{KeyId: agree, KeyAgreementAlgorithm: KeyAgreementAlgorithmEcdh, PublicKey: pub})
		// AWS sends ValidationException with no message.
		if CodeOf(err) != ValidationException || errMessage(err) != "" {
			t.Errorf("DeriveSharedSecret with %s: %v, want ValidationException with no message", name, err)
		}
	}

	key := e.newKey()
	for _, tt := range []struct{ policy, want string }{
		{`{"Version": "2012-10-17", "Statement": [}`, "The policy is not a valid JSON document: syntax error at byte 41"},
		{`{"Version": 2012, "Statement": []}`, "Policy element Version has the wrong type (number)"},
		{`["Statement"]`, "The policy must be a JSON object"},
	} {
		_, err := e.call("PutKeyPolicy", &PutKeyPolicyInput{KeyId: key, Policy: tt.policy})
		wantErr(t, err, MalformedPolicyDocumentException, tt.want)
		if m := errMessage(err); strings.Contains(m, "Go ") || strings.Contains(m, "json:") {
			t.Errorf("PutKeyPolicy %s: %q speaks of the decoder", tt.policy, m)
		}
	}
}
