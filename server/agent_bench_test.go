package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pocketkms/pkms/kms"
)

// BenchmarkAgentEncryptAudit drives the agent over its socket with 8
// concurrent clients, each call on its own connection as the command line
// makes it, without and with the audit trail: what the trail costs the
// agent's Encrypt throughput.
func BenchmarkAgentEncryptAudit(b *testing.B) {
	for _, audited := range []bool{false, true} {
		b.Run(auditName(audited), func(b *testing.B) {
			_, open := testVaultOpts(b, true, kms.Options{GroupCommit: true, Unaudited: !audited})
			c := benchAgent(b, open)
			ctx := context.Background()
			var key kms.CreateKeyOutput
			if err := c.Invoke(ctx, "CreateKey", &kms.CreateKeyInput{}, &key); err != nil {
				b.Fatal(err)
			}
			in := &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("benchmark payload")}
			driveClients(b, 8, "encrypts/s", func() error {
				var out kms.EncryptOutput
				return c.Invoke(ctx, "Encrypt", in, &out)
			})
		})
	}
}

// benchAgent serves the vault open opens as an agent until the benchmark
// ends, and returns its client.
func benchAgent(b *testing.B, open func() *Backend) *Client {
	dir, err := os.MkdirTemp("", "pkms-agent-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "agent.sock")
	l, err := ListenAgent(sock)
	if err != nil {
		b.Fatal(err)
	}
	s := New(open())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeAgent(ctx, s, l, AgentOptions{}) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			b.Errorf("ServeAgent: %v", err)
		}
	})
	return NewClient(sock, "")
}
