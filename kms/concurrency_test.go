package kms

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/pocketkms/pkms/crypto"
)

// rsa4096 is one real RSA_4096 key pair, made once: the tests below hold
// its generation open by hand instead of waiting seconds for new ones.
var rsa4096 = sync.OnceValues(func() ([2][]byte, error) {
	priv, pub, err := crypto.GenerateKeyPair(rand.Reader, "RSA_4096")
	return [2][]byte{priv, pub}, err
})

// TestSlowKeyGenerationHoldsNoWriteLock: while an RSA_4096 key pair is
// being made (held open by the test), other writes complete; the slow
// operation then completes (or, cancelled meanwhile, stores nothing), and
// the private key it was handed is wiped either way.
func TestSlowKeyGenerationHoldsNoWriteLock(t *testing.T) {
	if _, err := rsa4096(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		external bool // the slow operation needs an EXTERNAL key
		slow     func(e *testEnv, ctx context.Context, keyID string) error
	}{
		{"CreateKey RSA_4096", false, func(e *testEnv, ctx context.Context, _ string) error {
			out, err := e.svc.CreateKey(ctx, &CreateKeyInput{KeySpec: KeySpecRsa4096, KeyUsage: KeyUsageSignVerify})
			if err == nil && out.KeyMetadata.KeySpec != KeySpecRsa4096 {
				return errors.New("not an RSA_4096 key")
			}
			return err
		}},
		{"GetParametersForImport with an RSA_4096 wrapping key", true, func(e *testEnv, ctx context.Context, keyID string) error {
			out, err := e.svc.GetParametersForImport(ctx, &GetParametersForImportInput{KeyId: keyID,
				WrappingAlgorithm: WrappingAlgorithmRsaAesKeyWrapSha256, WrappingKeySpec: WrappingKeySpecRsa4096})
			if err == nil {
				pair, _ := rsa4096()
				if !bytes.Equal(out.PublicKey, pair[1]) {
					return errors.New("not the wrapping key generated")
				}
			}
			return err
		}},
	}
	for _, tc := range cases {
		for _, cancel := range []bool{false, true} {
			name := tc.name
			if cancel {
				name += ", cancelled while generating"
			}
			t.Run(name, func(t *testing.T) {
				e := newEnv(t, withSystemRand())
				keyID := ""
				if tc.external {
					keyID = e.newExternalKey()
				}
				started, release := make(chan struct{}), make(chan struct{})
				var handed []byte
				e.svc.keyPair = func(r io.Reader, spec string) ([]byte, []byte, error) {
					if spec != "RSA_4096" {
						return crypto.GenerateKeyPair(r, spec)
					}
					close(started)
					<-release
					pair, err := rsa4096()
					handed = bytes.Clone(pair[0])
					return handed, pair[1], err
				}
				ctx, cancelCtx := context.WithCancel(context.Background())
				defer cancelCtx()
				done := make(chan error, 1)
				go func() { done <- tc.slow(e, ctx, keyID) }()
				<-started

				var fastKey string
				fast := make(chan error, 1)
				go func() {
					out, err := e.svc.CreateKey(context.Background(), &CreateKeyInput{Description: "fast"})
					if err == nil {
						fastKey = out.KeyMetadata.KeyId
					}
					fast <- err
				}()
				select {
				case err := <-fast:
					if err != nil {
						t.Fatalf("CreateKey while a key pair was being made: %v", err)
					}
				case <-time.After(20 * time.Second):
					close(release)
					<-done
					t.Fatal("a symmetric CreateKey waited for the RSA_4096 key pair being made")
				}
				if got := e.describe(fastKey).Description; got != "fast" {
					t.Fatalf("the fast key: description %q", got)
				}

				if cancel {
					cancelCtx()
				}
				keysBefore := len(e.listKeyIDs())
				close(release)
				err := <-done
				switch {
				case cancel && !errors.Is(err, context.Canceled):
					t.Fatalf("cancelled: %v, want context.Canceled", err)
				case cancel && len(e.listKeyIDs()) != keysBefore:
					t.Fatal("a cancelled operation stored a key")
				case !cancel && err != nil:
					t.Fatal(err)
				}
				if handed == nil || !bytes.Equal(handed, make([]byte, len(handed))) {
					t.Fatal("the generated private key was not wiped after use")
				}
			})
		}
	}
}

// TestGroupCommitUsesBatcher: with GroupCommit, writes go through the
// store's Batch (read-only operations never do); without it, through Update.
func TestGroupCommitUsesBatcher(t *testing.T) {
	cases := []struct {
		name string
		opts []envOption
		want int64
	}{
		{"GroupCommit", nil, 2},
		{"one transaction per write", []envOption{withoutGroupCommit()}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts...)
			id := e.newKey()
			e.describe(id)
			e.encrypt(id, []byte("x"), nil)
			invokeOK[UpdateKeyDescriptionOutput](e, "UpdateKeyDescription", &UpdateKeyDescriptionInput{KeyId: id, Description: "d"})
			if got := e.svc.store.(*retryingStore).batches.Load(); got != tc.want {
				t.Fatalf("%d writes through Batch, want %d", got, tc.want)
			}
			if got := e.describe(id).Description; got != "d" {
				t.Fatalf("description %q after the write", got)
			}
		})
	}
}
