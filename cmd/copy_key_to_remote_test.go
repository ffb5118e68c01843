package cmd

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pocketkms/pkms/kms"
)

// scriptedKMS answers operations from a table and records the calls.
type scriptedKMS struct {
	answers map[string]func(in any) (any, error)
	calls   []string
}

func (s *scriptedKMS) invoke(_ context.Context, op *kms.Operation, in any) (any, error) {
	s.calls = append(s.calls, op.Name)
	if f := s.answers[op.Name]; f != nil {
		return f(in)
	}
	return op.NewOutput(), nil
}

func (s *scriptedKMS) close() {}

// TestCopyKeyToRemoteRefusals covers what the end-to-end script cannot
// reach cheaply: keys in custom key stores, and a failure after the
// remote key exists, which must leave it and say how to resume.
func TestCopyKeyToRemoteRefusals(t *testing.T) {
	describe := func(md kms.KeyMetadata) func(any) (any, error) {
		return func(any) (any, error) { return &kms.DescribeKeyOutput{KeyMetadata: &md}, nil }
	}
	ecc := kms.KeyMetadata{KeyId: "k1", Arn: "arn:aws:kms:us-east-1:111122223333:key/k1", KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY"}
	inStore := ecc
	inStore.KeySpec, inStore.KeyUsage, inStore.CustomKeyStoreId = "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "cks-1234"
	mldsa := ecc
	mldsa.KeySpec = "ML_DSA_65"
	exported := func(any) (any, error) {
		return &kms.ExportKeyMaterialOutput{EncryptedKeyMaterial: []byte("wrapped")}, nil
	}
	for _, tc := range []struct {
		name        string
		local       map[string]func(any) (any, error)
		remote      map[string]func(any) (any, error)
		wantErr     string
		wantHint    string
		wantRemote  []string
		wantUsage   bool
		wantService bool
	}{
		{name: "custom key store", local: map[string]func(any) (any, error){"DescribeKey": describe(inStore)},
			wantErr: "is in the custom key store cks-1234", wantUsage: true},
		{name: "spec not imported", local: map[string]func(any) (any, error){"DescribeKey": describe(mldsa)},
			wantErr: "key spec ML_DSA_65, whose key material a KMS does not import", wantUsage: true},
		{name: "not exportable", local: map[string]func(any) (any, error){"DescribeKey": describe(ecc),
			"ExportKeyMaterial": func(any) (any, error) {
				return nil, &opError{op: "ExportKeyMaterial", err: &kms.Error{Code: "UnsupportedOperationException", Message: "not exportable"}}
			}},
			wantErr: "UnsupportedOperationException", wantService: true},
		{name: "import fails midway", local: map[string]func(any) (any, error){"DescribeKey": describe(ecc), "ExportKeyMaterial": exported},
			remote: map[string]func(any) (any, error){
				"CreateKey": func(any) (any, error) {
					return &kms.CreateKeyOutput{KeyMetadata: &kms.KeyMetadata{KeyId: "r1", Arn: "arn:aws:kms:us-east-1:222233334444:key/r1"}}, nil
				},
				"ImportKeyMaterial": func(any) (any, error) {
					return nil, &opError{op: "ImportKeyMaterial", err: &kms.Error{Code: "ExpiredImportTokenException", Message: "expired"}}
				}},
			wantErr:    "ExpiredImportTokenException",
			wantHint:   "--target-key-id arn:aws:kms:us-east-1:222233334444:key/r1",
			wantRemote: []string{"CreateKey", "GetParametersForImport", "ImportKeyMaterial"}, wantService: true},
		{name: "copied", local: map[string]func(any) (any, error){"DescribeKey": describe(ecc), "ExportKeyMaterial": exported},
			remote: map[string]func(any) (any, error){
				"CreateKey": func(any) (any, error) {
					return &kms.CreateKeyOutput{KeyMetadata: &kms.KeyMetadata{KeyId: "r1", Arn: "arn:r1"}}, nil
				}},
			wantRemote: []string{"CreateKey", "GetParametersForImport", "ImportKeyMaterial", "CreateAlias", "DescribeKey"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			g := newGlobals(&env{getenv: func(string) string { return "" }, stdout: &bytes.Buffer{}, stderr: &stderr})
			g.remote.endpoint = "http://kms.example"
			local, remote := &scriptedKMS{answers: tc.local}, &scriptedKMS{answers: tc.remote}
			cp := &keyCopy{g: g, local: local, remote: remote}
			_, err := cp.run(context.Background(), "k1", "", "alias/copied")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("run: %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("run error = %v; want %q", err, tc.wantErr)
			}
			var ue *usageError
			var oe *opError
			if tc.wantUsage != errors.As(err, &ue) || tc.wantService != errors.As(err, &oe) {
				t.Errorf("error %T: want usage %v, service %v", err, tc.wantUsage, tc.wantService)
			}
			if strings.Join(remote.calls, ",") != strings.Join(tc.wantRemote, ",") {
				t.Errorf("remote calls %v; want %v", remote.calls, tc.wantRemote)
			}
			if tc.wantHint != "" && !strings.Contains(stderr.String(), tc.wantHint) {
				t.Errorf("stderr %q; want the hint %q", stderr.String(), tc.wantHint)
			}
			if tc.wantHint == "" && stderr.Len() > 0 {
				t.Errorf("unexpected stderr %q", stderr.String())
			}
		})
	}
}
