package vault

import (
	"bytes"
	"fmt"
	"testing"

	"filippo.io/age"
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
	putKeys(b, v, n)
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("key-%d", i%n)
		i++
		if err := v.View(func(tx *Tx) error { _, err := tx.Get("keys", id); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColdGet: what one command-line process pays in the vault to read
// one record among 10,000: open the file (Resume: no scrypt), one Get, Close.
func BenchmarkColdGet(b *testing.B) {
	const n = 10000
	x, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	path := initVault(b, "", x.Recipient().String())
	v, err := Unlock(path, Credentials{Identities: []age.Identity{x}}, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	putKeys(b, v, n)
	h, err := v.Handoff()
	if err != nil {
		b.Fatal(err)
	}
	v.Close()
	i := 0
	for b.Loop() {
		v, err := Resume(path, h, Options{})
		if err != nil {
			b.Fatal(err)
		}
		id := fmt.Sprintf("key-%d", i%n)
		i++
		if err := v.View(func(tx *Tx) error { _, err := tx.Get("keys", id); return err }); err != nil {
			b.Fatal(err)
		}
		v.Close()
	}
}

// putKeys writes n records of 1 KiB, "key-0" to "key-<n-1>", in the bucket
// "keys" in one transaction.
func putKeys(b *testing.B, v *Vault, n int) {
	b.Helper()
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
}
