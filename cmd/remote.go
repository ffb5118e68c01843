package cmd

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pocketkms/pkms/format"
	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/remote"
)

// remoteFlags are the global options that send operations to a remote KMS
// instead of the vault. Only --endpoint-url switches to remote: no
// environment variable does, so a plain command never leaves the machine.
type remoteFlags struct {
	endpoint       string
	profile        string
	noVerifySSL    bool
	noSignRequest  bool
	caBundle       string
	connectTimeout string
	readTimeout    string
}

func (r *remoteFlags) bind(f *pflag.FlagSet) {
	f.StringVar(&r.endpoint, "endpoint-url", "", `send operations to this KMS endpoint (an http or https URL, or "aws" for AWS KMS in the region) instead of the vault`)
	f.StringVar(&r.profile, "profile", "", "AWS profile whose credentials sign requests to --endpoint-url")
	f.BoolVar(&r.noVerifySSL, "no-verify-ssl", false, "with --endpoint-url: do not verify the endpoint's TLS certificate")
	f.BoolVar(&r.noSignRequest, "no-sign-request", false, "with --endpoint-url: send requests unsigned, without loading credentials")
	f.StringVar(&r.caBundle, "ca-bundle", "", "with --endpoint-url: PEM file of the certificates to trust")
	f.StringVar(&r.connectTimeout, "cli-connect-timeout", "", "with --endpoint-url: seconds to wait for a connection (default 60, 0 waits forever)")
	f.StringVar(&r.readTimeout, "cli-read-timeout", "", "with --endpoint-url: seconds to wait for an answer (default 60, 0 waits forever)")
}

// on reports whether operations go to a remote KMS.
func (r *remoteFlags) on() bool { return r.endpoint != "" }

// remoteCommands are the pkms commands that work with --endpoint-url
// besides the KMS operations.
var remoteCommands = map[string]bool{"copy-key-to-remote": true}

// refuseLocalOnly refuses --endpoint-url on a command that only works on
// the vault, rather than answering from the vault as if remote.
func (r *remoteFlags) refuseLocalOnly(c *cobra.Command) error {
	if !r.on() {
		return nil
	}
	top := c
	for top.HasParent() && top.Parent().HasParent() {
		top = top.Parent()
	}
	if !top.HasParent() || top.GroupID == "kms" || remoteCommands[top.Name()] {
		return nil
	}
	return usagef("--endpoint-url sends KMS operations to a remote KMS; pkms %s works on the local vault only", top.Name())
}

// options are the remote client's options.
func (g *globals) remoteOptions() (remote.Options, error) {
	// As the AWS CLI: --region, AWS_REGION, AWS_DEFAULT_REGION, then the
	// profile's region, then pkms's default.
	var region string
	for _, r := range []string{g.region, g.env.getenv("AWS_REGION"), g.env.getenv("AWS_DEFAULT_REGION")} {
		if region == "" {
			region = r
		}
	}
	o := remote.Options{Endpoint: g.remote.endpoint, Region: region, Fallback: kms.DefaultRegion,
		Profile: g.remote.profile, NoVerifySSL: g.remote.noVerifySSL, NoSign: g.remote.noSignRequest, CABundle: g.remote.caBundle}
	var err error
	if o.ConnectTimeout, err = timeoutFlag("cli-connect-timeout", g.remote.connectTimeout); err != nil {
		return o, err
	}
	if o.ReadTimeout, err = timeoutFlag("cli-read-timeout", g.remote.readTimeout); err != nil {
		return o, err
	}
	return o, nil
}

// timeoutFlag reads a timeout in seconds, as the AWS CLI takes it.
func timeoutFlag(name, v string) (time.Duration, error) {
	if v == "" {
		return remote.DefaultTimeout, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, usagef("argument --%s: invalid int value: %s", name, format.PyStringRepr(v))
	}
	return time.Duration(n) * time.Second, nil
}

// remoteInvoker calls operations on the remote KMS named by --endpoint-url:
// the vault's twin, with the same inputs, outputs, errors and exit codes.
type remoteInvoker struct {
	g      *globals
	client *remote.Client
}

func (r *remoteInvoker) invoke(ctx context.Context, op *kms.Operation, in any) (any, error) {
	if err := remote.Portable(op.Name, in); err != nil {
		return nil, usagef("%s", err.Error())
	}
	if r.client == nil {
		o, err := r.g.remoteOptions()
		if err != nil {
			return nil, err
		}
		if r.client, err = remote.New(ctx, o); err != nil {
			return nil, remoteError(op.Name, err)
		}
	}
	r.g.debugf("calling %s at %s (region %s)", op.Name, r.client.URL, r.client.Region)
	out := op.NewOutput()
	if err := r.client.Invoke(ctx, op.Name, in, out); err != nil {
		return nil, remoteError(op.Name, err)
	}
	return out, nil
}

func (r *remoteInvoker) close() {}

// remoteError maps a remote failure to the error the vault path would
// give: a KMS exception exits 254, a malformed option 252 (as the AWS CLI
// answers a bad --endpoint-url), a configuration problem (profile,
// credentials, CA bundle) 253, an unreachable endpoint 255.
func remoteError(op string, err error) error {
	var (
		ke *kms.Error
		oe *remote.OptionError
		ce *remote.ConfigError
	)
	switch {
	case errors.As(err, &ke):
		return &opError{op: op, err: ke}
	case errors.As(err, &oe):
		return usagef("%s", oe.Msg)
	case errors.As(err, &ce):
		return &vaultError{err: ce}
	}
	return err
}
