// Package remote calls a real KMS (AWS KMS or any endpoint that speaks its
// JSON 1.1 protocol) with the same typed requests and responses the vault
// serves, so that every command, output format, --query and pagination
// work unchanged against it.
//
// Nothing here is hand-written cryptography or credential handling:
// credentials come from the AWS SDK for Go v2's default chain (environment,
// shared config and credentials files with profiles, SSO, credential
// processes, container and instance metadata), requests are signed by its
// SigV4 signer, and throttled requests are retried by its standard
// retryer. The endpoint is always named explicitly by the caller: this
// package reads no endpoint from the environment, so a plain pkms command
// never leaves the machine.
package remote

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/aws/smithy-go/logging"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"

	"github.com/pocketkms/pkms/kms"
)

// AWS is the endpoint name that stands for AWS KMS's own regional endpoint,
// https://kms.<region>.amazonaws.com.
const AWS = "aws"

// Options say where and how to reach the remote KMS; they mirror the AWS
// CLI's global options.
type Options struct {
	Endpoint string // a URL, or AWS for the regional AWS KMS endpoint
	// Region signs requests and picks AWS's endpoint; empty takes the
	// profile's region, then Fallback.
	Region   string
	Fallback string
	Profile  string // shared config profile; empty is the SDK's default
	// NoVerifySSL skips TLS certificate verification (--no-verify-ssl).
	NoVerifySSL bool
	// NoSign sends requests unsigned (--no-sign-request).
	NoSign bool
	// CABundle is a PEM file of certificates to trust instead of the
	// system's (--ca-bundle).
	CABundle string
	// ConnectTimeout and ReadTimeout bound connecting and waiting for an
	// answer; zero means no limit (as 0 does in the AWS CLI).
	ConnectTimeout, ReadTimeout time.Duration
}

// DefaultTimeout is the AWS CLI's default for both timeouts.
const DefaultTimeout = 60 * time.Second

// Client calls operations on one remote KMS endpoint.
type Client struct {
	URL     string                  // the endpoint requests are POSTed to
	Region  string                  // the region requests are signed for
	creds   aws.CredentialsProvider // nil: requests go unsigned
	signer  *v4.Signer
	http    aws.HTTPClient
	retryer aws.Retryer
}

// ConfigError is a problem with the options or the AWS configuration,
// found before any request.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// OptionError is a malformed option value (a bad --endpoint-url), which the
// AWS CLI answers as a usage error.
type OptionError struct{ Msg string }

func (e *OptionError) Error() string { return e.Msg }

// ConnectionError is a failure to reach the endpoint or to read its
// answer: no KMS answered, so there is no KMS exception to report.
type ConnectionError struct{ Msg string }

func (e *ConnectionError) Error() string { return e.Msg }

// New loads the AWS configuration (credentials, region) for o and returns
// a client for its endpoint.
func New(ctx context.Context, o Options) (*Client, error) {
	hc := httpClient(o)
	// The SDK's own log lines (such as its IMDS fallback warnings) are
	// not pkms's output: errors reach the user as pkms's messages.
	opts := []func(*config.LoadOptions) error{config.WithHTTPClient(hc), config.WithLogger(logging.Nop{})}
	if o.CABundle != "" {
		pem, err := os.ReadFile(o.CABundle)
		if err != nil {
			return nil, &ConfigError{Msg: fmt.Sprintf("cannot read the CA bundle %s: %s", o.CABundle, errText(err))}
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, configError(err, o.Profile)
	}
	region := cfg.Region
	if region == "" {
		region = o.Fallback
	}
	u, err := endpointURL(o.Endpoint, region)
	if err != nil {
		return nil, err
	}
	creds := cfg.Credentials
	if o.NoSign {
		creds = nil
	}
	return &Client{URL: u, Region: region, creds: creds, signer: v4.NewSigner(), http: cfg.HTTPClient,
		retryer: retry.NewStandard()}, nil
}

// configError words a failure to load the AWS configuration as pkms's
// message: which profile, which files, and what is wrong with them. A
// missing profile has the AWS CLI's words; otherwise the SDK's own
// description is kept only where it names a setting and its value, without
// the Go errors under it.
func configError(err error, profile string) *ConfigError {
	var (
		missing config.SharedConfigProfileNotExistError
		load    config.SharedConfigLoadError
		role    config.SharedConfigAssumeRoleError
		noARN   config.CredentialRequiresARNError
	)
	if errors.As(err, &missing) {
		return &ConfigError{Msg: fmt.Sprintf("The config profile (%s) could not be found", missing.Profile)}
	}
	if errors.As(err, &load) {
		return &ConfigError{Msg: fmt.Sprintf("cannot read the AWS configuration file %s: %s", load.Filename, unreadable(load.Filename))}
	}
	var what string
	switch {
	case errors.As(err, &role) && role.Err == nil:
		what = fmt.Sprintf("it assumes the role %s but gives no credentials to assume it with: set source_profile to a profile that has credentials, or credential_source", role.RoleARN)
	case errors.As(err, &noARN):
		what = fmt.Sprintf("profile %s sets %s, which needs a role_arn", noARN.Profile, noARN.Type)
	default:
		what = sdkWords(err)
	}
	return &ConfigError{Msg: fmt.Sprintf("the AWS configuration of profile %s (%s, %s) cannot be used: %s",
		profileName(profile), sharedFile("AWS_CONFIG_FILE", config.DefaultSharedConfigFilename()),
		sharedFile("AWS_SHARED_CREDENTIALS_FILE", config.DefaultSharedCredentialsFilename()), what)}
}

// profileName is the profile the SDK loads: the option, else the
// environment's, else "default".
func profileName(profile string) string {
	for _, p := range []string{profile, os.Getenv("AWS_PROFILE"), os.Getenv("AWS_DEFAULT_PROFILE")} {
		if p != "" {
			return p
		}
	}
	return "default"
}

// sharedFile is the shared config or credentials file the SDK reads: the
// one env names, else its default path.
func sharedFile(env, def string) string {
	if f := os.Getenv(env); f != "" {
		return f
	}
	return def
}

// unreadable says why a shared config file the SDK could not load is
// unreadable, in the system's words ("is a directory", "permission
// denied"): the SDK's error only quotes them as text, so the file is read
// again here to learn them.
func unreadable(file string) string {
	f, err := os.Open(file)
	if err == nil {
		_, err = io.Copy(io.Discard, f)
		f.Close()
	}
	if err != nil {
		return errText(err)
	}
	return "it is not a configuration file the AWS SDK can read"
}

// sdkWords is the AWS SDK's description of a configuration problem
// without its Go parts: the SDK joins its context with ", " ("error
// fetching config from profile, p, failed to load max_attempts from shared
// config, invalid value max_attempts=x, expect integer"); the profile is
// named by the caller, and a strconv error or a "<nil>" cause is no
// description.
func sdkWords(err error) string {
	msg := strings.TrimSpace(err.Error())
	if rest, ok := strings.CutPrefix(msg, "error fetching config from profile, "); ok {
		if _, after, found := strings.Cut(rest, ", "); found {
			msg = after
		}
	}
	var kept []string
	for _, part := range strings.Split(msg, ", ") {
		if strings.Contains(part, "strconv.") || part == "<nil>" {
			break
		}
		kept = append(kept, part)
	}
	if len(kept) == 0 {
		return "the AWS SDK cannot load it"
	}
	return strings.Join(kept, ", ")
}

// endpointURL resolves the --endpoint-url value: AWS names the regional
// AWS KMS endpoint; anything else must be an http or https URL.
func endpointURL(s, region string) (string, error) {
	if s == AWS {
		return "https://kms." + region + ".amazonaws.com/", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &OptionError{Msg: fmt.Sprintf("Bad value for --endpoint-url %q: scheme is missing.  Must be of the form http://<hostname>/ or https://<hostname>/, or %q for AWS KMS in the region", s, AWS)}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

// httpClient is the transport the options describe, built so that the
// SDK can add the CA bundle (--ca-bundle, or AWS_CA_BUNDLE as the AWS CLI
// honours it) to its trusted roots.
func httpClient(o Options) *awshttp.BuildableClient {
	hc := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = o.ConnectTimeout }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.TLSHandshakeTimeout = o.ConnectTimeout
			if o.NoVerifySSL {
				if tr.TLSClientConfig == nil {
					tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
				}
				tr.TLSClientConfig.InsecureSkipVerify = true
			}
		})
	if o.ReadTimeout > 0 {
		hc = hc.WithReadTimeout(o.ReadTimeout)
	}
	return hc
}

// errText is an OS error's own words, without Go's "open path:" prefix.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// maxResponse bounds the response body the client reads.
const maxResponse = 16 << 20

// Invoke calls operation op: in is its input struct, out a pointer to its
// output struct. A KMS exception comes back as *kms.Error; a failure to
// reach the endpoint as *ConnectionError. Throttling is retried as the AWS
// SDK does.
func (c *Client) Invoke(ctx context.Context, op string, in, out any) error {
	if err := Portable(op, in); err != nil {
		return err
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	defer clear(body)
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, op, body, out)
		if err == nil {
			return nil
		}
		var se *statusError
		if !errors.As(err, &se) || attempt >= c.retryer.MaxAttempts() || !c.retryer.IsErrorRetryable(se) {
			return se.unwrapIfAny(err)
		}
		delay, derr := c.retryer.RetryDelay(attempt, se)
		if derr != nil {
			return se.Err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
	}
}

// once sends one signed request.
func (c *Client) once(ctx context.Context, op string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return &ConfigError{Msg: err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	if c.creds != nil {
		creds, err := c.creds.Retrieve(ctx)
		if err != nil {
			return &ConfigError{Msg: "Unable to locate credentials. You can configure credentials by running \"aws configure\"."}
		}
		sum := sha256.Sum256(body)
		if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kms", c.Region, time.Now()); err != nil {
			return &ConfigError{Msg: "cannot sign the request: " + err.Error()}
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return c.connectionError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	defer clear(data) // a Decrypt or GenerateDataKey answer holds plaintext
	if err != nil {
		return &ConnectionError{Msg: fmt.Sprintf("Read timeout on endpoint URL: %q", c.URL)}
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, out); err != nil {
			return &ConnectionError{Msg: fmt.Sprintf("the endpoint %s answered %s with a body that is not its response", c.URL, op)}
		}
		return nil
	}
	return &statusError{Status: resp.StatusCode, Err: decodeError(resp, data)}
}

// statusError is a KMS exception with the HTTP status it came with, in the
// form the SDK's retryer judges: throttling codes and 5xx statuses are
// retried.
type statusError struct {
	Status int
	Err    *kms.Error
}

func (e *statusError) Error() string        { return e.Err.Error() }
func (e *statusError) Unwrap() error        { return e.Err }
func (e *statusError) ErrorCode() string    { return string(e.Err.Code) }
func (e *statusError) ErrorMessage() string { return e.Err.Message }
func (e *statusError) ErrorFault() smithy.ErrorFault {
	if e.Status >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}
func (e *statusError) HTTPStatusCode() int { return e.Status }

// unwrapIfAny returns the KMS exception of err if e holds one, else err.
func (e *statusError) unwrapIfAny(err error) error {
	if e != nil {
		return e.Err
	}
	return err
}

// decodeError turns an error answer into the KMS exception it names: the
// code from __type (without its namespace) or the X-Amzn-ErrorType
// header, the message from message or Message.
func decodeError(resp *http.Response, data []byte) *kms.Error {
	var we struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(data, &we)
	code := we.Type
	if code == "" {
		code = resp.Header.Get("X-Amzn-ErrorType")
	}
	code, _, _ = strings.Cut(code, ":")
	if i := strings.LastIndex(code, "#"); i >= 0 {
		code = code[i+1:]
	}
	msg := we.Message
	if msg == "" {
		msg = we.MessageU
	}
	if code == "" {
		code = fmt.Sprint(resp.StatusCode)
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
	}
	return &kms.Error{Code: kms.ErrorCode(code), Message: msg}
}

// connectionError words a transport failure as the AWS CLI does.
func (c *Client) connectionError(err error) error {
	var ne interface{ Timeout() bool }
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ce *tls.CertificateVerificationError
	var oe *net.OpError
	switch {
	case errors.As(err, &ce):
		return &ConnectionError{Msg: fmt.Sprintf("SSL validation failed for %s %s", c.URL, ce.Err)}
	case errors.As(err, &oe) && oe.Op == "dial" && oe.Timeout():
		return &ConnectionError{Msg: fmt.Sprintf("Connect timeout on endpoint URL: %q", c.URL)}
	case errors.As(err, &ne) && ne.Timeout():
		return &ConnectionError{Msg: fmt.Sprintf("Read timeout on endpoint URL: %q", c.URL)}
	}
	return &ConnectionError{Msg: fmt.Sprintf("Could not connect to the endpoint URL: %q", c.URL)}
}

// PkmsOnlyError is a request that only pkms understands: a pkms operation,
// or a pkms-only member set, sent to a remote KMS.
type PkmsOnlyError struct{ Msg string }

func (e *PkmsOnlyError) Error() string { return e.Msg }

// Portable refuses a request a remote KMS would not understand: pkms's own
// operations, and requests with a pkms-only member (named Pkms…) set.
// Sending them would have the remote ignore or reject what the user asked.
func Portable(op string, in any) error {
	if kms.IsPkmsOperation(op) {
		return &PkmsOnlyError{Msg: fmt.Sprintf("%s is a pkms operation on the local vault; a remote KMS does not have it (drop --endpoint-url)", op)}
	}
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if strings.HasPrefix(f.Name, "Pkms") && !v.Field(i).IsZero() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			return &PkmsOnlyError{Msg: fmt.Sprintf("%s is a pkms-only member of %s: a remote KMS does not take it (drop it, or drop --endpoint-url)", name, op)}
		}
	}
	return nil
}
