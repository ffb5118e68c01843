package kms

// The members pkms adds to AWS's requests. AWS's types in model.go are
// generated from AWS's service model; a struct here named pkms<Type> holds
// the pkms-only members of <Type>, which the generator appends to it after
// AWS's members, so that the command line (one option per member) and the
// wire protocol (one JSON member) take them like any other. Each member is
// named Pkms… so that it can never collide with a member AWS adds later,
// and the first sentence of its doc comment, "PkmsX does …", is its --help
// text "pkms only: does …". The types themselves are not used elsewhere:
// TestPkmsMembers checks that model.go carries them as declared.

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
