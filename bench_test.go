package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
)

// benchVault creates a vault with an identity slot holding n keys (bulk
// loaded without fsync, then closed) and returns its path and identity file.
func benchVault(b *testing.B, n int) (path, idFile, aliasTarget string) {
	b.Helper()
	dir := b.TempDir()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	idFile = filepath.Join(dir, "id.key")
	if err := os.WriteFile(idFile, []byte(id.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	path = filepath.Join(dir, "vault.pkms")
	if err := vault.Init(path, vault.InitOptions{Recipients: []string{id.Recipient().String()}}); err != nil {
		b.Fatal(err)
	}
	v, err := vault.Unlock(path, vault.Credentials{Identities: []age.Identity{id}}, vault.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	store := kms.VaultStore(v)
	if _, err := kms.Initialize(store, "111122223333"); err != nil {
		b.Fatal(err)
	}
	svc := kms.New(store, kms.Options{})
	ctx := context.Background()
	for i := 0; i < n; i++ {
		out, err := svc.CreateKey(ctx, &kms.CreateKeyInput{Description: fmt.Sprintf("bench key %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		if i == n/2 {
			aliasTarget = out.KeyMetadata.KeyId
		}
	}
	if _, err := svc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/bench", TargetKeyId: aliasTarget}); err != nil {
		b.Fatal(err)
	}
	return path, idFile, aliasTarget
}

// BenchmarkEncryptProcess measures one whole `pkms encrypt` process (start,
// unlock with an identity slot, resolve an alias, encrypt, print) and
// reports the median, at 1,000 and 100,000 keys in the vault.
func BenchmarkEncryptProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "pkms")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			if n > 1000 && testing.Short() {
				b.Skip("100k-key vault takes a minute to build; skipped in -short")
			}
			path, idFile, _ := benchVault(b, n)
			// The bulk load leaves the file's pages dirty; let the kernel
			// write them back first, so the timing is of pkms, not of that.
			syscall.Sync()
			run := func() {
				c := exec.Command(bin, "encrypt", "--key-id", "alias/bench", "--plaintext", "aGVsbG8gd29ybGQ=",
					"--vault", path, "--identity-file", idFile, "--query", "CiphertextBlob", "--output", "text")
				if out, err := c.CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
			reportMedian(b, run)
		})
	}
}

// BenchmarkEncryptInProcess is the service's Encrypt on a real vault.
func BenchmarkEncryptInProcess(b *testing.B) {
	svc, keyID := benchService(b)
	ctx := context.Background()
	in := &kms.EncryptInput{KeyId: "alias/bench", Plaintext: []byte("hello world"), EncryptionContext: map[string]string{"purpose": "bench"}}
	_ = keyID
	for b.Loop() {
		if _, err := svc.Encrypt(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteTransaction is one durable (fsynced) write: UpdateKeyDescription.
func BenchmarkWriteTransaction(b *testing.B) {
	svc, keyID := benchService(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := svc.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: keyID, Description: fmt.Sprint(i)}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchService(b *testing.B) (*kms.Service, string) {
	path, idFile, keyID := benchVault(b, 10)
	f, err := os.Open(idFile)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		b.Fatal(err)
	}
	v, err := vault.Unlock(path, vault.Credentials{Identities: ids}, vault.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Close() })
	return kms.New(kms.VaultStore(v), kms.Options{}), keyID
}

// BenchmarkSignP256 is the service's Sign with an ECC_NIST_P256 key on a
// real vault; BenchmarkBareECDSAP256 signs the same digest with
// crypto/ecdsa alone, for the ratio the README reports.
func BenchmarkSignP256(b *testing.B) {
	svc, _ := benchService(b)
	ctx := context.Background()
	k, err := svc.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageSignVerify})
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("release"))
	in := &kms.SignInput{KeyId: k.KeyMetadata.KeyId, Message: digest[:], MessageType: kms.MessageTypeDigest, SigningAlgorithm: kms.SigningAlgorithmEcdsaSha256}
	for b.Loop() {
		if _, err := svc.Sign(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBareECDSAP256(b *testing.B) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("release"))
	for b.Loop() {
		if _, err := ecdsa.SignASN1(rand.Reader, key, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncryptProcessAgent is one whole `pkms encrypt` process through
// an agent (PKMS_AGENT_SOCK): the target is <= 10 ms median.
func BenchmarkEncryptProcessAgent(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "pkms")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	path, idFile, _ := benchVault(b, 1000)
	sockDir, err := os.MkdirTemp("", "pkms-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	sock := filepath.Join(sockDir, "agent.sock")
	out, err := exec.Command(bin, "agent", "--vault", path, "--identity-file", idFile, "--socket", sock).CombinedOutput()
	if err != nil {
		b.Fatalf("agent: %v\n%s", err, out)
	}
	defer exec.Command(bin, "agent", "stop", "--socket", sock).Run()
	run := func() {
		c := exec.Command(bin, "encrypt", "--key-id", "alias/bench", "--plaintext", "aGVsbG8gd29ybGQ=",
			"--query", "CiphertextBlob", "--output", "text")
		c.Env = append(os.Environ(), "PKMS_AGENT_SOCK="+sock)
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
	reportMedian(b, run)
}

// reportMedian warms run up, times it once per iteration and reports the
// median: one slow process start must not move the figure.
func reportMedian(b *testing.B, run func()) {
	for range 3 {
		run()
	}
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		run()
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median/process")
}
