package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
)

// testVault makes a vault with a KMS configuration and returns its path
// and a function that opens it again (a new Backend each time).
func testVault(t testing.TB) (string, func() *Backend) {
	t.Helper()
	return testVaultSync(t, false)
}

// testVaultSync is testVault with a choice of durability: sync true opens
// the vault as the agent and pkms serve do, fsyncing every commit.
func testVaultSync(t testing.TB, sync bool) (string, func() *Backend) {
	t.Helper()
	return testVaultOpts(t, sync, kms.Options{GroupCommit: true})
}

// testVaultOpts is testVaultSync with the options of the services it opens.
func testVaultOpts(t testing.TB, sync bool, opts kms.Options) (string, func() *Backend) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.pkms")
	pass := func() ([]byte, error) { return []byte("pw"), nil }
	if err := vault.Init(path, vault.InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: 1, NoSync: true}); err != nil {
		t.Fatal(err)
	}
	unlock := func() *vault.Vault {
		v, err := vault.Unlock(path, vault.Credentials{Passphrase: pass}, vault.Options{NoSync: !sync})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	open := func() *Backend {
		v := unlock()
		return &Backend{Service: kms.New(kms.VaultStore(v), opts), Close: v.Close}
	}
	v := unlock()
	if _, err := kms.Initialize(kms.VaultStore(v), "111122223333"); err != nil {
		t.Fatal(err)
	}
	v.Close()
	return path, open
}

// listenPrivate listens as an agent on a socket in a new private
// directory (short enough for a socket path), removed when the test ends.
func listenPrivate(t testing.TB) (string, *net.UnixListener) {
	t.Helper()
	dir, err := os.MkdirTemp("", "pkms-agent-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "agent.sock")
	l, err := ListenAgent(sock)
	if err != nil {
		t.Fatal(err)
	}
	return sock, l
}

// startAgent serves a fresh vault on a socket in a private directory and
// returns a client; the agent stops at the end of the test.
func startAgent(t *testing.T, opts AgentOptions) (*Server, *Client, string, <-chan error) {
	t.Helper()
	_, open := testVault(t)
	sock, l := listenPrivate(t)
	s := New(open())
	s.Logf = t.Logf
	s.Hooks.Resume = func(r io.Reader) (*Backend, error) {
		if b, err := io.ReadAll(r); err != nil || string(b) != "handoff" {
			return nil, fmt.Errorf("read %q, %v", b, err)
		}
		return open(), nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		done <- ServeAgent(ctx, s, l, opts)
		close(finished)
	}()
	t.Cleanup(func() {
		cancel()
		<-finished
	})
	c := NewClient(sock, "")
	return s, c, sock, done
}

func TestAgentRoundTrip(t *testing.T) {
	_, c, sock, _ := startAgent(t, AgentOptions{})
	ctx := context.Background()

	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if di, _ := os.Stat(filepath.Dir(sock)); di.Mode().Perm() != 0o700 {
		t.Fatalf("socket directory mode %v, want 0700", di.Mode().Perm())
	}

	var key kms.CreateKeyOutput
	if err := c.Invoke(ctx, "CreateKey", &kms.CreateKeyInput{Description: "t"}, &key); err != nil {
		t.Fatal(err)
	}
	var enc kms.EncryptOutput
	in := &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("hello"), EncryptionContext: map[string]string{"a": "b"}}
	if err := c.Invoke(ctx, "Encrypt", in, &enc); err != nil {
		t.Fatal(err)
	}
	var dec kms.DecryptOutput
	if err := c.Invoke(ctx, "Decrypt", &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"a": "b"}}, &dec); err != nil {
		t.Fatal(err)
	}
	if string(dec.Plaintext) != "hello" || dec.KeyId != key.KeyMetadata.Arn {
		t.Fatalf("decrypt: %q %s", dec.Plaintext, dec.KeyId)
	}

	// KMS exceptions come back typed.
	err = c.Invoke(ctx, "DescribeKey", &kms.DescribeKeyInput{KeyId: "alias/none"}, &kms.DescribeKeyOutput{})
	if kms.CodeOf(err) != kms.NotFoundException {
		t.Fatalf("DescribeKey of a missing alias: %v", err)
	}
	// The client's region is the region the request acts in.
	var d kms.CreateKeyOutput
	rc := NewClient(sock, "ap-south-2")
	if err := rc.Invoke(ctx, "CreateKey", &kms.CreateKeyInput{}, &d); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.KeyMetadata.Arn, "arn:aws:kms:ap-south-2:") {
		t.Fatalf("Arn %s ignores the client's region", d.KeyMetadata.Arn)
	}
	err = rc.Invoke(ctx, "DescribeKey", &kms.DescribeKeyInput{KeyId: key.KeyMetadata.KeyId}, &kms.DescribeKeyOutput{})
	if kms.CodeOf(err) != kms.NotFoundException {
		t.Fatalf("DescribeKey in ap-south-2 of a us-east-1 key: %v", err)
	}
	// A region that could not be in an ARN is refused, not used.
	bad := NewClient(sock, "ap south:2")
	err = bad.Invoke(ctx, "DescribeKey", &kms.DescribeKeyInput{KeyId: key.KeyMetadata.KeyId}, &kms.DescribeKeyOutput{})
	if kms.CodeOf(err) != kms.ValidationException {
		t.Fatalf("DescribeKey with region %q: %v", "ap south:2", err)
	}
}

// TestAgentAccessKeys: the access-key operations, agent-only entries of the
// registry, work on the agent's private socket (the client sends them under
// the agent's prefix) and are unknown under TrentService even there.
func TestAgentAccessKeys(t *testing.T) {
	_, c, _, _ := startAgent(t, AgentOptions{})
	ctx := context.Background()
	var key kms.AccessKey
	if err := c.Invoke(ctx, "CreateAccessKey", &kms.CreateAccessKeyInput{Description: "ci"}, &key); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key.AccessKeyId, "PKMS") || key.SecretAccessKey == "" {
		t.Fatalf("CreateAccessKey returned %+v", key)
	}
	var list kms.ListAccessKeysOutput
	if err := c.Invoke(ctx, "ListAccessKeys", &kms.ListAccessKeysInput{}, &list); err != nil || len(list.AccessKeys) != 1 || list.AccessKeys[0].SecretAccessKey != "" {
		t.Fatalf("ListAccessKeys: %+v %v", list, err)
	}
	if err := c.Invoke(ctx, "DeleteAccessKey", &kms.DeleteAccessKeyInput{AccessKeyId: key.AccessKeyId}, &kms.DeleteAccessKeyOutput{}); err != nil {
		t.Fatal(err)
	}
	err := c.Invoke(ctx, "DeleteAccessKey", &kms.DeleteAccessKeyInput{AccessKeyId: key.AccessKeyId}, &kms.DeleteAccessKeyOutput{})
	if kms.CodeOf(err) != kms.NotFoundException {
		t.Fatalf("deleting it again: %v", err)
	}
	notKMSOperations(t, c, "CreateAccessKey", "ListAccessKeys", "DeleteAccessKey")
}

// notKMSOperations checks that the agent-only operations names are not
// answered as KMS operations (the TrentService target) on c's socket.
func notKMSOperations(t *testing.T, c *Client, names ...string) {
	t.Helper()
	for _, name := range names {
		err := c.call(context.Background(), targetPrefix+name, struct{}{}, &struct{}{})
		if kms.CodeOf(err) != "UnknownOperationException" {
			t.Errorf("TrentService.%s on the agent socket: %v, want UnknownOperationException", name, err)
		}
	}
}

// TestAgentAudit: the audit operations, agent-only, answer on the agent's
// socket with the events the agent has queued, and a broken chain comes
// back as the same *kms.ChainError the service returned.
func TestAgentAudit(t *testing.T) {
	_, c, _, _ := startAgent(t, AgentOptions{FlushEvery: time.Hour})
	ctx := context.Background()
	var key kms.CreateKeyOutput
	if err := c.Invoke(ctx, "CreateKey", &kms.CreateKeyInput{}, &key); err != nil {
		t.Fatal(err)
	}
	if err := c.Invoke(ctx, "Encrypt", &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("p")}, &kms.EncryptOutput{}); err != nil {
		t.Fatal(err)
	}
	var look kms.LookupEventsOutput
	one := int32(1)
	if err := c.Invoke(ctx, "LookupEvents", &kms.LookupEventsInput{MaxResults: &one}, &look); err != nil || len(look.Events) != 1 || look.Events[0].EventName != "Encrypt" {
		t.Fatalf("LookupEvents right after Encrypt: %+v, %v", look.Events, err)
	}
	var exp kms.ExportEventsOutput
	if err := c.Invoke(ctx, "ExportEvents", &kms.ExportEventsInput{}, &exp); err != nil || len(exp.Events) < 3 || exp.NextToken != "" {
		t.Fatalf("ExportEvents: %d events, %q, %v", len(exp.Events), exp.NextToken, err)
	}
	var st kms.AuditTrailStatus
	if err := c.Invoke(ctx, "GetAuditAnchor", &kms.GetAuditAnchorInput{}, &st); err != nil || st.Status != "OK" {
		t.Fatalf("GetAuditAnchor: %+v, %v", st, err)
	}
	a, err := kms.ParseAnchor(st.Anchor)
	if err != nil {
		t.Fatal(err)
	}
	a.Seq += 10
	err = c.Invoke(ctx, "VerifyAuditTrail", &kms.VerifyAuditTrailInput{Anchor: a.String()}, &kms.AuditTrailStatus{})
	var ce *kms.ChainError
	if !errors.As(err, &ce) || ce.Seq != st.HeadEvent+1 || !strings.Contains(ce.Reason, "gone back past the anchor") {
		t.Fatalf("VerifyAuditTrail past the head: %#v, want the ChainError at event %d", err, st.HeadEvent+1)
	}
	notKMSOperations(t, c, "LookupEvents", "ExportEvents", "VerifyAuditTrail", "GetAuditAnchor", "PruneEvents")
}

// TestAgentExportPages: an export larger than one page crosses the socket
// page by page, and the pages joined are the trail as the service reads it.
func TestAgentExportPages(t *testing.T) {
	s, c, _, _ := startAgent(t, AgentOptions{FlushEvery: time.Hour})
	ctx := context.Background()
	big := map[string]string{"note": strings.Repeat("n", 6000)}
	var want [][]byte
	err := s.withService(func(svc *kms.Service) error {
		out, err := svc.Invoke(ctx, "CreateKey", &kms.CreateKeyInput{})
		if err != nil {
			return err
		}
		id := out.(*kms.CreateKeyOutput).KeyMetadata.KeyId
		for range 1500 { // about 6 KiB each: more than two pages
			if _, err := svc.Invoke(ctx, "Encrypt", &kms.EncryptInput{KeyId: id, Plaintext: []byte("p"), EncryptionContext: big}); err != nil {
				return err
			}
		}
		if err := svc.FlushAudit(ctx); err != nil {
			return err
		}
		return svc.ExportAudit(ctx, time.Time{}, func(rec []byte) error {
			want = append(want, bytes.Clone(rec))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	in, pages := &kms.ExportEventsInput{}, 0
	for {
		var page kms.ExportEventsOutput
		if err := c.Invoke(ctx, "ExportEvents", in, &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, rec := range page.Events {
			got = append(got, rec)
		}
		if page.NextToken == "" {
			break
		}
		in.NextToken = page.NextToken
	}
	if pages < 3 || !slices.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("%d pages, %d events; want at least 3 pages of the %d events the service exports", pages, len(got), len(want))
	}
}

func TestAgentLockUnlockStop(t *testing.T) {
	s, c, sock, done := startAgent(t, AgentOptions{})
	ctx := context.Background()
	if err := c.Control(ctx, "Lock", struct{}{}, nil); err != nil {
		t.Fatal(err)
	}
	var re *RemoteError
	err := c.Invoke(ctx, "ListKeys", &kms.ListKeysInput{}, &kms.ListKeysOutput{})
	if !errors.As(err, &re) || !re.Locked() {
		t.Fatalf("a locked agent answered %v", err)
	}
	var st StatusOutput
	if err := c.Control(ctx, "Status", struct{}{}, &st); err != nil || !st.Locked || st.Pid != os.Getpid() {
		t.Fatalf("status %+v %v", st, err)
	}
	if err := c.Control(ctx, "Unlock", UnlockInput{HandoffPipe: "/etc/passwd"}, nil); err == nil {
		t.Fatal("Unlock read its handoff from a regular file")
	}
	if err := c.Unlock(ctx, []byte("handoff")); err != nil {
		t.Fatal(err)
	}
	if err := c.Invoke(ctx, "ListKeys", &kms.ListKeysInput{}, &kms.ListKeysOutput{}); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	if err := c.Control(ctx, "Stop", struct{}{}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrStopped) {
			t.Fatalf("ServeAgent returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the agent did not stop")
	}
	if !s.Locked() {
		t.Fatal("a stopped agent still holds the vault")
	}
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left behind: %v", err)
	}
	var ue *UnreachableError
	if err := c.Invoke(ctx, "ListKeys", &kms.ListKeysInput{}, &kms.ListKeysOutput{}); !errors.As(err, &ue) {
		t.Fatalf("a stopped agent answered %v", err)
	}
}

func TestAgentTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts AgentOptions
		want error
	}{
		{"idle", AgentOptions{IdleTimeout: 300 * time.Millisecond}, ErrIdle},
		{"lifetime", AgentOptions{MaxLifetime: 600 * time.Millisecond, IdleTimeout: time.Hour}, ErrLifetime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, c, sock, done := startAgent(t, tc.opts)
			if tc.want == ErrLifetime {
				// Busy the whole time: the lifetime still ends it.
				for time.Since(start) < 400*time.Millisecond {
					if err := c.Invoke(context.Background(), "ListKeys", &kms.ListKeysInput{}, &kms.ListKeysOutput{}); err != nil {
						t.Fatal(err)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) {
					t.Fatalf("stopped with %v, want %v", err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the agent did not stop")
			}
			if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("socket left behind: %v", err)
			}
		})
	}
}

// TestAgentRefusesOtherUIDs connects as another user. As root it runs a
// copy of the test binary with uid 65534, after opening the socket's
// permissions on purpose: the kernel-reported uid must still be refused.
func TestAgentRefusesOtherUIDs(t *testing.T) {
	if os.Getenv("PKMS_TEST_CONNECT") != "" {
		return // the child: see connectAsChild in TestMain
	}
	if os.Getuid() != 0 {
		t.Skip("needs root to run a child as another uid")
	}
	_, _, sock, _ := startAgent(t, AgentOptions{})
	dir := filepath.Dir(sock)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	binDir, err := os.MkdirTemp("", "pkms-uid-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(binDir)
	if err := os.Chmod(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "helper")
	copyFile(t, os.Args[0], bin)
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), "PKMS_TEST_CONNECT="+sock)
	cmd.SysProcAttr = nobody()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "AccessDeniedException") || !strings.Contains(string(out), "uid 65534") {
		t.Fatalf("the agent did not refuse uid 65534:\n%s", out)
	}
}

func TestMain(m *testing.M) {
	if sock := os.Getenv("PKMS_TEST_CONNECT"); sock != "" {
		c := NewClient(sock, "")
		err := c.Invoke(context.Background(), "ListKeys", &kms.ListKeysInput{}, &kms.ListKeysOutput{})
		os.Stdout.WriteString("uid " + itoa(os.Getuid()) + ": " + errString(err) + "\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func errString(err error) string {
	if err == nil {
		return "accepted"
	}
	return err.Error()
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// post sends a raw request to a handler.
func post(t *testing.T, h http.Handler, target, body string) (*http.Response, wireError) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://x/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", contentType)
	rec := newRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.result()
	var we wireError
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &we)
	return resp, we
}

func TestProtocolErrors(t *testing.T) {
	_, open := testVault(t)
	s := New(open())
	defer s.Stop()
	big := `{"KeyId":"` + strings.Repeat("a", MaxBody) + `"}`
	for _, tc := range []struct {
		name, target, body string
		status             int
		code               string
	}{
		{"unknown operation", "TrentService.Nope", "{}", 400, "UnknownOperationException"},
		{"no target", "", "{}", 400, "UnknownOperationException"},
		{"wrong service", "Other.ListKeys", "{}", 400, "UnknownOperationException"},
		{"control over tcp", "PkmsAgent.CreateAccessKey", "{}", 400, "UnknownOperationException"},
		{"agent-only operation as a KMS target", "TrentService.CreateAccessKey", "{}", 400, "UnknownOperationException"},
		{"agent-only list as a KMS target", "TrentService.ListAccessKeys", "{}", 400, "UnknownOperationException"},
		// The audit trail names every key and caller: pkms serve never
		// answers its queries, under either prefix.
		{"audit lookup as a KMS target", "TrentService.LookupEvents", "{}", 400, "UnknownOperationException"},
		{"audit export as a KMS target", "TrentService.ExportEvents", "{}", 400, "UnknownOperationException"},
		{"audit verify as a KMS target", "TrentService.VerifyAuditTrail", "{}", 400, "UnknownOperationException"},
		{"audit anchor as a KMS target", "TrentService.GetAuditAnchor", "{}", 400, "UnknownOperationException"},
		{"audit prune as a KMS target", "TrentService.PruneEvents", `{"Before":1}`, 400, "UnknownOperationException"},
		{"audit lookup over tcp", "PkmsAgent.LookupEvents", "{}", 400, "UnknownOperationException"},
		{"audit prune over tcp", "PkmsAgent.PruneEvents", `{"Before":1}`, 400, "UnknownOperationException"},
		{"bad json", "TrentService.ListKeys", "{", 400, "SerializationException"},
		{"wrong type", "TrentService.DescribeKey", `{"KeyId": 5}`, 400, "SerializationException"},
		{"too big", "TrentService.DescribeKey", big, 413, "SerializationException"},
		{"validation", "TrentService.DescribeKey", `{}`, 400, "ValidationException"},
		{"not found", "TrentService.DescribeKey", `{"KeyId":"alias/x"}`, 400, "NotFoundException"},
		{"empty body is an empty request", "TrentService.ListKeys", "", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, we := post(t, s, tc.target, tc.body)
			if resp.StatusCode != tc.status || we.Type != tc.code {
				t.Fatalf("got %d %q (%s), want %d %q", resp.StatusCode, we.Type, we.Message, tc.status, tc.code)
			}
			if tc.code != "" && resp.Header.Get("X-Amzn-ErrorType") != tc.code {
				t.Fatalf("X-Amzn-ErrorType = %q", resp.Header.Get("X-Amzn-ErrorType"))
			}
			if resp.Header.Get("X-Amzn-RequestId") == "" {
				t.Fatal("no request id")
			}
		})
	}
}

func TestCheckListen(t *testing.T) {
	for _, tc := range []struct {
		addr          string
		remote, tlsOn bool
		ok            bool
	}{
		{"127.0.0.1:4599", false, false, true},
		{"[::1]:4599", false, false, true},
		{"localhost:0", false, false, true},
		{"0.0.0.0:4599", false, false, false},
		{"192.168.1.5:4599", false, false, false},
		{"0.0.0.0:4599", true, false, false},
		{"0.0.0.0:4599", true, true, true},
		{"no-port", false, false, false},
	} {
		err := CheckListen(tc.addr, tc.remote, tc.tlsOn)
		if (err == nil) != tc.ok {
			t.Errorf("CheckListen(%q, %v, %v) = %v", tc.addr, tc.remote, tc.tlsOn, err)
		}
	}
}

// TestWireEmptyLists checks the raw response body: AWS sends an empty list
// result as [], never null or absent, and SDKs of every language see that.
func TestWireEmptyLists(t *testing.T) {
	_, open := testVault(t)
	s := New(open())
	defer s.Stop()
	call := func(target, body string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://x/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", contentType)
		rec := newRecorder()
		s.ServeHTTP(rec, req)
		b, _ := io.ReadAll(rec.result().Body)
		return string(b)
	}
	if got, want := call("TrentService.ListKeys", "{}"), `{"Keys":[],"Truncated":false}`; got != want {
		t.Errorf("ListKeys on an empty vault: %s, want %s", got, want)
	}
	var ck struct{ KeyMetadata struct{ KeyId string } }
	if err := json.Unmarshal([]byte(call("TrentService.CreateKey", "{}")), &ck); err != nil || ck.KeyMetadata.KeyId == "" {
		t.Fatalf("CreateKey: %v", err)
	}
	byKey := `{"KeyId":"` + ck.KeyMetadata.KeyId + `"}`
	for _, tc := range []struct{ target, body, want string }{
		{"TrentService.ListAliases", "{}", `{"Aliases":[],"Truncated":false}`},
		{"TrentService.ListAliases", byKey, `{"Aliases":[],"Truncated":false}`},
		{"TrentService.ListResourceTags", byKey, `{"Tags":[],"Truncated":false}`},
	} {
		t.Run(tc.target+tc.body, func(t *testing.T) {
			if got := call(tc.target, tc.body); got != tc.want {
				t.Errorf("body %s, want %s", got, tc.want)
			}
		})
	}
}
