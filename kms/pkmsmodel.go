package kms

import "reflect"

// The part of the model that is pkms's own: members pkms adds to AWS's
// requests, and the operations AWS does not have. AWS's types in model.go
// are generated from AWS's service model (go generate); this file is
// written by hand and read by the same generator:
//
//   - A struct named pkms<Type> holds the pkms-only members of <Type>; the
//     generator appends them to <Type> after AWS's members, so that the
//     command line (one option per member) and the wire protocol (one JSON
//     member) take them like any other. Each is named Pkms… so that it
//     can never collide with a member AWS adds later. The types themselves
//     are used only by TestPkmsMembers, which checks that model.go carries
//     them as declared.
//   - The input types of pkms's operations are declared here in full,
//     but for the audit trail's queries (audit_ops.go, audit_query.go),
//     which have commands of their own in cmd/audit.go rather than
//     generated ones.
//
// The first sentence of each member's doc comment, "X does …", is its
// --help text: "pkms only: does …" for a member added to an AWS type,
// "Does …" for a member of a pkms operation.

//go:generate go run ./internal/modelgen

type pkmsCreateKeyInput struct {
	// PkmsExportable makes the key material exportable with pkms
	// export-key-material, for BYOK into a cloud KMS; it can be set only
	// when the key is created. AWS clients never send it, so no key an AWS
	// SDK creates over the wire is exportable.
	PkmsExportable *bool `json:"PkmsExportable,omitempty"`
	// PkmsTokenSigning makes an asymmetric SIGN_VERIFY key in a custom key
	// store, its key pair generated in the store's token (AWS allows only
	// symmetric keys there).
	PkmsTokenSigning *bool `json:"PkmsTokenSigning,omitempty"`
}

type pkmsCreateCustomKeyStoreInput struct {
	// PkmsPkcs11Module names the PKCS#11 module through which the token
	// named by CloudHsmClusterId is reached (default PKMS_PKCS11_MODULE,
	// else the usual paths).
	PkmsPkcs11Module string `json:"PkmsPkcs11Module,omitempty" min:"1" max:"4096"`
}

// pkmsShapes are the operations pkms adds to the AWS API.
var pkmsShapes = []struct {
	Name    string
	In, Out reflect.Type
}{
	{"ExportKeyMaterial", reflect.TypeFor[ExportKeyMaterialInput](), reflect.TypeFor[ExportKeyMaterialOutput]()},
	// The access keys of pkms serve (accesskeys.go): agent-only, never
	// reachable by the clients they authenticate.
	{"CreateAccessKey", reflect.TypeFor[CreateAccessKeyInput](), reflect.TypeFor[AccessKey]()},
	{"ListAccessKeys", reflect.TypeFor[ListAccessKeysInput](), reflect.TypeFor[ListAccessKeysOutput]()},
	{"DeleteAccessKey", reflect.TypeFor[DeleteAccessKeyInput](), reflect.TypeFor[DeleteAccessKeyOutput]()},
	// The audit trail's queries (audit_ops.go): agent-only, so that pkms
	// audit works through an agent and never over pkms serve.
	{"VerifyAuditTrail", reflect.TypeFor[VerifyAuditTrailInput](), reflect.TypeFor[AuditTrailStatus]()},
	{"GetAuditAnchor", reflect.TypeFor[GetAuditAnchorInput](), reflect.TypeFor[AuditTrailStatus]()},
	{"LookupEvents", reflect.TypeFor[LookupEventsInput](), reflect.TypeFor[LookupEventsOutput]()},
	{"ExportEvents", reflect.TypeFor[ExportEventsInput](), reflect.TypeFor[ExportEventsOutput]()},
	{"PruneEvents", reflect.TypeFor[PruneEventsInput](), reflect.TypeFor[PruneEventsOutput]()},
}

// CreateAccessKeyInput is the request of CreateAccessKey
// (`pkms serve credentials create`).
type CreateAccessKeyInput struct {
	// Description says what the key is for, in at most 256 characters.
	Description string `json:"Description,omitempty"`
}

// ListAccessKeysInput is the request of ListAccessKeys: it has no members.
type ListAccessKeysInput struct{}

// ListAccessKeysOutput is the answer of ListAccessKeys.
type ListAccessKeysOutput struct {
	// AccessKeys lists every access key, without its secret.
	AccessKeys []AccessKey `json:"AccessKeys"`
}

// DeleteAccessKeyInput is the request of DeleteAccessKey.
type DeleteAccessKeyInput struct {
	// AccessKeyId names the access key to delete.
	AccessKeyId string `json:"AccessKeyId"`
}

// DeleteAccessKeyOutput is the (empty) answer of DeleteAccessKey.
type DeleteAccessKeyOutput struct{}

// ExportKeyMaterialInput is the request of ExportKeyMaterial (`pkms export-key-material`).
type ExportKeyMaterialInput struct {
	// KeyId identifies the key whose material is exported: a key id, key
	// ARN, alias name or alias ARN of a key created with PkmsExportable.
	KeyId string `json:"KeyId,omitempty" required:"true" min:"1" max:"2048"`
	// WrappingPublicKey holds the PublicKey that the cloud KMS's
	// GetParametersForImport returned, which wraps the key material.
	WrappingPublicKey []byte `json:"WrappingPublicKey,omitempty" required:"true" min:"1" max:"8192"`
	// WrappingAlgorithm names the wrapping algorithm given to the cloud
	// KMS's GetParametersForImport.
	WrappingAlgorithm WrappingAlgorithm `json:"WrappingAlgorithm,omitempty" required:"true"`
}

// ExportKeyMaterialOutput is the response of ExportKeyMaterial.
type ExportKeyMaterialOutput struct {
	KeyId                string            `json:"KeyId,omitempty"`
	EncryptedKeyMaterial []byte            `json:"EncryptedKeyMaterial,omitempty"`
	WrappingAlgorithm    WrappingAlgorithm `json:"WrappingAlgorithm,omitempty"`
	KeySpec              KeySpec           `json:"KeySpec,omitempty"`
}

// IsPkmsOperation reports whether name is one of pkms's own operations,
// which AWS KMS does not have.
func IsPkmsOperation(name string) bool {
	for _, s := range pkmsShapes {
		if s.Name == name {
			return true
		}
	}
	return false
}
