package server

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/pocketkms/pkms/internal/cputime"
	"github.com/pocketkms/pkms/kms"
)

// What the audit trail costs the servers' Encrypt throughput. Two servers
// run in the benchmark's process, one without the trail and one with it,
// on vaults that fsync as the agent's and serve's do, and 8 clients drive
// them in alternating bursts. Measured one after the other, in two
// processes, the two differ by more than the trail costs: the process's
// heap (the trail's buffers raise it) moves the garbage collector's pace,
// and with it the clients' own allocation cost, by 10-30%. Side by side
// both see the same heap and pace, and the metrics are each side's rate
// and CPU time per call and the rate the trail takes away (loss-%).

// BenchmarkAgentEncryptAudit drives two agents over their sockets, each
// call on its own connection as the command line makes it.
func BenchmarkAgentEncryptAudit(b *testing.B) {
	side := func(audited bool) *auditSide {
		be, open := captureBackend(b, kms.Options{GroupCommit: true, Unaudited: !audited})
		c := benchAgent(b, open)
		ctx := context.Background()
		var key kms.CreateKeyOutput
		if err := c.Invoke(ctx, "CreateKey", &kms.CreateKeyInput{}, &key); err != nil {
			b.Fatal(err)
		}
		in := &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("benchmark payload")}
		return &auditSide{backend: *be, call: func() error {
			var out kms.EncryptOutput
			return c.Invoke(ctx, "Encrypt", in, &out)
		}}
	}
	runAuditPair(b, side(false), side(true))
}

// BenchmarkServeEncryptAudit drives two pkms serve instances with AWS SDK
// for Go v2 clients.
func BenchmarkServeEncryptAudit(b *testing.B) {
	side := func(audited bool) *auditSide {
		be, open := captureBackend(b, kms.Options{GroupCommit: true, Unaudited: !audited})
		c, _, _ := serveBackend(b, open)
		ctx := context.Background()
		ck, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
		if err != nil {
			b.Fatal(err)
		}
		in := &awskms.EncryptInput{KeyId: ck.KeyMetadata.KeyId, Plaintext: []byte("benchmark payload")}
		return &auditSide{backend: *be, call: func() error {
			_, err := c.Encrypt(ctx, in)
			return err
		}}
	}
	runAuditPair(b, side(false), side(true))
}

// auditSide is one server of the pair and what its bursts took.
type auditSide struct {
	backend   *Backend
	call      func() error
	calls     int
	wall, cpu time.Duration
}

// captureBackend is testVaultOpts's opener, remembering the backend it
// opened last (the benchmark flushes its audit queue).
func captureBackend(b *testing.B, opts kms.Options) (**Backend, func() *Backend) {
	_, open := testVaultOpts(b, true, opts)
	be := new(*Backend)
	return be, func() *Backend { *be = open(); return *be }
}

func runAuditPair(b *testing.B, off, on *auditSide) {
	const burst = 10000 // long enough that the idle end of a burst (the last flush's fsync) weighs little
	b.ResetTimer()
	for done := 0; done < b.N; done += burst {
		for _, s := range []*auditSide{off, on} {
			start, cpu := time.Now(), cputime.Used()
			driveBurst(b, 8, burst, s.call)
			// The burst's events are committed within it.
			if err := s.backend.Service.FlushAudit(context.Background()); err != nil {
				b.Fatal(err)
			}
			s.wall += time.Since(start)
			s.cpu += cputime.Since(cpu)
			s.calls += burst
		}
	}
	b.StopTimer()
	rate := func(s *auditSide) float64 { return float64(s.calls) / s.wall.Seconds() }
	b.ReportMetric(rate(off), "off-encrypts/s")
	b.ReportMetric(rate(on), "on-encrypts/s")
	b.ReportMetric(float64(off.cpu.Microseconds())/float64(off.calls), "off-cpu-µs/op")
	b.ReportMetric(float64(on.cpu.Microseconds())/float64(on.calls), "on-cpu-µs/op")
	b.ReportMetric(100*(1-rate(on)/rate(off)), "loss-%")
}

// driveBurst makes n calls from clients goroutines.
func driveBurst(b *testing.B, clients, n int, call func() error) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := call(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// benchAgent serves the vault open opens as an agent until the benchmark
// ends, and returns its client.
func benchAgent(b *testing.B, open func() *Backend) *Client {
	sock, l := listenPrivate(b)
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
