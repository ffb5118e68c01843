package kms

import (
	"encoding/hex"
	"errors"
	"time"
)

// keyRecord is what the vault stores for one KMS key. It is sealed by the
// vault; the key material never leaves the service except as the outputs
// the KMS API defines (data keys, public keys).
type keyRecord struct {
	KeyID               string     `json:"id"`
	Created             time.Time  `json:"created"`
	Description         string     `json:"description"`
	Usage               KeyUsage   `json:"usage"`
	Spec                KeySpec    `json:"spec"`
	Origin              Origin     `json:"origin"`
	State               KeyState   `json:"state"`
	DeletionDate        *time.Time `json:"deletionDate,omitempty"`
	PendingWindowInDays int32      `json:"pendingWindow,omitempty"`
	Policy              string     `json:"policy"`
	Tags                []Tag      `json:"tags,omitempty"`
	Materials           []material `json:"materials,omitempty"`
	CurrentMaterial     string     `json:"currentMaterial,omitempty"`

	// Imported key material (Origin EXTERNAL). BoundMaterial is the id of
	// the current material (the first imported, or the last rotated in): a
	// key accepts only its materials again, even after the current one was
	// deleted or expired. ExpirationModel, ValidTo and MaterialNote belong
	// to the current material; the others carry their own (see material).
	BoundMaterial   string          `json:"boundMaterial,omitempty"`
	ExpirationModel ExpirationModel `json:"expirationModel,omitempty"`
	ValidTo         *time.Time      `json:"validTo,omitempty"`
	MaterialNote    string          `json:"materialDescription,omitempty"`

	// Exportable is the pkms-only opt-in of CreateKey --pkms-exportable.
	Exportable bool `json:"exportable,omitempty"`

	// A multi-Region key ("mrk-" id) has one record per region of its set,
	// each with the same id and material; PrimaryRegion, the same in every
	// record of the set, names the region of the primary key.
	MultiRegion   bool   `json:"multiRegion,omitempty"`
	PrimaryRegion string `json:"primaryRegion,omitempty"`

	// A key in a custom key store (Origin AWS_CLOUDHSM): its AES key is the
	// token object labelled TokenLabel, CurrentMaterial its material id.
	CustomKeyStoreID string `json:"customKeyStore,omitempty"`
	TokenLabel       string `json:"tokenLabel,omitempty"`
	// Rotation is the automatic rotation schedule (see rotation.go).
	Rotation *rotationSchedule `json:"rotation,omitempty"`
	// storedState is the state in the vault of a key read as Unavailable
	// because its store is not connected; saveKey writes it back.
	storedState KeyState
}

// material is one version of a key's secret material. ID is the
// 64-hex-digit KeyMaterialId AWS reports. Secret is the AES or HMAC key,
// or the PKCS#8 private key of an asymmetric key, whose SubjectPublicKeyInfo
// is Public.
type material struct {
	ID      string    `json:"id"`
	Secret  []byte    `json:"secret"`
	Public  []byte    `json:"public,omitempty"`
	Created time.Time `json:"created"`

	// Rotated is when the material became current by a rotation, and By
	// how; both are zero for a key's first material (see rotation.go).
	Rotated *time.Time   `json:"rotated,omitempty"`
	By      RotationType `json:"by,omitempty"`
	// An imported material waiting for RotateKeyOnDemand is Pending; one
	// that is not current keeps its own description and expiry settings.
	Pending    bool            `json:"pending,omitempty"`
	Note       string          `json:"note,omitempty"`
	Expiration ExpirationModel `json:"expiration,omitempty"`
	ValidTo    *time.Time      `json:"validTo,omitempty"`
	// Gone: imported material deleted or expired, to be imported again.
	Gone bool `json:"gone,omitempty"`
}

func (k *keyRecord) current() *material {
	for i := range k.Materials {
		if k.Materials[i].ID == k.CurrentMaterial {
			return &k.Materials[i]
		}
	}
	return nil
}

// currentMaterial is a key's current material, or the error AWS gives for
// using a key that has none (imported material not yet imported, deleted or
// expired).
func (t *txn) currentMaterial(k *keyRecord) (*material, error) {
	if m := k.current(); m != nil {
		return m, nil
	}
	return nil, newErr(KMSInvalidStateException, "%s is pending import.", t.keyArn(k.KeyID))
}

// currentMaterialID is the CurrentKeyMaterialId AWS reports: only for
// symmetric encryption keys (never for asymmetric or HMAC keys, generated
// or imported), and for an imported one still after its material was
// deleted or expired, while it waits in PendingImport.
func (k *keyRecord) currentMaterialID() string {
	if k.Spec != KeySpecSymmetricDefault {
		return ""
	}
	if k.CurrentMaterial != "" {
		return k.CurrentMaterial
	}
	return k.BoundMaterial
}

func (k *keyRecord) materialByID(id [32]byte) *material {
	want := hex.EncodeToString(id[:])
	for i := range k.Materials {
		if k.Materials[i].ID == want && !k.Materials[i].Gone {
			return &k.Materials[i]
		}
	}
	return nil
}

func (t *txn) keyArn(id string) string {
	return "arn:aws:kms:" + t.region + ":" + t.account + ":key/" + id
}

func (t *txn) aliasArn(name string) string {
	return "arn:aws:kms:" + t.region + ":" + t.account + ":" + name
}

// loadKey reads a key by its bare id. A key whose deletion date has passed
// is gone, even before the next write transaction removes it.
func (t *txn) loadKey(id string) (*keyRecord, error) {
	k, err := cachedGet(t, cachedKeys, t.regional(bucketKeys), id)
	if err != nil {
		if errors.Is(err, ErrNoRecord) {
			return nil, t.keyNotFound(id)
		}
		return nil, err
	}
	if k.expired(t.now) {
		return nil, t.keyNotFound(id)
	}
	if len(k.expiredMaterials(t.now)) > 0 {
		// Expired material is gone at once; the next write removes it from
		// the record. Records may be shared through the cache: work on a copy.
		c := *k
		c.expireMaterials(t.now)
		return &c, nil
	}
	if k.CustomKeyStoreID != "" {
		return t.inKeyStore(k)
	}
	return k, nil
}

func (k *keyRecord) expired(now time.Time) bool {
	return k.State == KeyStatePendingDeletion && k.DeletionDate != nil && !now.Before(*k.DeletionDate)
}

func (t *txn) keyNotFound(id string) error {
	return newErr(NotFoundException, "Key '%s' does not exist", t.keyArn(id))
}

func (t *txn) saveKey(k *keyRecord) error {
	t.audit.touch(t.keyArn(k.KeyID)) // audit: the event's resources
	if k.storedState != "" && k.State == KeyStateUnavailable {
		c := *k
		c.State = k.storedState
		k = &c
	}
	if err := t.noteRegion(); err != nil {
		return err
	}
	return putJSON(t, t.regional(bucketKeys), k.KeyID, k)
}

// metadata renders a key record as the KeyMetadata structure AWS returns.
func (t *txn) metadata(k *keyRecord) *KeyMetadata {
	m := &KeyMetadata{
		AWSAccountId: t.account,
		KeyId:        k.KeyID,
		Arn:          t.keyArn(k.KeyID),
		CreationDate: NewTimestamp(k.Created),
		Enabled:      ptr(k.State == KeyStateEnabled),
		Description:  k.Description,
		KeyUsage:     k.Usage,
		KeyState:     k.State,
		Origin:       k.Origin,
		KeyManager:   KeyManagerCustomer,
		KeySpec:      k.Spec,
		MultiRegion:  ptr(k.MultiRegion),
	}
	if k.MultiRegion {
		m.MultiRegionConfiguration = t.multiRegionConfiguration(k)
	}
	if contains(CustomerMasterKeySpec("").Values(), string(k.Spec)) {
		m.CustomerMasterKeySpec = CustomerMasterKeySpec(k.Spec)
	}
	// PendingDeletionWindowInDays belongs to PendingReplicaDeletion (a
	// multi-Region primary waiting for its replicas); a key pending deletion
	// shows its DeletionDate only.
	if k.State == KeyStatePendingDeletion && k.DeletionDate != nil {
		m.DeletionDate = NewTimestamp(*k.DeletionDate)
	}
	if k.State == KeyStatePendingReplicaDeletion {
		m.PendingDeletionWindowInDays = ptr(k.PendingWindowInDays)
	}
	algs := specAlgorithms(k.Spec, k.Usage)
	m.EncryptionAlgorithms = algs.encryption
	m.SigningAlgorithms = algs.signing
	m.MacAlgorithms = algs.mac
	m.KeyAgreementAlgorithms = algs.agreement
	m.CurrentKeyMaterialId = k.currentMaterialID()
	if k.CustomKeyStoreID != "" {
		t.keyStoreMetadata(k, m)
	}
	if k.Origin == OriginExternal && k.ExpirationModel != "" {
		m.ExpirationModel = k.ExpirationModel
		if k.ValidTo != nil {
			m.ValidTo = NewTimestamp(*k.ValidTo)
		}
	}
	return m
}

// algorithms lists what a key of one spec and usage supports.
type algorithms struct {
	encryption []EncryptionAlgorithm
	signing    []SigningAlgorithm
	mac        []MacAlgorithm
	agreement  []KeyAgreementAlgorithm
}

func ptr[T any](v T) *T { return &v }
