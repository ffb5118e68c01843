package remote

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/pocketkms/pkms/kms"
)

func TestEndpointURL(t *testing.T) {
	for _, tc := range []struct{ in, region, want string }{
		{"aws", "eu-west-1", "https://kms.eu-west-1.amazonaws.com/"},
		{"http://127.0.0.1:4599", "us-east-1", "http://127.0.0.1:4599/"},
		{"https://kms.example/base", "us-east-1", "https://kms.example/base"},
		{"ftp://x", "us-east-1", ""},
		{"kms.example", "us-east-1", ""},
		{"http://", "us-east-1", ""},
	} {
		got, err := endpointURL(tc.in, tc.region)
		var oe *OptionError
		if tc.want == "" {
			if !errors.As(err, &oe) {
				t.Errorf("endpointURL(%q) = %q, %v; want an OptionError", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("endpointURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestPortable(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		op   string
		in   any
		want string
	}{
		{"CreateKey", &kms.CreateKeyInput{Description: "x"}, ""},
		{"CreateKey", &kms.CreateKeyInput{PkmsExportable: &yes}, "PkmsExportable is a pkms-only member of CreateKey"},
		{"CreateKey", &kms.CreateKeyInput{PkmsTokenSigning: &yes}, "PkmsTokenSigning is a pkms-only member"},
		{"CreateCustomKeyStore", &kms.CreateCustomKeyStoreInput{PkmsPkcs11Module: "/x.so"}, "PkmsPkcs11Module"},
		{"ExportKeyMaterial", &kms.ExportKeyMaterialInput{KeyId: "k"}, "ExportKeyMaterial is a pkms operation"},
	} {
		err := Portable(tc.op, tc.in)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Portable(%s, %+v) = %v; want %q", tc.op, tc.in, err, tc.want)
		}
	}
}

// fakeKMS answers with the given status and body for each request in
// turn, recording the requests.
type fakeKMS struct {
	answers []answer
	n       atomic.Int32
	headers []http.Header
	bodies  []string
}

type answer struct {
	status int
	body   string
}

func (f *fakeKMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.headers = append(f.headers, r.Header.Clone())
	f.bodies = append(f.bodies, string(b))
	a := f.answers[min(int(f.n.Add(1))-1, len(f.answers)-1)]
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func newTestClient(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	c, err := New(context.Background(), Options{Endpoint: srv.URL, Region: "eu-west-1", ReadTimeout: 5 * time.Second, ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// No waiting between attempts in tests.
	c.retryer = retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
	return c
}

func TestInvoke(t *testing.T) {
	for _, tc := range []struct {
		name      string
		answers   []answer
		wantCode  string
		wantMsg   string
		wantCalls int
	}{
		{"ok", []answer{{200, `{"KeyMetadata":{"KeyId":"k1","KeyState":"Enabled"}}`}}, "", "", 1},
		{"namespaced type", []answer{{400, `{"__type":"com.amazonaws.kms#NotFoundException","message":"Key 'k' does not exist"}`}}, "NotFoundException", "Key 'k' does not exist", 1},
		{"Message spelled with a capital", []answer{{400, `{"__type":"DisabledException","Message":"off"}`}}, "DisabledException", "off", 1},
		{"throttled then ok", []answer{{400, `{"__type":"ThrottlingException","message":"slow down"}`}, {200, `{"KeyMetadata":{"KeyId":"k1"}}`}}, "", "", 2},
		{"throttled to the end", []answer{{400, `{"__type":"ThrottlingException","message":"slow down"}`}}, "ThrottlingException", "slow down", 3},
		{"not retried", []answer{{400, `{"__type":"ValidationException","message":"bad"}`}}, "ValidationException", "bad", 1},
		{"no body", []answer{{503, ``}}, "503", "Service Unavailable", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeKMS{answers: tc.answers}
			c := newTestClient(t, f)
			var out kms.DescribeKeyOutput
			err := c.Invoke(context.Background(), "DescribeKey", &kms.DescribeKeyInput{KeyId: "k1"}, &out)
			var ke *kms.Error
			switch {
			case tc.wantCode == "" && err != nil:
				t.Fatalf("Invoke: %v", err)
			case tc.wantCode == "" && out.KeyMetadata == nil:
				t.Fatalf("Invoke decoded nothing")
			case tc.wantCode != "" && (!errors.As(err, &ke) || string(ke.Code) != tc.wantCode || ke.Message != tc.wantMsg):
				t.Fatalf("Invoke error = %#v; want %s %q", err, tc.wantCode, tc.wantMsg)
			}
			if got := int(f.n.Load()); got != tc.wantCalls {
				t.Errorf("%d requests; want %d", got, tc.wantCalls)
			}
			h := f.headers[0]
			if h.Get("X-Amz-Target") != "TrentService.DescribeKey" || h.Get("Content-Type") != "application/x-amz-json-1.1" ||
				!strings.HasPrefix(h.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") ||
				!strings.Contains(h.Get("Authorization"), "/eu-west-1/kms/aws4_request") {
				t.Errorf("request headers %v", h)
			}
			var sent map[string]any
			if err := json.Unmarshal([]byte(f.bodies[0]), &sent); err != nil || sent["KeyId"] != "k1" || len(sent) != 1 {
				t.Errorf("request body %s", f.bodies[0])
			}
		})
	}
}

func TestConnectionErrors(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"self-signed", Options{Endpoint: srv.URL}, "SSL validation failed for " + srv.URL + "/"},
		{"no-verify-ssl", Options{Endpoint: srv.URL, NoVerifySSL: true}, "404"},
		{"ca-bundle", Options{Endpoint: srv.URL, CABundle: bundle}, "404"},
		{"read timeout", Options{Endpoint: slow.URL, ReadTimeout: 200 * time.Millisecond}, `Read timeout on endpoint URL: "` + slow.URL + `/"`},
		{"closed port", Options{Endpoint: "http://127.0.0.1:9"}, `Could not connect to the endpoint URL: "http://127.0.0.1:9/"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Region = "us-east-1"
			c, err := New(context.Background(), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Invoke(context.Background(), "ListKeys", &kms.ListKeysInput{}, &kms.ListKeysOutput{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Invoke = %v; want %q", err, tc.want)
			}
		})
	}
}

func TestNoSignRequest(t *testing.T) {
	for _, noSign := range []bool{false, true} {
		f := &fakeKMS{answers: []answer{{200, `{"Keys":[]}`}}}
		srv := httptest.NewServer(f)
		t.Cleanup(srv.Close)
		// No credentials anywhere: only an unsigned request can be sent.
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
		t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
		c, err := New(context.Background(), Options{Endpoint: srv.URL, Region: "us-east-1", NoSign: noSign})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Invoke(context.Background(), "ListKeys", &kms.ListKeysInput{}, &kms.ListKeysOutput{})
		var ce *ConfigError
		switch {
		case noSign && (err != nil || len(f.headers) != 1 || f.headers[0].Get("Authorization") != ""):
			t.Errorf("NoSign: err %v, requests %v", err, f.headers)
		case !noSign && (!errors.As(err, &ce) || !strings.Contains(err.Error(), "Unable to locate credentials") || len(f.headers) != 0):
			t.Errorf("without credentials: err %v, %d requests", err, len(f.headers))
		}
	}
}

// TestConfigErrors: a configuration the AWS SDK cannot load is reported in
// pkms's words, naming the profile and the files, with what is wrong in
// them and no Go error text.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[other]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const role = "arn:aws:iam::111122223333:role/r"
	for _, tc := range []struct {
		name    string
		config  string // the shared config file's text; "" makes it a directory
		profile string
		env     map[string]string
		want    string // {config} and {creds} stand for the files' paths
	}{
		{"config file is a directory", "", "x", nil, "cannot read the AWS configuration file {config}: is a directory"},
		{"missing profile", "[profile x]\nregion = us-east-1\n", "nope", nil, "The config profile (nope) could not be found"},
		{"setting that is not a number", "[profile x]\nmax_attempts = many\n", "x", nil,
			"the AWS configuration of profile x ({config}, {creds}) cannot be used: failed to load max_attempts from shared config, invalid value max_attempts=many, expect integer"},
		{"environment value that is not a number", "[default]\nregion = us-east-1\n", "", map[string]string{"AWS_MAX_ATTEMPTS": "lots"},
			"the AWS configuration of profile default ({config}, {creds}) cannot be used: invalid value AWS_MAX_ATTEMPTS=lots"},
		{"profile from the environment", "[profile y]\nretry_mode = weird\n", "", map[string]string{"AWS_PROFILE": "y"},
			"the AWS configuration of profile y ({config}, {creds}) cannot be used: failed to load retry_mode from shared config, unknown RetryMode, weird"},
		{"role without credentials", "[profile x]\nrole_arn = " + role + "\nsource_profile = x\n", "x", nil,
			"the AWS configuration of profile x ({config}, {creds}) cannot be used: it assumes the role " + role +
				" but gives no credentials to assume it with: set source_profile to a profile that has credentials, or credential_source"},
		{"unknown credential source", "[profile x]\nrole_arn = " + role + "\ncredential_source = Nope\n", "x", nil,
			"the AWS configuration of profile x ({config}, {creds}) cannot be used: credential_source values must be EcsContainer, Ec2InstanceMetadata, or Environment"},
		{"missing SSO session", "[profile x]\nsso_session = s\n", "x", nil,
			"the AWS configuration of profile x ({config}, {creds}) cannot be used: failed to find SSO session section, s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "config")
			var err error
			if tc.config == "" {
				err = os.Mkdir(cfg, 0o700)
			} else {
				err = os.WriteFile(cfg, []byte(tc.config), 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
				t.Setenv(k, "")
			}
			t.Setenv("AWS_CONFIG_FILE", cfg)
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err = New(context.Background(), Options{Endpoint: "http://127.0.0.1:9", Region: "us-east-1", Profile: tc.profile})
			want := strings.NewReplacer("{config}", cfg, "{creds}", creds).Replace(tc.want)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Msg != want {
				t.Fatalf("New = %v\nwant the ConfigError %s", err, want)
			}
		})
	}
}
