package vault

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkUpdate: one Put (1 KiB, the size of a key record) per write
// transaction, fsynced (NoSync false), on one open Vault.
func BenchmarkUpdate(b *testing.B) {
	path := initVault(b, "pw")
	v, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	val := bytes.Repeat([]byte("k"), 1024)
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("key-%d", i)
		i++
		if err := v.Update(func(tx *Tx) error { return tx.Put("keys", id, val) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGet: one Get and decryption of a 1 KiB record per read
// transaction, among 10,000 records.
func BenchmarkGet(b *testing.B) {
	const n = 10000
	path := initVault(b, "pw")
	v, err := Unlock(path, Credentials{Passphrase: passFn("pw")}, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	val := bytes.Repeat([]byte("k"), 1024)
	if err := v.Update(func(tx *Tx) error {
		for i := range n {
			if err := tx.Put("keys", fmt.Sprintf("key-%d", i), val); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("key-%d", i%n)
		i++
		if err := v.View(func(tx *Tx) error { _, err := tx.Get("keys", id); return err }); err != nil {
			b.Fatal(err)
		}
	}
}
