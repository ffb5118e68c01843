package kms

import (
	"context"
	"path/filepath"
	"testing"

	"filippo.io/age"

	"github.com/pocketkms/pkms/internal/cputime"
	"github.com/pocketkms/pkms/vault"
)

// BenchmarkAuditEncrypt is Encrypt through Invoke in a long-lived service
// (the agent's and pkms serve's case: group commit) on a real, fsynced
// vault, from concurrent callers, without and with the audit trail: the
// event's cost against the bare Encrypt, with no protocol around it (the
// servers' own figures are server's BenchmarkAgentEncryptAudit and
// BenchmarkServeEncryptAudit). On a shared machine compare cpu-µs/op (the
// process's CPU time per call), which other processes move far less than
// the wall clock.
func BenchmarkAuditEncrypt(b *testing.B) {
	for _, audit := range []bool{false, true} {
		name := "audit=off"
		if audit {
			name = "audit=on"
		}
		b.Run(name, func(b *testing.B) {
			svc := benchVaultService(b, Options{GroupCommit: true, Unaudited: !audit})
			ctx := context.Background()
			k, err := svc.CreateKey(ctx, &CreateKeyInput{})
			if err != nil {
				b.Fatal(err)
			}
			in := &EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte("benchmark payload"), EncryptionContext: map[string]string{"purpose": "bench"}}
			b.SetParallelism(4)
			b.ResetTimer()
			cpu := cputime.Used()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := svc.Invoke(ctx, "Encrypt", in); err != nil {
						b.Error(err)
						return
					}
				}
			})
			// The events' commits belong to the cost.
			if err := svc.FlushUsage(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "encrypts/s")
			b.ReportMetric(float64(cputime.Since(cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			if audit {
				b.ReportMetric(float64(auditBytes(b, svc))/float64(b.N), "audit-bytes/op")
			}
		})
	}
}

// benchVaultService is a group-committing service over a new vault file
// that fsyncs, as the agent's does.
func benchVaultService(b *testing.B, opts Options) *Service {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "vault.pkms")
	err = vault.Init(path, vault.InitOptions{Recipients: []string{id.Recipient().String()}, Setup: func(v *vault.Vault) error {
		_, err := Initialize(VaultStore(v), testAccount)
		return err
	}})
	if err != nil {
		b.Fatal(err)
	}
	v, err := vault.Unlock(path, vault.Credentials{Identities: []age.Identity{id}}, vault.Options{})
	if err != nil {
		b.Fatal(err)
	}
	svc := New(VaultStore(v), opts)
	b.Cleanup(func() {
		_ = svc.Close()
		v.Close()
	})
	return svc
}

// auditBytes is the size of the stored audit segments (before the vault
// seals each record).
func auditBytes(b *testing.B, svc *Service) int {
	n := 0
	err := svc.store.View(func(tx Tx) error {
		return tx.ForEach(bucketAudit, "", func(_ string, v []byte) error { n += len(v); return nil })
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
