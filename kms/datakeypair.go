package kms

import (
	"context"
	"errors"

	"github.com/pocketkms/pkms/crypto"
)

func init() {
	implement("GenerateDataKeyPair", (*Service).GenerateDataKeyPair, readOnly, keyStates(rowCrypto), notInKeyStore)
	implement("GenerateDataKeyPairWithoutPlaintext", (*Service).GenerateDataKeyPairWithoutPlaintext, readOnly, keyStates(rowCrypto), notInKeyStore)
}

// dataKeyPair makes a key pair of spec and returns its public key and its
// private key (PKCS#8 DER) plain and encrypted under a symmetric key, so
// that `pkms decrypt` recovers the private key later.
func (s *Service) dataKeyPair(ctx context.Context, op, ref string, spec DataKeyPairSpec, encCtx map[string]string, dry *bool) (priv, blob, pub []byte, arn, materialID string, err error) {
	if spec == DataKeyPairSpecSm2 {
		return nil, nil, nil, "", "", newErr(UnsupportedOperationException, "KeyPairSpec SM2 is offered only in the AWS China Regions; pkms does not support it")
	}
	gen := func() ([]byte, error) {
		p, public, err := crypto.GenerateKeyPair(s.rand, string(spec))
		pub = public
		return p, err
	}
	priv, blob, arn, materialID, err = s.sealedSecret(ctx, op, ref, encCtx, dry, gen)
	if errors.Is(err, crypto.ErrUnsupported) {
		err = kmsError(err)
	}
	return priv, blob, pub, arn, materialID, err
}

// GenerateDataKeyPair returns a fresh key pair for use outside KMS: the
// public key (DER SPKI), the private key (DER PKCS#8) and the private key
// encrypted under a symmetric KMS key.
func (s *Service) GenerateDataKeyPair(ctx context.Context, in *GenerateDataKeyPairInput) (*GenerateDataKeyPairOutput, error) {
	if err := rejectRecipient(in.Recipient); err != nil {
		return nil, err
	}
	priv, blob, pub, arn, mat, err := s.dataKeyPair(ctx, "GenerateDataKeyPair", in.KeyId, in.KeyPairSpec, in.EncryptionContext, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyPairOutput{PrivateKeyCiphertextBlob: blob, PrivateKeyPlaintext: priv, PublicKey: pub,
		KeyId: arn, KeyPairSpec: in.KeyPairSpec, KeyMaterialId: mat}, nil
}

// GenerateDataKeyPairWithoutPlaintext is GenerateDataKeyPair without the
// plaintext private key.
func (s *Service) GenerateDataKeyPairWithoutPlaintext(ctx context.Context, in *GenerateDataKeyPairWithoutPlaintextInput) (*GenerateDataKeyPairWithoutPlaintextOutput, error) {
	_, blob, pub, arn, mat, err := s.dataKeyPair(ctx, "GenerateDataKeyPairWithoutPlaintext", in.KeyId, in.KeyPairSpec, in.EncryptionContext, in.DryRun)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyPairWithoutPlaintextOutput{PrivateKeyCiphertextBlob: blob, PublicKey: pub,
		KeyId: arn, KeyPairSpec: in.KeyPairSpec, KeyMaterialId: mat}, nil
}
