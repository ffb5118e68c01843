package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/pocketkms/pkms/internal/cputime"
	"github.com/pocketkms/pkms/kms"
)

// startServe runs ServeTCP on a free loopback port over a fresh vault with
// one access key, and returns an AWS SDK for Go v2 client for it.
func startServe(t testing.TB) (*awskms.Client, *kms.AccessKey, string) {
	t.Helper()
	_, open := testVault(t)
	return serveBackend(t, open)
}

// serveBackend is startServe over the vault that open opens.
func serveBackend(t testing.TB, open func() *Backend) (*awskms.Client, *kms.AccessKey, string) {
	t.Helper()
	b := open()
	key, err := b.Service.CreateAccessKey(context.Background(), "sdk test")
	if err != nil {
		t.Fatal(err)
	}
	s := New(b)
	s.Logf = t.Logf
	s.Auth = s.SigV4Auth("")
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- ServeTCP(ctx, s, ServeOptions{Listen: "127.0.0.1:0", Ready: func(a net.Addr) { addrc <- a }})
	}()
	var endpoint string
	select {
	case a := <-addrc:
		endpoint = "http://" + a.String()
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeTCP: %v", err)
		}
	})
	return sdkClient(endpoint, key.AccessKeyId, key.SecretAccessKey), key, endpoint
}

func sdkClient(endpoint, id, secret string) *awskms.Client {
	return awskms.New(awskms.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, nil
		}),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
	})
}

// apiCode is the AWS error code an SDK call failed with.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("not an API error: %v", err)
}

func TestSDKScenario(t *testing.T) {
	c, key, endpoint := startServe(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	ck, err := c.CreateKey(ctx, &awskms.CreateKeyInput{Description: aws.String("sdk")})
	must(err)
	id := *ck.KeyMetadata.KeyId
	if ck.KeyMetadata.KeyState != types.KeyStateEnabled || ck.KeyMetadata.CreationDate == nil {
		t.Fatalf("metadata: %+v", ck.KeyMetadata)
	}
	_, err = c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)})
	must(err)

	ec := map[string]string{"purpose": "test"}
	enc, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String("alias/app"), Plaintext: []byte("secret"), EncryptionContext: ec})
	must(err)
	dec, err := c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	must(err)
	if string(dec.Plaintext) != "secret" || *dec.KeyId != *ck.KeyMetadata.Arn {
		t.Fatalf("decrypt: %q %s", dec.Plaintext, *dec.KeyId)
	}
	_, err = c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	var ice *types.InvalidCiphertextException
	if !errors.As(err, &ice) {
		t.Fatalf("decrypt without the context: %v", err)
	}

	dk, err := c.GenerateDataKey(ctx, &awskms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: types.DataKeySpecAes256})
	must(err)
	dk2, err := c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	must(err)
	if len(dk.Plaintext) != 32 || string(dk2.Plaintext) != string(dk.Plaintext) {
		t.Fatal("data key does not decrypt to itself")
	}

	sk, err := c.CreateKey(ctx, &awskms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	must(err)
	msg := []byte("release v1.0")
	sig, err := c.Sign(ctx, &awskms.SignInput{KeyId: sk.KeyMetadata.KeyId, Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	must(err)
	ver, err := c.Verify(ctx, &awskms.VerifyInput{KeyId: sk.KeyMetadata.KeyId, Message: msg, Signature: sig.Signature, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	must(err)
	if !ver.SignatureValid {
		t.Fatal("signature not valid")
	}
	_, err = c.Verify(ctx, &awskms.VerifyInput{KeyId: sk.KeyMetadata.KeyId, Message: []byte("tampered"), Signature: sig.Signature, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	var bad *types.KMSInvalidSignatureException
	if !errors.As(err, &bad) {
		t.Fatalf("verify of a tampered message: %v", err)
	}

	// list-aliases with pagination: 5 aliases, pages of 2.
	for i := 0; i < 4; i++ {
		_, err := c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String(fmt.Sprintf("alias/p%d", i)), TargetKeyId: aws.String(id)})
		must(err)
	}
	var names []string
	pages := 0
	p := awskms.NewListAliasesPaginator(c, &awskms.ListAliasesInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		must(err)
		pages++
		for _, a := range page.Aliases {
			names = append(names, *a.AliasName)
		}
	}
	sort.Strings(names)
	if pages != 3 || fmt.Sprint(names) != "[alias/app alias/p0 alias/p1 alias/p2 alias/p3]" {
		t.Fatalf("%d pages: %v", pages, names)
	}

	// Typed errors.
	_, err = c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("describe-key of a missing alias: %v", err)
	}
	_, err = c.DisableKey(ctx, &awskms.DisableKeyInput{KeyId: aws.String(id)})
	must(err)
	_, err = c.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
	var de *types.DisabledException
	if !errors.As(err, &de) {
		t.Fatalf("encrypt with a disabled key: %v", err)
	}
	sd, err := c.ScheduleKeyDeletion(ctx, &awskms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)})
	must(err)
	if sd.KeyState != types.KeyStatePendingDeletion || sd.PendingWindowInDays == nil || *sd.PendingWindowInDays != 7 {
		t.Fatalf("schedule-key-deletion: %+v", sd)
	}

	// Key last usage, through the SDK.
	lu, err := c.GetKeyLastUsage(ctx, &awskms.GetKeyLastUsageInput{KeyId: sk.KeyMetadata.KeyId})
	must(err)
	if lu.KeyLastUsage == nil || lu.KeyLastUsage.Operation != types.KeyLastUsageTrackingOperation("Verify") {
		t.Fatalf("last usage: %+v", lu.KeyLastUsage)
	}

	// Authentication failures, as the SDK sees them.
	for _, tc := range []struct {
		name, id, secret, code string
	}{
		{"unknown key", "PKMSAAAAAAAAAAAAAAAA", key.SecretAccessKey, "UnrecognizedClientException"},
		{"wrong secret", key.AccessKeyId, "wrong" + key.SecretAccessKey[5:], "InvalidSignatureException"},
	} {
		_, err := sdkClient(endpoint, tc.id, tc.secret).ListKeys(ctx, &awskms.ListKeysInput{})
		if got := apiCode(err); got != tc.code {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.code)
		}
	}
	other := awskms.New(awskms.Options{Region: "12345", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key.AccessKeyId, SecretAccessKey: key.SecretAccessKey}, nil
		})})
	if _, err := other.ListKeys(ctx, &awskms.ListKeysInput{}); apiCode(err) != "InvalidSignatureException" {
		t.Errorf("invalid region: %v", err)
	}
	resp, err := http.Post(endpoint, contentType, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned request: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}

// BenchmarkServeEncrypt drives pkms serve with 8 concurrent SDK clients and
// reports Encrypt calls per second and the 99th percentile latency. The
// issue's target, on 2 cores: >= 4,000/s, p99 <= 10 ms.
func BenchmarkServeEncrypt(b *testing.B) {
	c, _, _ := startServe(b)
	ctx := context.Background()
	ck, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		b.Fatal(err)
	}
	driveClients(b, 8, "encrypts/s", func() error {
		_, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: ck.KeyMetadata.KeyId, Plaintext: []byte("benchmark payload")})
		return err
	})
}

// BenchmarkServeCreateKey drives pkms serve, on a vault that fsyncs every
// commit as the agent and serve do, with 1 and with 8 concurrent SDK
// clients each creating symmetric keys: the cost of a durable write, and how
// concurrent writes share their commits.
func BenchmarkServeCreateKey(b *testing.B) {
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			_, open := testVaultSync(b, true)
			c, _, _ := serveBackend(b, open)
			ctx := context.Background()
			driveClients(b, clients, "creates/s", func() error {
				_, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
				return err
			})
		})
	}
}

// BenchmarkServeCreateKeyBesideRSA4096 measures symmetric CreateKey
// through pkms serve while another client keeps creating RSA_4096 keys
// (hundreds of milliseconds to seconds each): the latency of the fast
// writes shows whether they wait for the slow key generation.
func BenchmarkServeCreateKeyBesideRSA4096(b *testing.B) {
	_, open := testVaultSync(b, true)
	c, _, _ := serveBackend(b, open)
	ctx := context.Background()
	var stop atomic.Bool
	slow := make(chan error, 1)
	go func() {
		for !stop.Load() {
			if _, err := c.CreateKey(ctx, &awskms.CreateKeyInput{KeySpec: types.KeySpecRsa4096, KeyUsage: types.KeyUsageTypeSignVerify}); err != nil {
				slow <- err
				return
			}
		}
		slow <- nil
	}()
	driveClients(b, 1, "creates/s", func() error {
		_, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
		return err
	})
	stop.Store(true)
	if err := <-slow; err != nil {
		b.Fatal(err)
	}
}

// driveClients makes about b.N calls of call from clients goroutines at
// once and reports the calls per second (as unit) and the median and 99th
// percentile latencies.
func driveClients(b *testing.B, clients int, unit string, call func() error) {
	var (
		mu   sync.Mutex
		lats []time.Duration
		wg   sync.WaitGroup
	)
	per := b.N/clients + 1
	b.ResetTimer()
	start, cpu := time.Now(), cputime.Used()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, per)
			for j := 0; j < per; j++ {
				t0 := time.Now()
				if err := call(); err != nil {
					b.Error(err)
					return
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed, used := time.Since(start), cputime.Since(cpu)
	b.StopTimer()
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	if len(lats) > 0 {
		b.ReportMetric(float64(len(lats))/elapsed.Seconds(), unit)
		b.ReportMetric(float64(lats[len(lats)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lats[len(lats)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(used.Microseconds())/float64(len(lats)), "cpu-µs/op")
	}
}

// TestServeConcurrent runs readers and writers at once through pkms serve
// (under -race in CI): every call succeeds and every write lands.
func TestServeConcurrent(t *testing.T) {
	c, _, _ := startServe(t)
	ctx := context.Background()
	ck, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				enc, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: ck.KeyMetadata.KeyId, Plaintext: []byte{byte(i), byte(j)}})
				if err != nil {
					errs <- err
					return
				}
				dec, err := c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
				if err != nil || dec.Plaintext[0] != byte(i) || dec.Plaintext[1] != byte(j) {
					errs <- fmt.Errorf("decrypt %d/%d: %v", i, j, err)
					return
				}
			}
			if _, err := c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String(fmt.Sprintf("alias/c%d", i)), TargetKeyId: ck.KeyMetadata.KeyId}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	la, err := c.ListAliases(ctx, &awskms.ListAliasesInput{KeyId: ck.KeyMetadata.KeyId})
	if err != nil || len(la.Aliases) != 8 {
		t.Fatalf("aliases after concurrent writes: %d %v", len(la.Aliases), err)
	}
}

// TestSDKEmptyLists: an SDK program indexing a list result gets an empty,
// non-nil slice when there is nothing to list, as AWS sends "Tags": [].
func TestSDKEmptyLists(t *testing.T) {
	c, _, _ := startServe(t)
	ctx := context.Background()
	keys, err := c.ListKeys(ctx, &awskms.ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if keys.Keys == nil || len(keys.Keys) != 0 {
		t.Errorf("ListKeys on an empty vault: Keys = %#v, want []", keys.Keys)
	}
	ck, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListResourceTags(ctx, &awskms.ListResourceTagsInput{KeyId: ck.KeyMetadata.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	if tags.Tags == nil || len(tags.Tags) != 0 {
		t.Errorf("ListResourceTags on an untagged key: Tags = %#v, want []", tags.Tags)
	}
	aliases, err := c.ListAliases(ctx, &awskms.ListAliasesInput{KeyId: ck.KeyMetadata.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	if aliases.Aliases == nil || len(aliases.Aliases) != 0 {
		t.Errorf("ListAliases of a key without aliases: Aliases = %#v, want []", aliases.Aliases)
	}
}

// TestSDKGrants runs the grant operations through pkms serve with the AWS
// SDK for Go v2: create (with a constraint and an idempotent name), list
// with every filter and page by page, use a token, retire, revoke.
func TestSDKGrants(t *testing.T) {
	c, _, _ := startServe(t)
	ctx := context.Background()
	ck, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyID := ck.KeyMetadata.KeyId
	const role, admin = "arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/admin"
	create := func(name, grantee string, ops ...types.GrantOperation) *awskms.CreateGrantOutput {
		t.Helper()
		in := &awskms.CreateGrantInput{KeyId: keyID, GranteePrincipal: aws.String(grantee), RetiringPrincipal: aws.String(admin),
			Operations: ops, Constraints: &types.GrantConstraints{EncryptionContextEquals: map[string]string{"purpose": "sdk"}}}
		if name != "" {
			in.Name = aws.String(name)
		}
		out, err := c.CreateGrant(ctx, in)
		if err != nil {
			t.Fatalf("CreateGrant: %v", err)
		}
		return out
	}
	named := create("sdk-grant", role, types.GrantOperationEncrypt, types.GrantOperationDecrypt)
	again := create("sdk-grant", role, types.GrantOperationDecrypt, types.GrantOperationEncrypt)
	if *again.GrantId != *named.GrantId || *again.GrantToken == *named.GrantToken {
		t.Errorf("idempotent name: ids %s %s, tokens equal: %v", *named.GrantId, *again.GrantId, *again.GrantToken == *named.GrantToken)
	}
	other := create("", "arn:aws:iam::111122223333:user/bob", types.GrantOperationGenerateDataKey)
	third := create("", role, types.GrantOperationReEncryptFrom)

	lists := []struct {
		name string
		in   awskms.ListGrantsInput
		want int
	}{
		{"all", awskms.ListGrantsInput{KeyId: keyID}, 3},
		{"by grant id", awskms.ListGrantsInput{KeyId: keyID, GrantId: other.GrantId}, 1},
		{"by grantee", awskms.ListGrantsInput{KeyId: keyID, GranteePrincipal: aws.String(role)}, 2},
		{"pages of one", awskms.ListGrantsInput{KeyId: keyID, Limit: aws.Int32(1)}, 3},
	}
	for _, l := range lists {
		n := 0
		for p := awskms.NewListGrantsPaginator(c, &l.in); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("%s: %v", l.name, err)
			}
			for _, g := range page.Grants {
				n++
				if g.IssuingAccount == nil || g.CreationDate == nil || g.Constraints == nil || g.Constraints.EncryptionContextEquals["purpose"] != "sdk" || len(g.Operations) == 0 {
					t.Errorf("%s: entry %+v", l.name, g)
				}
			}
		}
		if n != l.want {
			t.Errorf("%s: %d grants, want %d", l.name, n, l.want)
		}
	}
	rg, err := c.ListRetirableGrants(ctx, &awskms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(admin)})
	if err != nil || len(rg.Grants) != 3 {
		t.Fatalf("ListRetirableGrants: %d grants, %v", len(rg.Grants), err)
	}

	if _, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: keyID, Plaintext: []byte("x"), GrantTokens: []string{*named.GrantToken}}); err != nil {
		t.Errorf("Encrypt with a grant token: %v", err)
	}
	_, err = c.Encrypt(ctx, &awskms.EncryptInput{KeyId: keyID, Plaintext: []byte("x"), GrantTokens: []string{"forged"}})
	var igt *types.InvalidGrantTokenException
	if !errors.As(err, &igt) {
		t.Errorf("Encrypt with a forged token: %v", err)
	}

	if _, err := c.RetireGrant(ctx, &awskms.RetireGrantInput{GrantToken: named.GrantToken}); err != nil {
		t.Fatalf("RetireGrant by token: %v", err)
	}
	if _, err := c.RetireGrant(ctx, &awskms.RetireGrantInput{KeyId: ck.KeyMetadata.Arn, GrantId: other.GrantId}); err != nil {
		t.Fatalf("RetireGrant by id: %v", err)
	}
	if _, err := c.RevokeGrant(ctx, &awskms.RevokeGrantInput{KeyId: keyID, GrantId: third.GrantId}); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	_, err = c.RevokeGrant(ctx, &awskms.RevokeGrantInput{KeyId: keyID, GrantId: third.GrantId})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("RevokeGrant twice: %v", err)
	}
	_, err = c.ListGrants(ctx, &awskms.ListGrantsInput{KeyId: keyID, GrantId: aws.String("x")})
	var igi *types.InvalidGrantIdException
	if !errors.As(err, &igi) {
		t.Errorf("ListGrants with a malformed grant id: %v", err)
	}
	left, err := c.ListGrants(ctx, &awskms.ListGrantsInput{KeyId: keyID})
	if err != nil || left.Grants == nil || len(left.Grants) != 0 {
		t.Errorf("grants left: %#v, %v", left, err)
	}
}

// TestSDKKeyRotation runs the rotation operations through pkms serve with
// the AWS SDK for Go v2, including its ListKeyRotations paginator.
func TestSDKKeyRotation(t *testing.T) {
	c, _, _ := startServe(t)
	ctx := context.Background()
	ck, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id, arn := ck.KeyMetadata.KeyId, *ck.KeyMetadata.Arn
	if _, err := c.EnableKeyRotation(ctx, &awskms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(180)}); err != nil {
		t.Fatal(err)
	}
	st, err := c.GetKeyRotationStatus(ctx, &awskms.GetKeyRotationStatusInput{KeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if !st.KeyRotationEnabled || aws.ToString(st.KeyId) != arn || aws.ToInt32(st.RotationPeriodInDays) != 180 ||
		st.NextRotationDate == nil || st.NextRotationDate.Sub(*ck.KeyMetadata.CreationDate) < 179*24*time.Hour || st.OnDemandRotationStartDate != nil {
		t.Fatalf("status: %+v", st)
	}
	old, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: id, Plaintext: []byte("old")})
	if err != nil {
		t.Fatal(err)
	}
	var current []string
	for range 3 {
		r, err := c.RotateKeyOnDemand(ctx, &awskms.RotateKeyOnDemandInput{KeyId: id})
		if err != nil || aws.ToString(r.KeyId) != arn {
			t.Fatalf("RotateKeyOnDemand: %v %+v", err, r)
		}
		d, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: id})
		if err != nil {
			t.Fatal(err)
		}
		current = append(current, aws.ToString(d.KeyMetadata.CurrentKeyMaterialId))
	}
	var listed []string
	p := awskms.NewListKeyRotationsPaginator(c, &awskms.ListKeyRotationsInput{KeyId: id, Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rotations) > 2 {
			t.Fatalf("page of %d", len(page.Rotations))
		}
		for _, r := range page.Rotations {
			if r.RotationType != types.RotationTypeOnDemand || r.RotationDate == nil {
				t.Errorf("entry %+v", r)
			}
			listed = append(listed, aws.ToString(r.KeyMaterialId))
		}
	}
	if fmt.Sprint(listed) != fmt.Sprint(current) {
		t.Fatalf("ListKeyRotations %v, rotations made %v", listed, current)
	}
	dec, err := c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: old.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "old" || aws.ToString(dec.KeyMaterialId) == current[2] {
		t.Fatalf("old ciphertext: %v %+v", err, dec)
	}
	all, err := c.ListKeyRotations(ctx, &awskms.ListKeyRotationsInput{KeyId: id, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	if err != nil || len(all.Rotations) != 4 || aws.ToString(all.Rotations[0].KeyMaterialId) != aws.ToString(dec.KeyMaterialId) ||
		all.Rotations[3].KeyMaterialState != types.KeyMaterialStateCurrent {
		t.Fatalf("ALL_KEY_MATERIAL: %v %+v", err, all)
	}
	sk, err := c.CreateKey(ctx, &awskms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RotateKeyOnDemand(ctx, &awskms.RotateKeyOnDemandInput{KeyId: sk.KeyMetadata.KeyId})
	var uoe *types.UnsupportedOperationException
	if !errors.As(err, &uoe) {
		t.Fatalf("RotateKeyOnDemand of an ECC key: %v", err)
	}
}
