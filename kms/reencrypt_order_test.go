package kms

import "testing"

// TestReEncryptIncorrectSourceKey: a SourceKeyId that does not name the
// ciphertext's key is IncorrectKeyException, checked before the key usage
// of either side, as Decrypt does (AWS settles the source side first).
func TestReEncryptIncorrectSourceKey(t *testing.T) {
	e := newEnv(t)
	src := e.newKey()
	blob := e.encrypt(src, []byte("test message"), nil).CiphertextBlob
	hmac := e.createKey(&CreateKeyInput{KeySpec: KeySpecHmac224, KeyUsage: KeyUsageGenerateVerifyMac}).KeyId
	other := e.newKey()
	const msg = "The key ID in the request does not identify a CMK that can perform this operation."
	tests := []struct {
		name     string
		src, dst string
	}{
		{"HMAC source and destination (AWS's recorded case)", hmac, hmac},
		{"HMAC source, good destination", hmac, other},
		{"other symmetric source, HMAC destination", other, hmac},
	}
	for _, tt := range tests {
		_, err := e.call("ReEncrypt", &ReEncryptInput{CiphertextBlob: blob, SourceKeyId: tt.src, DestinationKeyId: tt.dst,
			SourceEncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault, DestinationEncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault})
		if CodeOf(err) != IncorrectKeyException || errMessage(err) != msg {
			t.Errorf("%s: got %v, want IncorrectKeyException: %s", tt.name, err, msg)
		}
	}
	// With the right source, a destination of the wrong usage is still refused.
	_, err := e.call("ReEncrypt", &ReEncryptInput{CiphertextBlob: blob, SourceKeyId: src, DestinationKeyId: hmac})
	wantErr(t, err, InvalidKeyUsageException, e.keyArn(hmac)+" key usage is GENERATE_VERIFY_MAC which is not valid for ReEncrypt.")
}
