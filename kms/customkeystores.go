package kms

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"time"

	"github.com/pocketkms/pkms/vault/pkcs11"
)

// Custom key stores on PKCS#11 tokens. AWS backs a custom key store with a
// CloudHSM cluster; pkms backs it with a PKCS#11 token the user owns
// (YubiHSM, smart card, network HSM, SoftHSM2). The mapping:
//
//   - CloudHsmClusterId names the token: its label, or slot:N.
//   - The module is the request's PkmsPkcs11Module, else the service's
//     configured module (PKMS_PKCS11_MODULE), else the first module at the
//     usual paths that has the token; the one found is kept in the record.
//   - KeyStorePassword (AWS's kmsuser password) is the token's user PIN,
//     kept in the store's record, which the vault seals like every record.
//   - ConnectCustomKeyStore logs in to the token; the connection state lives
//     in the vault, so a store stays connected across commands, and a
//     long-lived service (agent, server) keeps the logged-in session open.
//   - A KMS key in the store is an AES-256 key generated in the token,
//     persistent, sensitive and never extractable, labelled with the key
//     ARN; encryption runs AES-GCM inside the token and writes pkms's usual
//     ciphertext blob, which names the key.
//
// Connection is synchronous (AWS's is asynchronous): ConnectCustomKeyStore
// returns once the store is CONNECTED or FAILED, so CONNECTING and
// DISCONNECTING are never seen.

func init() {
	implement("CreateCustomKeyStore", (*Service).CreateCustomKeyStore, writes, noKey)
	implement("DescribeCustomKeyStores", (*Service).DescribeCustomKeyStores, readOnly, noKey)
	implement("ConnectCustomKeyStore", (*Service).ConnectCustomKeyStore, writes, noKey)
	implement("DisconnectCustomKeyStore", (*Service).DisconnectCustomKeyStore, writes, noKey)
	implement("UpdateCustomKeyStore", (*Service).UpdateCustomKeyStore, writes, noKey)
	implement("DeleteCustomKeyStore", (*Service).DeleteCustomKeyStore, writes, noKey)
}

const (
	bucketKeyStores = "customkeystores"
	// maxKeyStores is AWS's quota of custom key stores per account and Region.
	maxKeyStores = 10
)

// keyStoreRecord is what the vault keeps for one custom key store.
type keyStoreRecord struct {
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	Token       string              `json:"token"`  // CloudHsmClusterId: label or slot:N
	Module      string              `json:"module"` // PKCS#11 module path
	Serial      string              `json:"serial"` // the token's serial number, its identity
	TrustAnchor string              `json:"trustAnchor"`
	PIN         []byte              `json:"pin"` // the key store password: the token's user PIN
	State       ConnectionState     `json:"state"`
	ErrorCode   ConnectionErrorCode `json:"errorCode,omitempty"`
	Created     time.Time           `json:"created"`
}

func (t *txn) loadStore(id string) (*keyStoreRecord, error) {
	var r keyStoreRecord
	if err := getJSON(t, t.regional(bucketKeyStores), id, &r); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return nil, storeNotFound(id)
		}
		return nil, err
	}
	return &r, nil
}

func storeNotFound(id string) error {
	return newErr(CustomKeyStoreNotFoundException, "Custom key store %s does not exist", id)
}

func (t *txn) saveStore(r *keyStoreRecord) error {
	if err := t.noteRegion(); err != nil {
		return err
	}
	return putJSON(t, t.regional(bucketKeyStores), r.ID, r)
}

// wipe zeroes the PIN of a record that is done with.
func (r *keyStoreRecord) wipe() { clear(r.PIN) }

// eachStore visits every store.
func (t *txn) eachStore(fn func(*keyStoreRecord) error) error {
	return t.ForEach(t.regional(bucketKeyStores), "", func(_ string, v []byte) error {
		var r keyStoreRecord
		if err := unmarshalRecord(v, &r); err != nil {
			return err
		}
		return fn(&r)
	})
}

func storeStateErr(r *keyStoreRecord, op string) error {
	return newErr(CustomKeyStoreInvalidStateException, "Custom key store %s is %s; %s is not allowed in this connection state.", r.ID, r.State, op)
}

// newKeyStoreID is "cks-" and 17 random hex digits, the form of AWS's ids.
func newKeyStoreID(r io.Reader) (string, error) {
	var b [9]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	return "cks-" + hex.EncodeToString(b[:])[:17], nil
}

// checkTrustAnchor accepts what AWS accepts as a trust anchor: one PEM
// certificate. pkms has no cluster certificate to compare it with; it keeps
// it and shows it back.
func checkTrustAnchor(s string) error {
	block, rest := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		return newErr(IncorrectTrustAnchorException, "The trust anchor certificate must be one PEM-encoded X.509 certificate.")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return newErr(IncorrectTrustAnchorException, "The trust anchor certificate is not a valid X.509 certificate.")
	}
	return nil
}

// rejectXks refuses external key stores: pkms has no XKS proxy client.
func rejectXks(typ CustomKeyStoreType, xks bool) error {
	if typ == CustomKeyStoreTypeExternalKeyStore || xks {
		return newErr(UnsupportedOperationException, "pkms supports custom key stores of type AWS_CLOUDHSM (backed by a PKCS#11 token) only, not external key stores (XKS).")
	}
	return nil
}

// findToken locates the token ref: through module if given, else the
// service's configured module, else the usual module paths.
func (s *Service) findToken(ref, module string) (pkcs11.TokenInfo, error) {
	mods := []string{module}
	if module == "" {
		if s.pkcs11Module != "" {
			mods = []string{s.pkcs11Module}
		} else {
			mods = pkcs11.KnownModules()
		}
	}
	info, err := pkcs11.FindTokenIn(mods, pkcs11.TokenRef(ref))
	if err != nil {
		if errors.Is(err, pkcs11.ErrNoCgo) {
			return info, errNoPKCS11()
		}
		return info, newErr(CloudHsmClusterNotFoundException, "pkms cannot find the PKCS#11 token %q (the CloudHsmClusterId names a token by its label or as slot:N): %s", ref, tokenReason(err))
	}
	return info, nil
}

// errNoPKCS11 is the answer of every custom key store operation that needs
// a token in a build without cgo.
func errNoPKCS11() error {
	return newErr(UnsupportedOperationException, "This pkms was built without cgo, so it has no PKCS#11 support; custom key stores need a build with CGO_ENABLED=1.")
}

// tokenReason says in pkms's words why a token could not be used.
func tokenReason(err error) string {
	switch {
	case errors.Is(err, pkcs11.ErrIncorrectPIN):
		return "the token refused the PIN (the key store password)"
	case errors.Is(err, pkcs11.ErrPINLocked):
		return "the token's user PIN is locked"
	case errors.Is(err, pkcs11.ErrModuleUnavailable):
		return "no usable PKCS#11 module (pass --pkcs11-module or set PKMS_PKCS11_MODULE)"
	case errors.Is(err, pkcs11.ErrTokenNotFound):
		return "the token is not present"
	case errors.Is(err, pkcs11.ErrKeyNotFound):
		return "the key is not on the token"
	}
	return "the token reported an error"
}

// CreateCustomKeyStore records a store for a PKCS#11 token, DISCONNECTED.
func (s *Service) CreateCustomKeyStore(ctx context.Context, in *CreateCustomKeyStoreInput) (*CreateCustomKeyStoreOutput, error) {
	xks := in.XksProxyUriEndpoint != "" || in.XksProxyUriPath != "" || in.XksProxyVpcEndpointServiceName != "" ||
		in.XksProxyVpcEndpointServiceOwner != "" || in.XksProxyAuthenticationCredential != nil || in.XksProxyConnectivity != ""
	if err := rejectXks(in.CustomKeyStoreType, xks); err != nil {
		return nil, err
	}
	for _, m := range []struct{ name, v string }{
		{"CloudHsmClusterId", in.CloudHsmClusterId}, {"TrustAnchorCertificate", in.TrustAnchorCertificate}, {"KeyStorePassword", in.KeyStorePassword},
	} {
		if m.v == "" {
			return nil, newErr(ValidationException, "%s is required for a custom key store of type AWS_CLOUDHSM.", m.name)
		}
	}
	if err := checkTrustAnchor(in.TrustAnchorCertificate); err != nil {
		return nil, err
	}
	info, err := s.findToken(in.CloudHsmClusterId, in.PkmsPkcs11Module)
	if err != nil {
		return nil, err
	}
	var out *CreateCustomKeyStoreOutput
	err = s.update(ctx, func(t *txn) error {
		n, same := 0, ""
		var clash error
		err := t.eachStore(func(r *keyStoreRecord) error {
			n++
			switch {
			case r.Name == in.CustomKeyStoreName && r.Token == in.CloudHsmClusterId && r.Serial == info.Serial &&
				r.TrustAnchor == in.TrustAnchorCertificate && string(r.PIN) == in.KeyStorePassword && r.State == ConnectionStateDisconnected:
				same = r.ID // AWS: an identical retry returns the existing store
			case r.Name == in.CustomKeyStoreName:
				clash = newErr(CustomKeyStoreNameInUseException, "Custom key store name %s is already in use.", in.CustomKeyStoreName)
			case r.Serial == info.Serial && sameModule(r.Module, info.Module):
				clash = newErr(CloudHsmClusterInUseException, "The PKCS#11 token %q already backs custom key store %s.", in.CloudHsmClusterId, r.ID)
			}
			return nil
		})
		switch {
		case err != nil:
			return err
		case same != "":
			out = &CreateCustomKeyStoreOutput{CustomKeyStoreId: same}
			return nil
		case clash != nil:
			return clash
		case n >= maxKeyStores:
			return newErr(LimitExceededException, "The request was rejected because the number of custom key stores in the account and Region would exceed the limit of %d.", maxKeyStores)
		}
		id, err := newKeyStoreID(s.rand)
		if err != nil {
			return err
		}
		r := &keyStoreRecord{ID: id, Name: in.CustomKeyStoreName, Token: in.CloudHsmClusterId, Module: info.Module, Serial: info.Serial,
			TrustAnchor: in.TrustAnchorCertificate, PIN: []byte(in.KeyStorePassword), State: ConnectionStateDisconnected, Created: t.now}
		out = &CreateCustomKeyStoreOutput{CustomKeyStoreId: id}
		return t.saveStore(r)
	})
	return out, err
}

// sameModule reports whether two module paths are the same file.
func sameModule(a, b string) bool { return a == b || pkcs11.SameModule(a, b) }

// DescribeCustomKeyStores lists stores: one by id, one by name, or all, a
// page at a time.
func (s *Service) DescribeCustomKeyStores(ctx context.Context, in *DescribeCustomKeyStoresInput) (*DescribeCustomKeyStoresOutput, error) {
	if in.CustomKeyStoreId != "" && in.CustomKeyStoreName != "" {
		return nil, newErr(ValidationException, "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.")
	}
	var out *DescribeCustomKeyStoresOutput
	err := s.view(ctx, func(t *txn) error {
		if in.CustomKeyStoreId != "" {
			r, err := t.loadStore(in.CustomKeyStoreId)
			if err != nil {
				return err
			}
			out = &DescribeCustomKeyStoresOutput{CustomKeyStores: []CustomKeyStoresListEntry{r.entry()}, Truncated: ptr(false)}
			return nil
		}
		entries, next, more, err := pageOf(t, t.regional(bucketKeyStores), in.Marker, limit(in.Limit, 100, 1000), func(v []byte) (CustomKeyStoresListEntry, bool, error) {
			var r keyStoreRecord
			if err := unmarshalRecord(v, &r); err != nil {
				return CustomKeyStoresListEntry{}, false, err
			}
			if in.CustomKeyStoreName != "" && r.Name != in.CustomKeyStoreName {
				return CustomKeyStoresListEntry{}, false, nil
			}
			return r.entry(), true, nil
		})
		if err != nil {
			return err
		}
		if in.CustomKeyStoreName != "" && len(entries) == 0 && in.Marker == "" {
			return newErr(CustomKeyStoreNotFoundException, "Custom key store %s does not exist", in.CustomKeyStoreName)
		}
		out = &DescribeCustomKeyStoresOutput{CustomKeyStores: entries, NextMarker: next, Truncated: ptr(more)}
		return nil
	})
	return out, err
}

func (r *keyStoreRecord) entry() CustomKeyStoresListEntry {
	e := CustomKeyStoresListEntry{CustomKeyStoreId: r.ID, CustomKeyStoreName: r.Name, CloudHsmClusterId: r.Token,
		TrustAnchorCertificate: r.TrustAnchor, ConnectionState: r.State, CreationDate: NewTimestamp(r.Created),
		CustomKeyStoreType: CustomKeyStoreTypeAwsCloudhsm}
	if r.State == ConnectionStateFailed {
		e.ConnectionErrorCode = r.ErrorCode
	}
	return e
}

// ConnectCustomKeyStore logs in to the store's token. It answers {} whether
// the login worked or not, as AWS does; the outcome is the store's
// ConnectionState (CONNECTED, or FAILED with a ConnectionErrorCode).
func (s *Service) ConnectCustomKeyStore(ctx context.Context, in *ConnectCustomKeyStoreInput) (*ConnectCustomKeyStoreOutput, error) {
	var r *keyStoreRecord
	err := s.view(ctx, func(t *txn) error {
		var err error
		r, err = t.loadStore(in.CustomKeyStoreId)
		return err
	})
	if err != nil {
		return nil, err
	}
	switch r.State {
	case ConnectionStateConnected:
		return &ConnectCustomKeyStoreOutput{}, nil
	case ConnectionStateDisconnecting, ConnectionStateFailed, ConnectionStateConnecting:
		return nil, storeStateErr(r, "ConnectCustomKeyStore")
	}
	state, code := ConnectionStateConnected, ConnectionErrorCode("")
	err = s.tokens.connect(r)
	r.wipe()
	if err != nil {
		if errors.Is(err, pkcs11.ErrNoCgo) {
			return nil, errNoPKCS11()
		}
		state, code = ConnectionStateFailed, connectionErrorCode(err)
	}
	err = s.update(ctx, func(t *txn) error {
		cur, err := t.loadStore(in.CustomKeyStoreId)
		if err != nil {
			return err
		}
		if cur.State != ConnectionStateDisconnected {
			return storeStateErr(cur, "ConnectCustomKeyStore")
		}
		cur.State, cur.ErrorCode = state, code
		return t.saveStore(cur)
	})
	if err != nil || state != ConnectionStateConnected {
		s.tokens.drop(r.ID)
	}
	if err != nil {
		return nil, err
	}
	return &ConnectCustomKeyStoreOutput{}, nil
}

// connectionErrorCode maps a failed login to AWS's ConnectionErrorCode.
func connectionErrorCode(err error) ConnectionErrorCode {
	switch {
	case errors.Is(err, pkcs11.ErrIncorrectPIN):
		return ConnectionErrorCodeInvalidCredentials
	case errors.Is(err, pkcs11.ErrPINLocked):
		return ConnectionErrorCodeUserLockedOut
	case errors.Is(err, pkcs11.ErrTokenNotFound), errors.Is(err, pkcs11.ErrModuleUnavailable):
		return ConnectionErrorCodeClusterNotFound
	}
	return ConnectionErrorCodeInternalError
}

// DisconnectCustomKeyStore logs out of the token; the store's keys become
// Unavailable (those pending deletion stay so).
func (s *Service) DisconnectCustomKeyStore(ctx context.Context, in *DisconnectCustomKeyStoreInput) (*DisconnectCustomKeyStoreOutput, error) {
	err := s.update(ctx, func(t *txn) error {
		r, err := t.loadStore(in.CustomKeyStoreId)
		if err != nil {
			return err
		}
		if r.State == ConnectionStateDisconnected || r.State == ConnectionStateDisconnecting {
			return storeStateErr(r, "DisconnectCustomKeyStore")
		}
		r.State, r.ErrorCode = ConnectionStateDisconnected, ""
		return t.saveStore(r)
	})
	if err != nil {
		return nil, err
	}
	s.tokens.drop(in.CustomKeyStoreId)
	return &DisconnectCustomKeyStoreOutput{}, nil
}

// UpdateCustomKeyStore renames a store (in any state), or, while it is
// disconnected, changes its password (the PIN) or the token reference, which
// must name the same token (AWS requires a cluster of the same lineage).
func (s *Service) UpdateCustomKeyStore(ctx context.Context, in *UpdateCustomKeyStoreInput) (*UpdateCustomKeyStoreOutput, error) {
	xks := in.XksProxyUriEndpoint != "" || in.XksProxyUriPath != "" || in.XksProxyVpcEndpointServiceName != "" ||
		in.XksProxyVpcEndpointServiceOwner != "" || in.XksProxyAuthenticationCredential != nil || in.XksProxyConnectivity != ""
	if err := rejectXks("", xks); err != nil {
		return nil, err
	}
	var info *pkcs11.TokenInfo
	if in.CloudHsmClusterId != "" {
		var module string
		err := s.view(ctx, func(t *txn) error {
			r, err := t.loadStore(in.CustomKeyStoreId)
			if err == nil {
				module = r.Module
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		i, err := s.findToken(in.CloudHsmClusterId, module)
		if err != nil {
			return nil, err
		}
		info = &i
	}
	err := s.update(ctx, func(t *txn) error {
		r, err := t.loadStore(in.CustomKeyStoreId)
		if err != nil {
			return err
		}
		if (in.KeyStorePassword != "" || in.CloudHsmClusterId != "") && r.State != ConnectionStateDisconnected {
			return storeStateErr(r, "changing the password or the token of a store")
		}
		if in.NewCustomKeyStoreName != "" && in.NewCustomKeyStoreName != r.Name {
			err := t.eachStore(func(o *keyStoreRecord) error {
				if o.Name == in.NewCustomKeyStoreName {
					return newErr(CustomKeyStoreNameInUseException, "Custom key store name %s is already in use.", in.NewCustomKeyStoreName)
				}
				return nil
			})
			if err != nil {
				return err
			}
			r.Name = in.NewCustomKeyStoreName
		}
		if info != nil {
			if info.Serial != r.Serial {
				return newErr(CloudHsmClusterNotRelatedException, "The PKCS#11 token %q is not the token of custom key store %s (its serial number differs).", in.CloudHsmClusterId, r.ID)
			}
			r.Token, r.Module = in.CloudHsmClusterId, info.Module
		}
		if in.KeyStorePassword != "" {
			clear(r.PIN)
			r.PIN = []byte(in.KeyStorePassword)
		}
		return t.saveStore(r)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateCustomKeyStoreOutput{}, nil
}

// DeleteCustomKeyStore forgets a disconnected store that holds no keys
// (keys pending deletion count). The token and its objects are untouched.
func (s *Service) DeleteCustomKeyStore(ctx context.Context, in *DeleteCustomKeyStoreInput) (*DeleteCustomKeyStoreOutput, error) {
	err := s.update(ctx, func(t *txn) error {
		r, err := t.loadStore(in.CustomKeyStoreId)
		if err != nil {
			return err
		}
		if r.State != ConnectionStateDisconnected {
			return storeStateErr(r, "DeleteCustomKeyStore")
		}
		err = t.ForEach(t.regional(bucketKeys), "", func(_ string, v []byte) error {
			var k keyRecord
			if err := unmarshalRecord(v, &k); err != nil {
				return err
			}
			if k.CustomKeyStoreID == r.ID {
				return newErr(CustomKeyStoreHasCMKsException, "Custom key store %s contains KMS keys (%s); delete them first.", r.ID, k.KeyID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return t.Delete(t.regional(bucketKeyStores), r.ID)
	})
	if err != nil {
		return nil, err
	}
	return &DeleteCustomKeyStoreOutput{}, nil
}
