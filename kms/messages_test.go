package kms

import (
	"fmt"
	"strings"
	"testing"
)

// TestAWSMessages holds the exact text AWS KMS sends for each error below,
// as recorded against the real service. {arn} stands for the ARN of the
// key the request names.
func TestAWSMessages(t *testing.T) {
	e := newEnv(t)
	sym := e.newKey()
	rsaEnc := e.createKey(&CreateKeyInput{KeySpec: KeySpecRsa2048, KeyUsage: KeyUsageEncryptDecrypt}).KeyId
	rsaSign := e.createKey(&CreateKeyInput{KeySpec: KeySpecRsa2048, KeyUsage: KeyUsageSignVerify}).KeyId
	p256Sign := e.createKey(&CreateKeyInput{KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageSignVerify}).KeyId
	p256Agree := e.createKey(&CreateKeyInput{KeySpec: KeySpecEccNistP256, KeyUsage: KeyUsageKeyAgreement}).KeyId
	hmac224 := e.createKey(&CreateKeyInput{KeySpec: KeySpecHmac224, KeyUsage: KeyUsageGenerateVerifyMac}).KeyId
	hmac256 := e.createKey(&CreateKeyInput{KeySpec: KeySpecHmac256, KeyUsage: KeyUsageGenerateVerifyMac}).KeyId
	external := e.newExternalKey()
	agreePub := invokeOK[GetPublicKeyOutput](e, "GetPublicKey", &GetPublicKeyInput{KeyId: p256Agree}).PublicKey
	blob := e.encrypt(sym, []byte("m"), nil).CiphertextBlob
	token, wrapped := e.importParams(external, cellMaterial)
	// Rotation: a key at the on-demand limit, imported material with and
	// without new material pending rotation.
	limited := e.newKey()
	for range maxOnDemandRotations {
		e.rotateNow(limited)
	}
	imported, pendingKey := e.newExternalKey(), e.newExternalKey()
	e.importMaterial(imported, cellMaterial)
	e.importMaterial(pendingKey, cellMaterial)
	second, third := []byte(strings.Repeat("\x02", 32)), []byte(strings.Repeat("\x03", 32))
	tok2, wrapped2 := e.importParams(pendingKey, second)
	pending := invokeOK[ImportKeyMaterialOutput](e, "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: pendingKey, ImportToken: tok2, EncryptedKeyMaterial: wrapped2,
		ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, ImportType: ImportTypeNewKeyMaterial}).KeyMaterialId
	tok3, wrapped3 := e.importParams(pendingKey, third)

	tags := func(n int) []Tag {
		out := make([]Tag, n)
		for i := range out {
			out[i] = Tag{TagKey: fmt.Sprintf("k%d", i), TagValue: "v"}
		}
		return out
	}
	const keySpecs = "[RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519]"
	const incorrectKey = "The key ID in the request does not identify a CMK that can perform this operation."

	tests := []struct {
		name string
		op   string
		in   any
		key  string // the key {arn} names
		code ErrorCode
		msg  string
	}{
		// Tags.
		{"duplicate tag keys", "TagResource", &TagResourceInput{KeyId: sym, Tags: []Tag{{"a", "1"}, {"a", "2"}}}, "", TagException, "Duplicate tag keys"},
		{"51 tags", "CreateKey", &CreateKeyInput{Tags: tags(51)}, "", TagException, "Too many tags"},
		{"aws: tag key", "TagResource", &TagResourceInput{KeyId: sym, Tags: []Tag{{"aws:x", "1"}}}, "", TagException, "Tags beginning with aws: are reserved"},
		{"AWS: tag key at creation", "CreateKey", &CreateKeyInput{Tags: []Tag{{"AWS:x", "1"}}}, "", TagException, "Tags beginning with aws: are reserved"},
		{"untag an aws: key", "UntagResource", &UntagResourceInput{KeyId: sym, TagKeys: []string{"aws:x"}}, "", TagException, "Tags beginning with aws: are reserved"},
		{"tag value of 257", "TagResource", &TagResourceInput{KeyId: sym, Tags: []Tag{{"k", strings.Repeat("v", 257)}}}, "", ValidationException,
			"1 validation error detected: Value '" + strings.Repeat("v", 257) + "' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"tag key of 129", "CreateKey", &CreateKeyInput{Tags: []Tag{{strings.Repeat("a", 129), "v"}}}, "", ValidationException,
			"1 validation error detected: Value '" + strings.Repeat("a", 129) + "' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128"},

		// GenerateRandom.
		{"GenerateRandom without NumberOfBytes", "GenerateRandom", &GenerateRandomInput{}, "", ValidationException, "NumberOfBytes is required."},
		{"GenerateRandom of 0", "GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr(int32(0))}, "", ValidationException,
			"1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"GenerateRandom of 1025", "GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr(int32(1025))}, "", ValidationException,
			"1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"},

		// Sign and Verify.
		{"Sign a short PSS digest", "Sign", &SignInput{KeyId: rsaSign, Message: make([]byte, 31), MessageType: MessageTypeDigest, SigningAlgorithm: SigningAlgorithmRsassaPssSha256}, "", ValidationException,
			"Digest is invalid length for algorithm RSASSA_PSS_SHA_256."},
		{"Verify a long PKCS#1 digest", "Verify", &VerifyInput{KeyId: rsaSign, Message: make([]byte, 65), Signature: []byte("s"), MessageType: MessageTypeDigest, SigningAlgorithm: SigningAlgorithmRsassaPkcs1V15Sha512}, "", ValidationException,
			"Digest is invalid length for algorithm RSASSA_PKCS1_V1_5_SHA_512."},
		{"Sign a short ECDSA digest", "Sign", &SignInput{KeyId: p256Sign, Message: []byte("digest"), MessageType: MessageTypeDigest, SigningAlgorithm: SigningAlgorithmEcdsaSha256}, "", ValidationException,
			"Digest is invalid length for algorithm ECDSA_SHA_256."},
		{"Sign with an HMAC key", "Sign", &SignInput{KeyId: hmac224, Message: []byte("m"), SigningAlgorithm: SigningAlgorithmEcdsaSha256}, hmac224, InvalidKeyUsageException,
			"{arn} key usage is GENERATE_VERIFY_MAC which is not valid for Sign."},
		{"Verify with a symmetric key", "Verify", &VerifyInput{KeyId: sym, Message: []byte("m"), Signature: []byte("s"), SigningAlgorithm: SigningAlgorithmEcdsaSha256}, sym, InvalidKeyUsageException,
			"{arn} key usage is ENCRYPT_DECRYPT which is not valid for Verify."},

		// Encrypt and Decrypt.
		{"RSA_2048 OAEP SHA-1 over 214 bytes", "Encrypt", &EncryptInput{KeyId: rsaEnc, Plaintext: make([]byte, 215), EncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha1}, "", ValidationException,
			"Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes."},
		{"RSA_2048 OAEP SHA-256 over 190 bytes", "Encrypt", &EncryptInput{KeyId: rsaEnc, Plaintext: make([]byte, 191), EncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha256}, "", ValidationException,
			"Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes."},
		{"plaintext over 4096 bytes", "Encrypt", &EncryptInput{KeyId: sym, Plaintext: make([]byte, 4097)}, "", ValidationException,
			"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"Encrypt with a SIGN_VERIFY key", "Encrypt", &EncryptInput{KeyId: rsaSign, Plaintext: []byte("m")}, rsaSign, InvalidKeyUsageException,
			"{arn} key usage is SIGN_VERIFY which is not valid for Encrypt."},
		{"Encrypt before import", "Encrypt", &EncryptInput{KeyId: external, Plaintext: []byte("m")}, external, KMSInvalidStateException, "{arn} is pending import."},
		{"Decrypt naming another key", "Decrypt", &DecryptInput{KeyId: hmac224, CiphertextBlob: blob}, "", IncorrectKeyException, incorrectKey},
		{"DryRun", "Encrypt", &EncryptInput{KeyId: sym, Plaintext: []byte("m"), DryRun: ptr(true)}, "", DryRunOperationException,
			"The request would have succeeded, but the DryRun option is set."},

		// MAC.
		{"GenerateMac with another key's algorithm", "GenerateMac", &GenerateMacInput{KeyId: hmac224, Message: []byte("m"), MacAlgorithm: MacAlgorithmHmacSha256}, "", InvalidKeyUsageException,
			"Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224."},
		{"VerifyMac with another key's algorithm", "VerifyMac", &VerifyMacInput{KeyId: hmac256, Message: []byte("m"), Mac: []byte("m"), MacAlgorithm: MacAlgorithmHmacSha512}, "", InvalidKeyUsageException,
			"Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256."},
		{"GenerateMac with a symmetric key", "GenerateMac", &GenerateMacInput{KeyId: sym, Message: []byte("m"), MacAlgorithm: MacAlgorithmHmacSha256}, sym, InvalidKeyUsageException,
			"{arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac."},
		{"unknown MAC algorithm (model order)", "GenerateMac", &GenerateMacInput{KeyId: hmac256, Message: []byte("m"), MacAlgorithm: "INVALID"}, "", ValidationException,
			"1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_224, HMAC_SHA_256, HMAC_SHA_384, HMAC_SHA_512]"},

		// CreateKey.
		{"HMAC key without KeyUsage", "CreateKey", &CreateKeyInput{KeySpec: KeySpecHmac256}, "", ValidationException,
			"You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{"RSA key without KeyUsage", "CreateKey", &CreateKeyInput{KeySpec: KeySpecRsa2048}, "", ValidationException,
			"You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{"RSA key for key agreement", "CreateKey", &CreateKeyInput{KeySpec: KeySpecRsa2048, KeyUsage: KeyUsageKeyAgreement}, "", ValidationException,
			"KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"},
		{"HMAC key for encryption", "CreateKey", &CreateKeyInput{KeySpec: KeySpecHmac224, KeyUsage: KeyUsageEncryptDecrypt}, "", ValidationException,
			"KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_224"},
		{"unknown KeySpec (model order)", "CreateKey", &CreateKeyInput{KeySpec: "HMAC_random", KeyUsage: KeyUsageGenerateVerifyMac}, "", ValidationException,
			"1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: " + keySpecs},
		{"unknown KeyUsage (model order)", "CreateKey", &CreateKeyInput{KeySpec: KeySpecHmac256, KeyUsage: "RANDOM"}, "", ValidationException,
			"1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]"},

		// DeriveSharedSecret.
		{"DeriveSharedSecret with a SIGN_VERIFY key", "DeriveSharedSecret", &DeriveSharedSecretInput{KeyId: p256Sign, KeyAgreementAlgorithm: KeyAgreementAlgorithmEcdh, PublicKey: agreePub}, p256Sign, InvalidKeyUsageException,
			"{arn} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."},
		{"DeriveSharedSecret with a symmetric key", "DeriveSharedSecret", &DeriveSharedSecretInput{KeyId: sym, KeyAgreementAlgorithm: KeyAgreementAlgorithmEcdh, PublicKey: agreePub}, sym, InvalidKeyUsageException,
			"{arn} key usage is ENCRYPT_DECRYPT which is not valid for DeriveSharedSecret."},
		{"unknown key agreement algorithm", "DeriveSharedSecret", &DeriveSharedSecretInput{KeyId: p256Agree, KeyAgreementAlgorithm: "INVALID", PublicKey: agreePub}, "", ValidationException,
			"1 validation error detected: Value 'INVALID' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]"},
		{"malformed peer public key", "DeriveSharedSecret", &DeriveSharedSecretInput{KeyId: p256Agree, KeyAgreementAlgorithm: KeyAgreementAlgorithmEcdh, PublicKey: []byte("InvalidPublicKey")}, "", ValidationException, ""},

		// Import.
		{"KEY_MATERIAL_EXPIRES without ValidTo", "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: external, ImportToken: token, EncryptedKeyMaterial: wrapped,
			ExpirationModel: ExpirationModelKeyMaterialExpires}, "", ValidationException, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"},
		{"import parameters for an AWS_KMS key", "GetParametersForImport", &GetParametersForImportInput{KeyId: sym, WrappingAlgorithm: WrappingAlgorithmRsaesOaepSha256, WrappingKeySpec: WrappingKeySpecRsa2048}, sym,
			UnsupportedOperationException, "{arn} origin is AWS_KMS which is not valid for this operation."},

		// Rotation.
		{"on-demand rotation of an RSA key", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: rsaEnc}, "", UnsupportedOperationException, ""},
		{"26th on-demand rotation", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: limited}, limited, LimitExceededException,
			"The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {arn}"},
		{"on-demand rotation of imported material with none pending", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: imported}, imported, KMSInvalidStateException,
			"No available key material pending rotation for the key: {arn}."},
		{"on-demand rotation of a key pending import", "RotateKeyOnDemand", &RotateKeyOnDemandInput{KeyId: external}, external, KMSInvalidStateException, "{arn} is pending import."},
		{"new material while other material is pending", "ImportKeyMaterial", &ImportKeyMaterialInput{KeyId: pendingKey, ImportToken: tok3, EncryptedKeyMaterial: wrapped3,
			ExpirationModel: ExpirationModelKeyMaterialDoesNotExpire, ImportType: ImportTypeNewKeyMaterial}, "", KMSInvalidStateException,
			"New key material (id: " + importedMaterialID(pendingKey, third) + ") cannot be imported into KMS key " + pendingKey + ", because another key material (id: " + pending + ") is pending rotation."},

		// Key references.
		{"fake key id", "DescribeKey", &DescribeKeyInput{KeyId: "fake-key-id"}, "", NotFoundException, "Invalid keyId 'fake-key-id'"},
		{"key id without dashes", "GenerateMac", &GenerateMacInput{KeyId: "key_id", Message: []byte("m"), MacAlgorithm: MacAlgorithmHmacSha256}, "", NotFoundException, "Invalid keyId 'key_id'"},
		{"alias without its prefix", "CreateAlias", &CreateAliasInput{AliasName: "app", TargetKeyId: sym}, "", ValidationException,
			`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},

		// Grants. AWS sends this text for a grantee it cannot use (recorded
		// for a role ARN); pkms sends it for every grantee that is not an
		// account, user, role, assumed role or federated user.
		{"grantee that is an IAM group", "CreateGrant", &CreateGrantInput{KeyId: sym, GranteePrincipal: "arn:aws:iam::111122223333:group/admins", Operations: []GrantOperation{GrantOperationDecrypt}}, "", InvalidArnException,
			"ARN does not refer to a valid principal: arn:aws:iam::111122223333:group/admins"},
		{"grant with a state the key refuses", "CreateGrant", &CreateGrantInput{KeyId: external, GranteePrincipal: "arn:aws:iam::111122223333:role/x", Operations: []GrantOperation{GrantOperationDecrypt}}, external, KMSInvalidStateException, "{arn} is pending import."},
	}
	for _, tt := range tests {
		_, err := e.call(tt.op, tt.in)
		want := strings.ReplaceAll(tt.msg, "{arn}", e.keyArn(tt.key))
		if CodeOf(err) != tt.code || errMessage(err) != want {
			t.Errorf("%s (%s):\n got %v\nwant %s: %q", tt.name, tt.op, err, tt.code, want)
		}
	}
}
