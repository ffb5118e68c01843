package kms

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pocketkms/pkms/vault"
)

// VaultStore adapts an unlocked vault to the Store the service needs.
func VaultStore(v *vault.Vault) Store { return vaultStore{v} }

type vaultStore struct{ v *vault.Vault }

func (s vaultStore) View(fn func(Tx) error) error {
	return s.v.View(func(tx *vault.Tx) error { return fn(vaultTx{tx}) })
}

func (s vaultStore) Update(fn func(Tx) error) error {
	return s.v.Update(func(tx *vault.Tx) error { return fn(vaultTx{tx}) })
}

// Batch is Update with group commit (vault.Vault.Batch).
func (s vaultStore) Batch(fn func(Tx) error) error {
	return s.v.Batch(func(tx *vault.Tx) error { return fn(vaultTx{tx}) })
}

// vaultTx translates the vault's sentinel errors into the Store contract.
type vaultTx struct{ *vault.Tx }

func (t vaultTx) Get(bucket, id string) ([]byte, error) {
	b, err := t.Tx.Get(bucket, id)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, ErrNoRecord
	}
	return b, err
}

func (t vaultTx) ForEach(bucket, after string, fn func(string, []byte) error) error {
	err := t.Tx.ForEach(bucket, after, func(m string, v []byte) error {
		if err := fn(m, v); errors.Is(err, ErrStop) {
			return vault.ErrStop
		} else {
			return err
		}
	})
	if errors.Is(err, vault.ErrInvalidMarker) {
		return ErrInvalidMarker
	}
	return err
}

// Verify checks every record of the vault file (vault.Vault.Verify): a
// problem is vault.ErrCorrupt naming each record, bucket or structure that
// failed.
func (s vaultStore) Verify() error {
	rep, err := s.v.Verify(nil)
	if err != nil {
		return err
	}
	if rep.OK() {
		return nil
	}
	var named []string
	for _, p := range rep.Problems {
		if p.Record == "" {
			named = append(named, p.Reason) // a whole bucket or the file's structure
		} else {
			named = append(named, p.Error())
		}
	}
	return fmt.Errorf("%w: %s", vault.ErrCorrupt, strings.Join(named, "; "))
}
