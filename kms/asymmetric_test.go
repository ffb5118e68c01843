package kms

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/ecdh"
	"crypto/sha256"
	"crypto/x509"
	"slices"
	"testing"
)

// TestCreateKeySpecsAndUsages creates a key of every spec with every usage
// and checks that exactly AWS's combinations succeed, with the algorithm
// lists AWS shows in KeyMetadata.
func TestCreateKeySpecsAndUsages(t *testing.T) {
	rsaSign := []SigningAlgorithm{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"}
	rsaEnc := []EncryptionAlgorithm{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
	type algs struct {
		enc   []EncryptionAlgorithm
		sign  []SigningAlgorithm
		mac   []MacAlgorithm
		agree []KeyAgreementAlgorithm
	}
	valid := map[KeySpec]map[KeyUsage]algs{
		KeySpecSymmetricDefault:    {KeyUsageEncryptDecrypt: {enc: []EncryptionAlgorithm{"SYMMETRIC_DEFAULT"}}},
		KeySpecHmac224:             {KeyUsageGenerateVerifyMac: {mac: []MacAlgorithm{"HMAC_SHA_224"}}},
		KeySpecHmac512:             {KeyUsageGenerateVerifyMac: {mac: []MacAlgorithm{"HMAC_SHA_512"}}},
		KeySpecRsa2048:             {KeyUsageEncryptDecrypt: {enc: rsaEnc}, KeyUsageSignVerify: {sign: rsaSign}},
		KeySpecEccNistP256:         {KeyUsageSignVerify: {sign: []SigningAlgorithm{"ECDSA_SHA_256"}}, KeyUsageKeyAgreement: {agree: []KeyAgreementAlgorithm{"ECDH"}}},
		KeySpecEccNistP384:         {KeyUsageSignVerify: {sign: []SigningAlgorithm{"ECDSA_SHA_384"}}, KeyUsageKeyAgreement: {agree: []KeyAgreementAlgorithm{"ECDH"}}},
		KeySpecEccNistP521:         {KeyUsageSignVerify: {sign: []SigningAlgorithm{"ECDSA_SHA_512"}}, KeyUsageKeyAgreement: {agree: []KeyAgreementAlgorithm{"ECDH"}}},
		KeySpecEccSecgP256k1:       {KeyUsageSignVerify: {sign: []SigningAlgorithm{"ECDSA_SHA_256"}}},
		KeySpecEccNistEdwards25519: {KeyUsageSignVerify: {sign: []SigningAlgorithm{"ED25519_SHA_512", "ED25519_PH_SHA_512"}}},
		KeySpecMlDsa44:             {KeyUsageSignVerify: {sign: []SigningAlgorithm{"ML_DSA_SHAKE_256"}}},
	}
	e := newEnv(t)
	for spec, usages := range valid {
		for _, usage := range []KeyUsage{KeyUsageEncryptDecrypt, KeyUsageSignVerify, KeyUsageGenerateVerifyMac, KeyUsageKeyAgreement} {
			want, ok := usages[usage]
			out, err := e.call("CreateKey", &CreateKeyInput{KeySpec: spec, KeyUsage: usage})
			if !ok {
				wantCode(t, err, ValidationException)
				continue
			}
			if err != nil {
				t.Errorf("%s/%s: %v", spec, usage, err)
				continue
			}
			m := out.(*CreateKeyOutput).KeyMetadata
			if !slices.Equal(m.EncryptionAlgorithms, want.enc) || !slices.Equal(m.SigningAlgorithms, want.sign) ||
				!slices.Equal(m.MacAlgorithms, want.mac) || !slices.Equal(m.KeyAgreementAlgorithms, want.agree) {
				t.Errorf("%s/%s algorithms: enc %v sign %v mac %v agree %v; want %+v", spec, usage, m.EncryptionAlgorithms, m.SigningAlgorithms, m.MacAlgorithms, m.KeyAgreementAlgorithms, want)
			}
			wantCMK := spec != KeySpecEccNistEdwards25519 && spec != KeySpecMlDsa44
			if (m.CustomerMasterKeySpec != "") != wantCMK || m.KeySpec != spec || m.KeyUsage != usage {
				t.Errorf("%s/%s: CustomerMasterKeySpec %q KeySpec %q KeyUsage %q", spec, usage, m.CustomerMasterKeySpec, m.KeySpec, m.KeyUsage)
			}
		}
	}
	// AWS's default usage is ENCRYPT_DECRYPT whatever the spec, so a signing
	// spec without --key-usage is refused rather than guessed.
	_, err := e.call("CreateKey", &CreateKeyInput{KeySpec: KeySpecEccNistP256})
	wantCode(t, err, ValidationException)
	_, err = e.call("CreateKey", &CreateKeyInput{KeySpec: KeySpecSm2, KeyUsage: KeyUsageSignVerify})
	wantCode(t, err, UnsupportedOperationException)
}

func (e *testEnv) keyOf(spec KeySpec, usage KeyUsage) string {
	e.t.Helper()
	return e.createKey(&CreateKeyInput{KeySpec: spec, KeyUsage: usage}).KeyId
}

func TestSignVerify(t *testing.T) {
	e := newEnv(t)
	msg := []byte("release notes")
	digest := sha256.Sum256(msg)
	tests := []struct {
		spec KeySpec
		alg  SigningAlgorithm
	}{
		{KeySpecRsa2048, SigningAlgorithmRsassaPssSha256},
		{KeySpecRsa2048, SigningAlgorithmRsassaPkcs1V15Sha512},
		{KeySpecEccNistP256, SigningAlgorithmEcdsaSha256},
		{KeySpecEccNistP384, SigningAlgorithmEcdsaSha384},
		{KeySpecEccNistP521, SigningAlgorithmEcdsaSha512},
		{KeySpecEccSecgP256k1, SigningAlgorithmEcdsaSha256},
		{KeySpecEccNistEdwards25519, SigningAlgorithmEd25519Sha512},
		{KeySpecMlDsa65, SigningAlgorithmMlDsaShake256},
	}
	for _, tc := range tests {
		t.Run(string(tc.spec)+"/"+string(tc.alg), func(t *testing.T) {
			e := e.in(t)
			k := e.keyOf(tc.spec, KeyUsageSignVerify)
			sig := invokeOK[SignOutput](e, "Sign", &SignInput{KeyId: k, Message: msg, SigningAlgorithm: tc.alg})
			if sig.KeyId != e.keyArn(k) || sig.SigningAlgorithm != tc.alg || len(sig.Signature) == 0 {
				t.Fatalf("Sign output %+v", sig)
			}
			v := invokeOK[VerifyOutput](e, "Verify", &VerifyInput{KeyId: k, Message: msg, Signature: sig.Signature, SigningAlgorithm: tc.alg})
			if v.SignatureValid == nil || !*v.SignatureValid || v.KeyId != e.keyArn(k) {
				t.Fatalf("Verify output %+v", v)
			}
			bad := bytes.Clone(sig.Signature)
			bad[len(bad)/2] ^= 1
			_, err := e.call("Verify", &VerifyInput{KeyId: k, Message: msg, Signature: bad, SigningAlgorithm: tc.alg})
			wantErr(t, err, KMSInvalidSignatureException, "")
			_, err = e.call("Verify", &VerifyInput{KeyId: k, Message: []byte("other"), Signature: sig.Signature, SigningAlgorithm: tc.alg})
			wantErr(t, err, KMSInvalidSignatureException, "")
		})
	}
	// DIGEST signs the digest as given: it verifies as a RAW signature of the message.
	k := e.keyOf(KeySpecEccNistP256, KeyUsageSignVerify)
	sig := invokeOK[SignOutput](e, "Sign", &SignInput{KeyId: k, Message: digest[:], MessageType: MessageTypeDigest, SigningAlgorithm: SigningAlgorithmEcdsaSha256})
	invokeOK[VerifyOutput](e, "Verify", &VerifyInput{KeyId: k, Message: msg, Signature: sig.Signature, SigningAlgorithm: SigningAlgorithmEcdsaSha256})
	_, err := e.call("Sign", &SignInput{KeyId: k, Message: msg, MessageType: MessageTypeDigest, SigningAlgorithm: SigningAlgorithmEcdsaSha256})
	wantCode(t, err, ValidationException)
	_, err = e.call("Sign", &SignInput{KeyId: k, Message: msg, SigningAlgorithm: SigningAlgorithmEcdsaSha384})
	wantCode(t, err, InvalidKeyUsageException)
	_, err = e.call("Sign", &SignInput{KeyId: e.newKey(), Message: msg, SigningAlgorithm: SigningAlgorithmEcdsaSha256})
	wantCode(t, err, InvalidKeyUsageException)
	_, err = e.call("Sign", &SignInput{KeyId: k, Message: msg, SigningAlgorithm: SigningAlgorithmEcdsaSha256, DryRun: ptr(true)})
	wantCode(t, err, DryRunOperationException)
}

func TestGetPublicKey(t *testing.T) {
	e := newEnv(t)
	k := e.keyOf(KeySpecEccNistP384, KeyUsageSignVerify)
	out := invokeOK[GetPublicKeyOutput](e, "GetPublicKey", &GetPublicKeyInput{KeyId: k})
	pub, err := x509.ParsePKIXPublicKey(out.PublicKey)
	if err != nil {
		t.Fatalf("PublicKey is not DER SPKI: %v", err)
	}
	_ = pub
	if out.KeyId != e.keyArn(k) || out.KeySpec != KeySpecEccNistP384 || out.CustomerMasterKeySpec != "ECC_NIST_P384" ||
		out.KeyUsage != KeyUsageSignVerify || !slices.Equal(out.SigningAlgorithms, []SigningAlgorithm{"ECDSA_SHA_384"}) || out.EncryptionAlgorithms != nil {
		t.Fatalf("GetPublicKey output %+v", out)
	}
	for _, ref := range []string{e.newKey(), e.keyOf(KeySpecHmac256, KeyUsageGenerateVerifyMac)} {
		_, err := e.call("GetPublicKey", &GetPublicKeyInput{KeyId: ref})
		wantCode(t, err, UnsupportedOperationException)
	}
}

func TestRSAEncryption(t *testing.T) {
	e := newEnv(t)
	k := e.keyOf(KeySpecRsa2048, KeyUsageEncryptDecrypt)
	for _, alg := range []EncryptionAlgorithm{EncryptionAlgorithmRsaesOaepSha1, EncryptionAlgorithmRsaesOaepSha256} {
		enc := invokeOK[EncryptOutput](e, "Encrypt", &EncryptInput{KeyId: k, Plaintext: []byte("secret"), EncryptionAlgorithm: alg})
		if len(enc.CiphertextBlob) != 256 || enc.EncryptionAlgorithm != alg {
			t.Fatalf("%s: %d-byte ciphertext, algorithm %s", alg, len(enc.CiphertextBlob), enc.EncryptionAlgorithm)
		}
		dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{KeyId: k, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: alg})
		if string(dec.Plaintext) != "secret" || dec.EncryptionAlgorithm != alg || dec.KeyMaterialId != "" {
			t.Fatalf("%s: Decrypt output %+v", alg, dec)
		}
	}
	// AWS's plaintext limits: 190 bytes with SHA-256 on RSA_2048, 214 with SHA-1.
	for alg, max := range map[EncryptionAlgorithm]int{EncryptionAlgorithmRsaesOaepSha256: 190, EncryptionAlgorithmRsaesOaepSha1: 214} {
		invokeOK[EncryptOutput](e, "Encrypt", &EncryptInput{KeyId: k, Plaintext: make([]byte, max), EncryptionAlgorithm: alg})
		_, err := e.call("Encrypt", &EncryptInput{KeyId: k, Plaintext: make([]byte, max+1), EncryptionAlgorithm: alg})
		wantCode(t, err, ValidationException)
	}
	enc := invokeOK[EncryptOutput](e, "Encrypt", &EncryptInput{KeyId: k, Plaintext: []byte("x"), EncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha256})
	tests := []struct {
		name string
		in   *DecryptInput
		code ErrorCode
	}{
		{"no key id", &DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha256}, ValidationException},
		{"no algorithm", &DecryptInput{KeyId: k, CiphertextBlob: enc.CiphertextBlob}, InvalidKeyUsageException},
		{"other algorithm", &DecryptInput{KeyId: k, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha1}, InvalidCiphertextException},
		{"context", &DecryptInput{KeyId: k, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha256, EncryptionContext: map[string]string{"a": "b"}}, ValidationException},
		{"symmetric key with RSA algorithm", &DecryptInput{KeyId: e.newKey(), CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha256}, InvalidKeyUsageException},
	}
	for _, tc := range tests {
		_, err := e.call("Decrypt", tc.in)
		if CodeOf(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	_, err := e.call("Encrypt", &EncryptInput{KeyId: k, Plaintext: []byte("x")})
	wantCode(t, err, InvalidKeyUsageException)
	_, err = e.call("GenerateDataKey", &GenerateDataKeyInput{KeyId: k, KeySpec: DataKeySpecAes256})
	wantCode(t, err, InvalidKeyUsageException)

	// ReEncrypt from RSA to symmetric and back.
	sym := e.newKey()
	re := invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceKeyId: k,
		SourceEncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha256, DestinationKeyId: sym})
	back := invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{CiphertextBlob: re.CiphertextBlob, DestinationKeyId: k,
		DestinationEncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha1})
	if re.SourceEncryptionAlgorithm != "RSAES_OAEP_SHA_256" || back.DestinationEncryptionAlgorithm != "RSAES_OAEP_SHA_1" || back.SourceKeyMaterialId == "" {
		t.Fatalf("ReEncrypt outputs %+v / %+v", re, back)
	}
	dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{KeyId: k, CiphertextBlob: back.CiphertextBlob, EncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha1})
	if string(dec.Plaintext) != "x" {
		t.Fatalf("round trip gave %q", dec.Plaintext)
	}
}

func TestMAC(t *testing.T) {
	e := newEnv(t)
	k := e.keyOf(KeySpecHmac256, KeyUsageGenerateVerifyMac)
	mac := invokeOK[GenerateMacOutput](e, "GenerateMac", &GenerateMacInput{KeyId: k, Message: []byte("m"), MacAlgorithm: MacAlgorithmHmacSha256})
	if len(mac.Mac) != 32 || mac.KeyId != e.keyArn(k) || mac.MacAlgorithm != MacAlgorithmHmacSha256 {
		t.Fatalf("GenerateMac output %+v", mac)
	}
	v := invokeOK[VerifyMacOutput](e, "VerifyMac", &VerifyMacInput{KeyId: k, Message: []byte("m"), Mac: mac.Mac, MacAlgorithm: MacAlgorithmHmacSha256})
	if v.MacValid == nil || !*v.MacValid {
		t.Fatalf("VerifyMac output %+v", v)
	}
	_, err := e.call("VerifyMac", &VerifyMacInput{KeyId: k, Message: []byte("n"), Mac: mac.Mac, MacAlgorithm: MacAlgorithmHmacSha256})
	wantErr(t, err, KMSInvalidMacException, "")
	_, err = e.call("VerifyMac", &VerifyMacInput{KeyId: k, Message: []byte("m"), Mac: mac.Mac[:31], MacAlgorithm: MacAlgorithmHmacSha256})
	wantErr(t, err, KMSInvalidMacException, "")
	_, err = e.call("GenerateMac", &GenerateMacInput{KeyId: k, Message: []byte("m"), MacAlgorithm: MacAlgorithmHmacSha512})
	wantCode(t, err, InvalidKeyUsageException)
	_, err = e.call("GenerateMac", &GenerateMacInput{KeyId: e.newKey(), Message: []byte("m"), MacAlgorithm: MacAlgorithmHmacSha256})
	wantCode(t, err, InvalidKeyUsageException)
	// Two HMAC keys do not share material.
	other := e.keyOf(KeySpecHmac256, KeyUsageGenerateVerifyMac)
	_, err = e.call("VerifyMac", &VerifyMacInput{KeyId: other, Message: []byte("m"), Mac: mac.Mac, MacAlgorithm: MacAlgorithmHmacSha256})
	wantErr(t, err, KMSInvalidMacException, "")
}

func TestDeriveSharedSecret(t *testing.T) {
	e := newEnv(t)
	k := e.keyOf(KeySpecEccNistP256, KeyUsageKeyAgreement)
	peer, err := ecdh.P256().GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	peerDER, _ := x509.MarshalPKIXPublicKey(peer.PublicKey())
	out := invokeOK[DeriveSharedSecretOutput](e, "DeriveSharedSecret", &DeriveSharedSecretInput{KeyId: k, KeyAgreementAlgorithm: KeyAgreementAlgorithmEcdh, PublicKey: peerDER})
	pubDER := invokeOK[GetPublicKeyOutput](e, "GetPublicKey", &GetPublicKeyInput{KeyId: k}).PublicKey
	parsed, err := x509.ParsePKIXPublicKey(pubDER)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := parsed.(interface {
		ECDH() (*ecdh.PublicKey, error)
	}).ECDH()
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := peer.ECDH(ours)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.SharedSecret, theirs) || out.KeyOrigin != OriginAwsKms || out.KeyAgreementAlgorithm != "ECDH" {
		t.Fatalf("shared secrets differ or output wrong: %+v", out)
	}
	p384, _ := ecdh.P384().GenerateKey(nil)
	p384DER, _ := x509.MarshalPKIXPublicKey(p384.PublicKey())
	_, err = e.call("DeriveSharedSecret", &DeriveSharedSecretInput{KeyId: k, KeyAgreementAlgorithm: KeyAgreementAlgorithmEcdh, PublicKey: p384DER})
	wantCode(t, err, ValidationException)
	_, err = e.call("DeriveSharedSecret", &DeriveSharedSecretInput{KeyId: e.keyOf(KeySpecEccNistP256, KeyUsageSignVerify), KeyAgreementAlgorithm: KeyAgreementAlgorithmEcdh, PublicKey: peerDER})
	wantCode(t, err, InvalidKeyUsageException)
}

func TestGenerateDataKeyPair(t *testing.T) {
	e := newEnv(t)
	k := e.newKey()
	for _, spec := range []DataKeyPairSpec{DataKeyPairSpecRsa2048, DataKeyPairSpecEccNistP256, DataKeyPairSpecEccSecgP256k1, DataKeyPairSpecEccNistEdwards25519} {
		out := invokeOK[GenerateDataKeyPairOutput](e, "GenerateDataKeyPair", &GenerateDataKeyPairInput{KeyId: k, KeyPairSpec: spec, EncryptionContext: map[string]string{"p": "q"}})
		if out.KeyPairSpec != spec || out.KeyId != e.keyArn(k) || len(out.PublicKey) == 0 || out.KeyMaterialId == "" {
			t.Fatalf("%s: output %+v", spec, out)
		}
		dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: map[string]string{"p": "q"}})
		if !bytes.Equal(dec.Plaintext, out.PrivateKeyPlaintext) {
			t.Fatalf("%s: the encrypted private key does not decrypt to the plaintext one", spec)
		}
		if spec != DataKeyPairSpecEccSecgP256k1 { // the standard library has no secp256k1
			priv, err := x509.ParsePKCS8PrivateKey(out.PrivateKeyPlaintext)
			if err != nil {
				t.Fatalf("%s: private key is not PKCS#8: %v", spec, err)
			}
			pub, _ := x509.MarshalPKIXPublicKey(priv.(stdcrypto.Signer).Public())
			if !bytes.Equal(pub, out.PublicKey) {
				t.Fatalf("%s: public key does not match the private key", spec)
			}
		}
	}
	np := invokeOK[GenerateDataKeyPairWithoutPlaintextOutput](e, "GenerateDataKeyPairWithoutPlaintext", &GenerateDataKeyPairWithoutPlaintextInput{KeyId: k, KeyPairSpec: DataKeyPairSpecEccNistP384})
	if len(np.PrivateKeyCiphertextBlob) == 0 || len(np.PublicKey) == 0 {
		t.Fatalf("without plaintext: %+v", np)
	}
	_, err := e.call("GenerateDataKeyPair", &GenerateDataKeyPairInput{KeyId: k, KeyPairSpec: DataKeyPairSpecSm2})
	wantCode(t, err, UnsupportedOperationException)
	_, err = e.call("GenerateDataKeyPair", &GenerateDataKeyPairInput{KeyId: e.keyOf(KeySpecRsa2048, KeyUsageEncryptDecrypt), KeyPairSpec: DataKeyPairSpecEccNistP256})
	wantCode(t, err, InvalidKeyUsageException)
}
