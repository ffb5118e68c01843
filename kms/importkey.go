package kms

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"time"

	"github.com/pocketkms/pkms/crypto"
)

func init() {
	implement("GetParametersForImport", (*Service).GetParametersForImport, writes, keyStates(stateRow{allow, allow, failPendingDel, allow, failUnsupport, failCreating, failUpdating}))
	implement("ImportKeyMaterial", (*Service).ImportKeyMaterial, writes, keyStates(stateRow{allow, allow, failPendingDel, allow, failUnsupport, failCreating, allow}))
	implement("DeleteImportedKeyMaterial", (*Service).DeleteImportedKeyMaterial, writes, keyStates(stateRow{allow, allow, allow, allow, allow, failCreating, failUpdating}))
}

// Importing key material (BYOK), as the AWS guide describes it: the user
// wraps material with a fresh RSA public key from GetParametersForImport and
// imports it with the import token that came with it. The token is
// stateless: it carries the wrapping private key, sealed under a vault
// secret and bound to the key and to its expiry (24 hours), so nothing is
// stored until material is imported.

const (
	importTokenMagic    = "PKMSIT\x01"
	importTokenLifetime = 24 * time.Hour
	maxValidTo          = 365 * 24 * time.Hour
)

type importToken struct {
	KeyID       string            `json:"k"`
	Region      string            `json:"r,omitempty"` // the key's region: a multi-Region key has the same id in each
	Algorithm   WrappingAlgorithm `json:"a"`
	WrappingKey []byte            `json:"w"` // PKCS#8
	ValidTo     time.Time         `json:"t"`
}

var importTokenAAD = []byte("pkms import token v1")

// importKey returns the vault's import token key, making it on first use
// (write transactions only).
func (t *txn) importKey() ([]byte, error) {
	var cfg config
	if err := getJSON(t, bucketConfig, "config", &cfg); err != nil {
		return nil, err
	}
	if len(cfg.ImportTokenKey) == crypto.KeySize || !t.writable {
		if len(cfg.ImportTokenKey) != crypto.KeySize {
			return nil, &Error{Code: InvalidImportTokenException, Message: "no import token was ever issued by this vault"}
		}
		return cfg.ImportTokenKey, nil
	}
	cfg.ImportTokenKey = make([]byte, crypto.KeySize)
	if _, err := io.ReadFull(t.s.rand, cfg.ImportTokenKey); err != nil {
		return nil, err
	}
	return cfg.ImportTokenKey, putJSON(t, bucketConfig, "config", cfg)
}

// importable resolves the key of an import operation: it must have been
// created with Origin EXTERNAL (footnote [9] of the key-state table).
func (t *txn) importable(op, ref string) (*keyRecord, error) {
	k, err := t.resolveKey(ref)
	if err != nil {
		return nil, err
	}
	if err := t.checkState(op, k); err != nil {
		return nil, err
	}
	if k.Origin != OriginExternal {
		return nil, t.wrongOrigin(k)
	}
	return k, nil
}

// wrongOrigin is AWS's answer to an operation that a key of k's origin
// does not support.
func (t *txn) wrongOrigin(k *keyRecord) error {
	return newErr(UnsupportedOperationException, "%s origin is %s which is not valid for this operation.", t.keyArn(k.KeyID), k.Origin)
}

// checkWrapping applies AWS's pairing of material and wrapping: RSA private
// keys are too long for RSA-OAEP and need RSA_AES_KEY_WRAP; so does an
// ECC_NIST_P521 key under an RSA_2048 wrapping key.
func checkWrapping(spec KeySpec, alg WrappingAlgorithm, wrapping WrappingKeySpec) error {
	switch alg {
	case WrappingAlgorithmRsaesPkcs1V15:
		return newErr(ValidationException, "RSAES_PKCS1_V1_5 is no longer supported for importing key material; use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256")
	case WrappingAlgorithmSm2pke:
		return newErr(UnsupportedOperationException, "SM2PKE wrapping is offered only in the AWS China Regions; pkms does not support it")
	}
	if wrapping == WrappingKeySpecSm2 {
		return newErr(UnsupportedOperationException, "SM2 wrapping keys are offered only in the AWS China Regions; pkms does not support them")
	}
	oaep := alg == WrappingAlgorithmRsaesOaepSha1 || alg == WrappingAlgorithmRsaesOaepSha256
	switch {
	case oaep && (spec == KeySpecRsa2048 || spec == KeySpecRsa3072 || spec == KeySpecRsa4096):
		return newErr(ValidationException, "RSA private key material must be wrapped with RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256")
	case oaep && spec == KeySpecEccNistP521 && wrapping == WrappingKeySpecRsa2048:
		return newErr(ValidationException, "ECC_NIST_P521 key material does not fit RSA-OAEP under an RSA_2048 wrapping key; use RSA_AES_KEY_WRAP or a larger wrapping key")
	}
	return nil
}

// GetParametersForImport returns a fresh RSA wrapping public key and the
// import token that goes with it, valid for 24 hours. The wrapping key pair
// (seconds for RSA_4096) is made between a read transaction that refuses
// what the vault would refuse and the write transaction that checks again
// and seals the token, so that it never holds the vault's write lock.
func (s *Service) GetParametersForImport(ctx context.Context, in *GetParametersForImportInput) (*GetParametersForImportOutput, error) {
	check := func(t *txn) (*keyRecord, error) {
		k, err := t.importable("GetParametersForImport", in.KeyId)
		if err != nil {
			return nil, err
		}
		return k, checkWrapping(k.Spec, in.WrappingAlgorithm, in.WrappingKeySpec)
	}
	if err := s.view(ctx, func(t *txn) error { _, err := check(t); return err }); err != nil {
		return nil, err
	}
	priv, pub, err := s.keyPair(s.rand, string(in.WrappingKeySpec))
	if err != nil {
		return nil, kmsError(err)
	}
	defer clear(priv) // travels only sealed in the token
	var out *GetParametersForImportOutput
	err = s.update(ctx, func(t *txn) error {
		k, err := check(t)
		if err != nil {
			return err
		}
		tokenKey, err := t.importKey()
		if err != nil {
			return err
		}
		tok := importToken{KeyID: k.KeyID, Region: t.region, Algorithm: in.WrappingAlgorithm, WrappingKey: priv, ValidTo: t.now.Add(importTokenLifetime)}
		plain, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		defer clear(plain)
		sealed, err := crypto.Seal(s.rand, tokenKey, plain, importTokenAAD)
		if err != nil {
			return err
		}
		out = &GetParametersForImportOutput{KeyId: t.keyArn(k.KeyID), ImportToken: append([]byte(importTokenMagic), sealed...),
			PublicKey: pub, ParametersValidTo: NewTimestamp(tok.ValidTo)}
		return nil
	})
	return out, err
}

// openToken authenticates an import token and checks that it was issued for
// key k and has not expired.
func (t *txn) openToken(b []byte, k *keyRecord) (*importToken, error) {
	invalid := &Error{Code: InvalidImportTokenException, Message: "The import token is not valid for this KMS key; get new parameters with GetParametersForImport."}
	if !bytes.HasPrefix(b, []byte(importTokenMagic)) {
		return nil, invalid
	}
	key, err := t.importKey()
	if err != nil {
		return nil, invalid
	}
	plain, err := crypto.Open(key, b[len(importTokenMagic):], importTokenAAD)
	if err != nil {
		return nil, invalid
	}
	defer clear(plain)
	var tok importToken
	if err := json.Unmarshal(plain, &tok); err != nil || tok.KeyID != k.KeyID || regionalName(tok.Region, "") != t.regional("") {
		clear(tok.WrappingKey)
		return nil, invalid
	}
	if !t.now.Before(tok.ValidTo) {
		clear(tok.WrappingKey)
		return nil, newErr(ExpiredImportTokenException, "The import token expired at %s; get new parameters with GetParametersForImport.", tok.ValidTo.Format(time.RFC3339))
	}
	return &tok, nil
}

// importedMaterialID is the KeyMaterialId of imported material: computed
// from the key id and the material, so importing the same material again
// gives the same id and different material a different one, without the id
// revealing anything about the material.
func importedMaterialID(keyID string, secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("pkms imported key material id\x00" + keyID))
	return hex.EncodeToString(mac.Sum(nil))
}

// checkMaterial verifies that unwrapped material is what the key spec needs
// and returns the material to store (with its public key, for asymmetric
// specs); the caller sets Created.
func checkMaterial(k *keyRecord, secret []byte) (material, error) {
	m := material{ID: importedMaterialID(k.KeyID, secret), Secret: secret}
	wrong := func(want string) (material, error) {
		return material{}, newErr(IncorrectKeyMaterialException, "The key material is not %s, which a %s key needs.", want, k.Spec)
	}
	switch {
	case k.Spec == KeySpecSymmetricDefault:
		if len(secret) != symmetricKeyBytes {
			return wrong("256 bits (32 bytes)")
		}
	case isHMAC(k.Spec):
		if len(secret) != crypto.HMACKeySize(string(k.Spec)) {
			return wrong("an HMAC key of the spec's size")
		}
	default:
		spec, err := crypto.KeySpecOfPrivate(secret)
		if err != nil || KeySpec(spec) != k.Spec {
			return wrong("a PKCS#8 private key of the key's spec")
		}
		if m.Public, err = crypto.PublicKeyFromPrivate(secret); err != nil {
			return wrong("a PKCS#8 private key of the key's spec")
		}
	}
	return m, nil
}

// expiry settles ExpirationModel and ValidTo as AWS does: the model
// defaults to KEY_MATERIAL_EXPIRES, which needs a ValidTo in the next 365
// days; KEY_MATERIAL_DOES_NOT_EXPIRE takes none.
func expiry(model ExpirationModel, validTo *Timestamp, now time.Time) (ExpirationModel, *time.Time, error) {
	if model == "" {
		model = ExpirationModelKeyMaterialExpires
	}
	if model == ExpirationModelKeyMaterialDoesNotExpire {
		if validTo != nil {
			return "", nil, newErr(ValidationException, "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")
		}
		return model, nil, nil
	}
	if validTo == nil {
		return "", nil, newErr(ValidationException, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
	}
	v := validTo.Time.UTC().Truncate(time.Millisecond)
	if !v.After(now) || v.Sub(now) > maxValidTo {
		return "", nil, newErr(ValidationException, "ValidTo must be in the future and at most 365 days from now")
	}
	return model, &v, nil
}

// ImportKeyMaterial imports wrapped key material into an EXTERNAL key. The
// first material imported binds the key for good: later imports (to
// restore deleted or expired material, or to change its expiry) must bring
// the same material. Unwrapping (an RSA private-key operation) and checking
// the material (parsing a private key) need only the token and the key's
// id and spec, so they run between a read transaction that checks the
// request and the write transaction that checks it again and stores.
func (s *Service) ImportKeyMaterial(ctx context.Context, in *ImportKeyMaterialInput) (*ImportKeyMaterialOutput, error) {
	check := func(t *txn) (*keyRecord, *importToken, ExpirationModel, *time.Time, error) {
		k, err := t.importable("ImportKeyMaterial", in.KeyId)
		if err != nil {
			return nil, nil, "", nil, err
		}
		tok, err := t.openToken(in.ImportToken, k)
		if err != nil {
			return nil, nil, "", nil, err
		}
		model, validTo, err := expiry(in.ExpirationModel, in.ValidTo, t.now)
		if err != nil {
			clear(tok.WrappingKey)
			return nil, nil, "", nil, err
		}
		return k, tok, model, validTo, nil
	}
	var (
		key *keyRecord
		tok *importToken
	)
	err := s.view(ctx, func(t *txn) (err error) {
		key, tok, _, _, err = check(t)
		return err
	})
	if err != nil {
		return nil, err
	}
	secret, err := crypto.UnwrapKeyMaterial(tok.WrappingKey, string(tok.Algorithm), in.EncryptedKeyMaterial)
	clear(tok.WrappingKey)
	if err != nil {
		return nil, &Error{Code: InvalidCiphertextException}
	}
	defer clear(secret) // stored sealed, or unused
	m, err := checkMaterial(key, secret)
	if err != nil {
		return nil, err
	}
	var out *ImportKeyMaterialOutput
	err = s.update(ctx, func(t *txn) error {
		// The token names the key: the key checked here is the one whose
		// id and spec the material was checked against.
		k, tok, model, validTo, err := check(t)
		if err != nil {
			return err
		}
		clear(tok.WrappingKey)
		pending, err := t.checkImportType(k, in, m.ID)
		if err != nil {
			return err
		}
		mt := m
		mt.Created = t.now
		note := in.KeyMaterialDescription
		switch i := k.materialIndex(mt.ID); {
		case pending || (i >= 0 && mt.ID != k.BoundMaterial):
			// Material waiting for rotation, or rotated out: it keeps
			// its own settings, and the key's state does not change.
			if i < 0 {
				k.Materials = append(k.Materials, mt)
				i = len(k.Materials) - 1
			}
			x := &k.Materials[i]
			if x.Gone {
				x.Secret, x.Public, x.Gone = mt.Secret, mt.Public, false
			}
			x.Pending = x.Pending || pending
			x.Expiration, x.ValidTo = model, validTo
			if note != "" || pending {
				x.Note = note
			}
		default:
			// The current material: imported for the first time, again
			// after it was deleted or expired, or with new settings.
			if i >= 0 {
				mt.Rotated, mt.By = k.Materials[i].Rotated, k.Materials[i].By
				k.Materials[i] = mt
			} else {
				k.Materials = append(k.Materials, mt)
			}
			k.BoundMaterial, k.CurrentMaterial = mt.ID, mt.ID
			k.ExpirationModel, k.ValidTo = model, validTo
			if note != "" {
				k.MaterialNote = note
			}
		}
		if k.State == KeyStatePendingImport && k.allImported() {
			k.State = KeyStateEnabled
		}
		if err := t.saveKey(k); err != nil {
			return err
		}
		if err := t.indexExpiry(k); err != nil {
			return err
		}
		out = &ImportKeyMaterialOutput{KeyId: t.keyArn(k.KeyID), KeyMaterialId: m.ID}
		return nil
	})
	return out, err
}

// checkImportType applies the ImportType and KeyMaterialId members:
// NEW_KEY_MATERIAL brings material the key never had, with no
// KeyMaterialId: the key's first material, or for a symmetric key that has
// one, material that waits (PENDING_ROTATION) for RotateKeyOnDemand to
// make it current, one at a time. EXISTING_KEY_MATERIAL (the default once
// a key has material) brings back one of the key's own materials. pending
// reports new material for a rotation.
func (t *txn) checkImportType(k *keyRecord, in *ImportKeyMaterialInput, id string) (pending bool, err error) {
	typ := in.ImportType
	if typ == "" {
		typ = ImportTypeExistingKeyMaterial
		if k.BoundMaterial == "" {
			typ = ImportTypeNewKeyMaterial
		}
	}
	known := k.BoundMaterial == id || k.materialIndex(id) >= 0
	switch {
	case typ == ImportTypeNewKeyMaterial && in.KeyMaterialId != "":
		return false, newErr(ValidationException, "KeyMaterialId cannot be specified with ImportType NEW_KEY_MATERIAL")
	case typ == ImportTypeNewKeyMaterial && k.BoundMaterial == "":
		return false, nil
	case typ == ImportTypeNewKeyMaterial && k.Spec != KeySpecSymmetricDefault:
		return false, newErr(IncorrectKeyMaterialException, "This KMS key already has key material, and only symmetric encryption keys can hold more than one; import it again with ImportType EXISTING_KEY_MATERIAL.")
	case typ == ImportTypeNewKeyMaterial && known:
		return false, newErr(IncorrectKeyMaterialException, "This key material is already associated with this KMS key; import it with ImportType EXISTING_KEY_MATERIAL.")
	case typ == ImportTypeNewKeyMaterial:
		if p := k.pendingMaterial(); p != nil {
			return false, newErr(KMSInvalidStateException, "New key material (id: %s) cannot be imported into KMS key %s, because another key material (id: %s) is pending rotation.", id, k.KeyID, p.ID)
		}
		return true, nil
	case k.BoundMaterial == "":
		return false, newErr(IncorrectKeyMaterialException, "This KMS key has never had key material; use ImportType NEW_KEY_MATERIAL.")
	case !known:
		return false, newErr(IncorrectKeyMaterialException, "The key material is not the material previously imported into this KMS key.")
	case in.KeyMaterialId != "" && in.KeyMaterialId != id:
		return false, newErr(IncorrectKeyMaterialException, "The key material does not have KeyMaterialId %s.", in.KeyMaterialId)
	}
	return false, nil
}

// DeleteImportedKeyMaterial deletes a key's imported material at once; the
// key waits in PendingImport until the same material is imported again.
func (s *Service) DeleteImportedKeyMaterial(ctx context.Context, in *DeleteImportedKeyMaterialInput) (*DeleteImportedKeyMaterialOutput, error) {
	var out *DeleteImportedKeyMaterialOutput
	err := s.update(ctx, func(t *txn) error {
		k, err := t.importable("DeleteImportedKeyMaterial", in.KeyId)
		if err != nil {
			return err
		}
		// The current material by default; by its id, any other the key
		// holds (material pending rotation is forgotten, the key unchanged).
		deleted := in.KeyMaterialId
		switch i := k.materialIndex(deleted); {
		case deleted == "" || deleted == k.BoundMaterial:
			deleted = k.CurrentMaterial
			k.ExpirationModel, k.ValidTo = "", nil
		case i < 0:
			return newErr(NotFoundException, "Key material %s is not associated with %s", in.KeyMaterialId, t.keyArn(k.KeyID))
		default:
			k.Materials[i].Expiration, k.Materials[i].ValidTo = "", nil
		}
		k.dropMaterial(deleted)
		if err := t.saveKey(k); err != nil {
			return err
		}
		if err := t.indexExpiry(k); err != nil {
			return err
		}
		out = &DeleteImportedKeyMaterialOutput{KeyId: t.keyArn(k.KeyID), KeyMaterialId: deleted}
		return nil
	})
	return out, err
}
