package kms

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"
)

const dryRunMsg = "The request would have succeeded, but the DryRun option is set."

func TestEncryptDecryptRoundTrip(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	material := e.describe(id).CurrentKeyMaterialId
	for _, n := range []int{1, 100, 4096} {
		pt := bytes.Repeat([]byte{0xa5}, n)
		enc := e.encrypt(id, pt, nil)
		if enc.KeyId != e.keyArn(id) || enc.EncryptionAlgorithm != EncryptionAlgorithmSymmetricDefault || len(enc.CiphertextBlob) > 6144 {
			t.Errorf("%d bytes: Encrypt KeyId %s, EncryptionAlgorithm %s, %d-byte blob", n, enc.KeyId, enc.EncryptionAlgorithm, len(enc.CiphertextBlob))
		}
		if bytes.Contains(enc.CiphertextBlob, pt[:min(n, 16)]) && n >= 16 {
			t.Errorf("%d bytes: the ciphertext contains the plaintext", n)
		}
		dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: enc.CiphertextBlob})
		if !bytes.Equal(dec.Plaintext, pt) {
			t.Errorf("%d bytes: Decrypt returned %d bytes that differ", n, len(dec.Plaintext))
		}
		if dec.KeyId != e.keyArn(id) || dec.EncryptionAlgorithm != EncryptionAlgorithmSymmetricDefault || dec.KeyMaterialId != material {
			t.Errorf("%d bytes: Decrypt KeyId %s, EncryptionAlgorithm %s, KeyMaterialId %s (CurrentKeyMaterialId %s)",
				n, dec.KeyId, dec.EncryptionAlgorithm, dec.KeyMaterialId, material)
		}
	}
	// Two encryptions of the same plaintext differ (fresh nonce).
	a, b := e.encrypt(id, []byte("same"), nil), e.encrypt(id, []byte("same"), nil)
	if bytes.Equal(a.CiphertextBlob, b.CiphertextBlob) {
		t.Error("two encryptions gave the same ciphertext")
	}
}

func TestEncryptionAlgorithm(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	out := invokeOK[EncryptOutput](e, "Encrypt", &EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault})
	invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault})
	_, err := e.call("Encrypt", &EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionAlgorithm: EncryptionAlgorithmRsaesOaepSha256})
	wantCode(t, err, InvalidKeyUsageException)
}

func TestEncryptPlaintextSize(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	tests := []struct {
		plaintext []byte
		msg       string
	}{
		{make([]byte, 4097), validationMsg("Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")},
		{[]byte{}, validationMsg("Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{nil, validationMsg("Value null at 'plaintext' failed to satisfy constraint: Member must not be null")},
	}
	for _, tt := range tests {
		_, err := e.call("Encrypt", &EncryptInput{KeyId: id, Plaintext: tt.plaintext})
		wantErr(t, err, ValidationException, tt.msg)
	}
}

func TestEncryptionContextMustMatchExactly(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	encCtx := map[string]string{"purpose": "test", "dept": "finance", "ab": "c"}
	blob := e.encrypt(id, []byte("payload"), encCtx).CiphertextBlob

	ok := map[string]string{}
	for _, k := range []string{"ab", "dept", "purpose"} { // another insertion order
		ok[k] = encCtx[k]
	}
	if dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: blob, EncryptionContext: ok}); string(dec.Plaintext) != "payload" {
		t.Errorf("Decrypt with the same context: %q", dec.Plaintext)
	}
	bad := map[string]map[string]string{
		"none":           nil,
		"extra pair":     {"purpose": "test", "dept": "finance", "ab": "c", "x": "y"},
		"missing pair":   {"purpose": "test", "dept": "finance"},
		"changed value":  {"purpose": "test", "dept": "Finance", "ab": "c"},
		"changed key":    {"Purpose": "test", "dept": "finance", "ab": "c"},
		"moved boundary": {"purpose": "test", "dept": "finance", "a": "bc"},
		"empty value":    {"purpose": "", "dept": "finance", "ab": "c"},
	}
	for name, c := range bad {
		_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: blob, EncryptionContext: c})
		if err == nil {
			t.Errorf("%s: Decrypt succeeded", name)
			continue
		}
		wantErr(t, err, InvalidCiphertextException, "")
	}
	// And the other way round: a ciphertext without context needs none.
	plain := e.encrypt(id, []byte("payload"), nil).CiphertextBlob
	_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: plain, EncryptionContext: map[string]string{"a": "b"}})
	wantErr(t, err, InvalidCiphertextException, "")
}

// TestTamperedCiphertextNeverDecrypts flips every byte of a short
// ciphertext, and truncates it at every length: decryption must fail, with
// InvalidCiphertextException and no message, or NotFoundException where the
// change lands in the key id the blob carries.
func TestTamperedCiphertextNeverDecrypts(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	blob := e.encrypt(id, []byte("z"), map[string]string{"k": "v"}).CiphertextBlob
	keyIDStart := bytes.Index(blob, []byte(id))
	if keyIDStart < 0 {
		t.Fatal("the blob does not carry the key id")
	}
	keyIDEnd := keyIDStart + len(id)
	check := func(what string, tampered []byte, keyIDTouched bool) {
		t.Helper()
		_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: tampered, EncryptionContext: map[string]string{"k": "v"}})
		switch {
		case err == nil:
			t.Errorf("%s: Decrypt succeeded", what)
		case CodeOf(err) == InvalidCiphertextException:
			if errMessage(err) != "" {
				t.Errorf("%s: InvalidCiphertextException with message %q", what, errMessage(err))
			}
		case CodeOf(err) == NotFoundException && keyIDTouched:
		default:
			t.Errorf("%s: %v", what, err)
		}
	}
	for i := range blob {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			tampered := bytes.Clone(blob)
			tampered[i] ^= mask
			// The byte before the key id is its length.
			check("flip byte "+strconv.Itoa(i)+" ^"+strconv.Itoa(int(mask)), tampered, i >= keyIDStart-1 && i < keyIDEnd)
		}
	}
	for n := 1; n < len(blob); n++ {
		check("truncate to "+strconv.Itoa(n), blob[:n], false)
	}
	check("append a byte", append(bytes.Clone(blob), 0), false)
}

func TestDecryptKeyIdMustNameTheEncryptingKey(t *testing.T) {
	e := newEnv(t)
	id, other := e.newKey(), e.newKey()
	e.createAlias("alias/right", id)
	e.createAlias("alias/wrong", other)
	blob := e.encrypt(id, []byte("p"), nil).CiphertextBlob
	for _, ref := range []string{id, e.keyArn(id), "alias/right", e.aliasArn("alias/right")} {
		dec, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: blob, KeyId: ref})
		if err != nil || string(dec.(*DecryptOutput).Plaintext) != "p" {
			t.Errorf("Decrypt with KeyId %s: %v", ref, err)
		}
	}
	for _, ref := range []string{other, e.keyArn(other), "alias/wrong", e.aliasArn("alias/wrong")} {
		_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: blob, KeyId: ref})
		wantCode(t, err, IncorrectKeyException)
	}
}

func TestReEncrypt(t *testing.T) {
	e := newEnv(t)
	src, dst := e.newKey(), e.newKey()
	srcMat, dstMat := e.describe(src).CurrentKeyMaterialId, e.describe(dst).CurrentKeyMaterialId
	e.createAlias("alias/dst", dst)
	blob := e.encrypt(src, []byte("move me"), map[string]string{"a": "1"}).CiphertextBlob

	t.Run("to another key", func(t *testing.T) {
		e := e.in(t)
		out := invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{
			CiphertextBlob: blob, SourceEncryptionContext: map[string]string{"a": "1"}, DestinationKeyId: "alias/dst",
		})
		want := ReEncryptOutput{CiphertextBlob: out.CiphertextBlob, SourceKeyId: e.keyArn(src), KeyId: e.keyArn(dst),
			SourceEncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault, DestinationEncryptionAlgorithm: EncryptionAlgorithmSymmetricDefault,
			SourceKeyMaterialId: srcMat, DestinationKeyMaterialId: dstMat}
		if !reflect.DeepEqual(*out, want) {
			t.Errorf("got %+v\nwant %+v", *out, want)
		}
		dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: out.CiphertextBlob})
		if string(dec.Plaintext) != "move me" || dec.KeyId != e.keyArn(dst) {
			t.Errorf("the new ciphertext decrypts to %q under %s", dec.Plaintext, dec.KeyId)
		}
		_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: out.CiphertextBlob, KeyId: src})
		wantCode(t, err, IncorrectKeyException)
	})
	t.Run("same key, new context", func(t *testing.T) {
		e := e.in(t)
		out := invokeOK[ReEncryptOutput](e, "ReEncrypt", &ReEncryptInput{
			CiphertextBlob: blob, SourceEncryptionContext: map[string]string{"a": "1"},
			DestinationKeyId: src, DestinationEncryptionContext: map[string]string{"b": "2"},
		})
		if out.SourceKeyId != e.keyArn(src) || out.KeyId != e.keyArn(src) {
			t.Errorf("SourceKeyId %s KeyId %s", out.SourceKeyId, out.KeyId)
		}
		_, err := e.call("Decrypt", &DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: map[string]string{"a": "1"}})
		wantErr(t, err, InvalidCiphertextException, "")
		dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: map[string]string{"b": "2"}})
		if string(dec.Plaintext) != "move me" {
			t.Errorf("decrypts to %q", dec.Plaintext)
		}
	})
	t.Run("wrong source context", func(t *testing.T) {
		e := e.in(t)
		_, err := e.call("ReEncrypt", &ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: dst})
		wantErr(t, err, InvalidCiphertextException, "")
	})
	t.Run("wrong SourceKeyId", func(t *testing.T) {
		e := e.in(t)
		_, err := e.call("ReEncrypt", &ReEncryptInput{CiphertextBlob: blob, SourceKeyId: dst, DestinationKeyId: dst,
			SourceEncryptionContext: map[string]string{"a": "1"}})
		wantCode(t, err, IncorrectKeyException)
	})
	t.Run("disabled source", func(t *testing.T) {
		e := newEnv(t)
		src, dst := e.newKey(), e.newKey()
		blob := e.encrypt(src, []byte("x"), nil).CiphertextBlob
		e.putState(src, KeyStateDisabled)
		_, err := e.call("ReEncrypt", &ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: dst})
		wantErr(t, err, DisabledException, e.keyArn(src)+" is disabled.")
	})
}

func TestGenerateDataKey(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	material := e.describe(id).CurrentKeyMaterialId
	encCtx := map[string]string{"bucket": "b1"}
	tests := []struct {
		spec DataKeySpec
		n    *int32
		want int
	}{
		{DataKeySpecAes256, nil, 32},
		{DataKeySpecAes128, nil, 16},
		{"", ptr(int32(1)), 1},
		{"", ptr(int32(1024)), 1024},
	}
	for _, tt := range tests {
		out := invokeOK[GenerateDataKeyOutput](e, "GenerateDataKey", &GenerateDataKeyInput{KeyId: id, KeySpec: tt.spec, NumberOfBytes: tt.n, EncryptionContext: encCtx})
		if len(out.Plaintext) != tt.want || out.KeyId != e.keyArn(id) || out.KeyMaterialId != material {
			t.Errorf("%s/%v: %d-byte key, KeyId %s, KeyMaterialId %s", tt.spec, deref(tt.n), len(out.Plaintext), out.KeyId, out.KeyMaterialId)
		}
		dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: encCtx})
		if !bytes.Equal(dec.Plaintext, out.Plaintext) {
			t.Errorf("%s/%v: the data key ciphertext does not decrypt to the plaintext data key", tt.spec, deref(tt.n))
		}
	}
	a := invokeOK[GenerateDataKeyOutput](e, "GenerateDataKey", &GenerateDataKeyInput{KeyId: id, KeySpec: DataKeySpecAes256})
	b := invokeOK[GenerateDataKeyOutput](e, "GenerateDataKey", &GenerateDataKeyInput{KeyId: id, KeySpec: DataKeySpecAes256})
	if bytes.Equal(a.Plaintext, b.Plaintext) {
		t.Error("two data keys are equal")
	}
}

func TestGenerateDataKeyNeedsExactlyOneSize(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	const msg = "Please specify either number of bytes or key spec."
	_, err := e.call("GenerateDataKey", &GenerateDataKeyInput{KeyId: id})
	wantErr(t, err, ValidationException, msg)
	_, err = e.call("GenerateDataKey", &GenerateDataKeyInput{KeyId: id, KeySpec: DataKeySpecAes256, NumberOfBytes: ptr(int32(32))})
	wantErr(t, err, ValidationException, msg)
	_, err = e.call("GenerateDataKeyWithoutPlaintext", &GenerateDataKeyWithoutPlaintextInput{KeyId: id})
	wantErr(t, err, ValidationException, msg)
	_, err = e.call("GenerateDataKey", &GenerateDataKeyInput{KeyId: id, NumberOfBytes: ptr(int32(1025))})
	wantErr(t, err, ValidationException, validationMsg("Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"))
	_, err = e.call("GenerateDataKey", &GenerateDataKeyInput{KeyId: id, NumberOfBytes: ptr(int32(0))})
	wantErr(t, err, ValidationException, validationMsg("Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"))
}

func TestGenerateDataKeyWithoutPlaintext(t *testing.T) {
	if _, has := reflect.TypeFor[GenerateDataKeyWithoutPlaintextOutput]().FieldByName("Plaintext"); has {
		t.Fatal("GenerateDataKeyWithoutPlaintextOutput has a Plaintext member")
	}
	e := newEnv(t)
	id := e.newKey()
	out := invokeOK[GenerateDataKeyWithoutPlaintextOutput](e, "GenerateDataKeyWithoutPlaintext",
		&GenerateDataKeyWithoutPlaintextInput{KeyId: id, KeySpec: DataKeySpecAes128, EncryptionContext: map[string]string{"c": "d"}})
	if out.KeyId != e.keyArn(id) || out.KeyMaterialId != e.describe(id).CurrentKeyMaterialId {
		t.Errorf("KeyId %s KeyMaterialId %s", out.KeyId, out.KeyMaterialId)
	}
	dec := invokeOK[DecryptOutput](e, "Decrypt", &DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: map[string]string{"c": "d"}})
	if len(dec.Plaintext) != 16 {
		t.Errorf("the data key is %d bytes, want 16", len(dec.Plaintext))
	}
}

func TestGenerateRandom(t *testing.T) {
	e := newEnv(t)
	for _, n := range []int32{1, 1024} {
		out := invokeOK[GenerateRandomOutput](e, "GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr(n)})
		if len(out.Plaintext) != int(n) {
			t.Errorf("NumberOfBytes %d: %d bytes", n, len(out.Plaintext))
		}
	}
	_, err := e.call("GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr(int32(0))})
	wantErr(t, err, ValidationException, validationMsg("Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"))
	_, err = e.call("GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr(int32(1025))})
	wantErr(t, err, ValidationException, validationMsg("Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"))
	_, err = e.call("GenerateRandom", &GenerateRandomInput{})
	wantCode(t, err, ValidationException)
	_, err = e.call("GenerateRandom", &GenerateRandomInput{NumberOfBytes: ptr(int32(8)), CustomKeyStoreId: "cks-1234567890abcdef0"})
	wantCode(t, err, CustomKeyStoreNotFoundException)
}

// TestDryRun: a request that would succeed answers DryRunOperationException;
// one that would fail answers its real error.
func TestDryRun(t *testing.T) {
	e := newEnv(t)
	enabled, disabled := e.newKey(), e.newKey()
	blobs := map[string][]byte{enabled: e.encrypt(enabled, []byte("x"), nil).CiphertextBlob, disabled: e.encrypt(disabled, []byte("x"), nil).CiphertextBlob}
	e.putState(disabled, KeyStateDisabled)
	dry := ptr(true)
	requests := map[string]func(id string) any{
		"Encrypt": func(id string) any { return &EncryptInput{KeyId: id, Plaintext: []byte("x"), DryRun: dry} },
		"Decrypt": func(id string) any { return &DecryptInput{CiphertextBlob: blobs[id], DryRun: dry} },
		"GenerateDataKey": func(id string) any {
			return &GenerateDataKeyInput{KeyId: id, KeySpec: DataKeySpecAes256, DryRun: dry}
		},
		"GenerateDataKeyWithoutPlaintext": func(id string) any {
			return &GenerateDataKeyWithoutPlaintextInput{KeyId: id, KeySpec: DataKeySpecAes256, DryRun: dry}
		},
		"ReEncrypt": func(id string) any {
			return &ReEncryptInput{CiphertextBlob: blobs[id], DestinationKeyId: id, DryRun: dry}
		},
	}
	for op, req := range requests {
		out, err := e.call(op, req(enabled))
		wantErr(t, err, DryRunOperationException, dryRunMsg)
		if out != nil && !reflect.ValueOf(out).IsNil() {
			t.Errorf("%s DryRun returned output %+v", op, out)
		}
		_, err = e.call(op, req(disabled))
		wantErr(t, err, DisabledException, e.keyArn(disabled)+" is disabled.")
	}
}

func TestDecryptDryRunIgnoreCiphertext(t *testing.T) {
	e := newEnv(t)
	id, disabled := e.newKey(), e.newKey()
	e.putState(disabled, KeyStateDisabled)
	ignore := []DryRunModifierType{DryRunModifierTypeIgnoreCiphertext}
	_, err := e.call("Decrypt", &DecryptInput{KeyId: id, DryRun: ptr(true), DryRunModifiers: ignore})
	wantErr(t, err, DryRunOperationException, dryRunMsg)
	_, err = e.call("Decrypt", &DecryptInput{KeyId: disabled, DryRun: ptr(true), DryRunModifiers: ignore})
	wantErr(t, err, DisabledException, e.keyArn(disabled)+" is disabled.")
	_, err = e.call("Decrypt", &DecryptInput{DryRun: ptr(true), DryRunModifiers: ignore})
	wantCode(t, err, ValidationException)
	// Without the modifier the ciphertext is required.
	_, err = e.call("Decrypt", &DecryptInput{KeyId: id, DryRun: ptr(true)})
	wantCode(t, err, ValidationException)
	_, err = e.call("Decrypt", &DecryptInput{KeyId: id, DryRun: ptr(true), DryRunModifiers: []DryRunModifierType{"IGNORE_EVERYTHING"}})
	wantCode(t, err, ValidationException)
}

func TestRecipientIsUnsupported(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	blob := e.encrypt(id, []byte("x"), nil).CiphertextBlob
	r := &RecipientInfo{KeyEncryptionAlgorithm: KeyEncryptionMechanismRsaesOaepSha256, AttestationDocument: []byte("doc")}
	for op, in := range map[string]any{
		"Decrypt":         &DecryptInput{CiphertextBlob: blob, Recipient: r},
		"GenerateDataKey": &GenerateDataKeyInput{KeyId: id, KeySpec: DataKeySpecAes256, Recipient: r},
		"GenerateRandom":  &GenerateRandomInput{NumberOfBytes: ptr(int32(8)), Recipient: r},
	} {
		_, err := e.call(op, in)
		if CodeOf(err) != UnsupportedOperationException {
			t.Errorf("%s with Recipient: %v, want UnsupportedOperationException", op, err)
		}
	}
}

// TestConcurrentUse runs writers and readers at once over one service with
// the default random source (the race detector watches for shared state).
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, withSystemRand())
	id := e.newKey()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		wg.Go(func() {
			for i := range 8 {
				pt := []byte(fmt.Sprintf("worker %d message %d", w, i))
				enc, err := e.svc.Invoke(e.ctx, "Encrypt", &EncryptInput{KeyId: id, Plaintext: pt})
				if err != nil {
					errs <- err
					return
				}
				dec, err := e.svc.Invoke(e.ctx, "Decrypt", &DecryptInput{CiphertextBlob: enc.(*EncryptOutput).CiphertextBlob})
				if err != nil || !bytes.Equal(dec.(*DecryptOutput).Plaintext, pt) {
					errs <- fmt.Errorf("round trip %d/%d: %v", w, i, err)
					return
				}
				if _, err := e.svc.Invoke(e.ctx, "CreateAlias", &CreateAliasInput{AliasName: fmt.Sprintf("alias/w%d-%d", w, i), TargetKeyId: id}); err != nil && CodeOf(err) != LimitExceededException {
					errs <- err
					return
				}
				if _, err := e.svc.Invoke(e.ctx, "ListAliases", &ListAliasesInput{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(e.listAliases(id)); n != 50 {
		t.Errorf("%d aliases after 64 concurrent CreateAlias calls, want the quota of 50", n)
	}
}
