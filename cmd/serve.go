package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/server"
)

// `pkms serve` is the KMS endpoint for AWS SDKs and the aws CLI: the same
// server as the agent, on a loopback TCP port, admitting only requests
// signed with an access key from `pkms serve credentials create`. It also
// listens on an agent socket, so that pkms commands (including the
// credentials commands) keep working while it holds the vault.

func newCmdServe(g *globals) *cobra.Command {
	var (
		opts    server.ServeOptions
		agentFl agentFlags
	)
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the AWS KMS API (JSON 1.1, SigV4) on loopback for AWS SDKs and the aws CLI",
		Long: `Serve the AWS KMS wire protocol on a loopback port. Requests must be
signed (SigV4, service "kms") with an access key made by "pkms serve
credentials create". Each request acts in the region its signature is
scoped to, as at AWS endpoints: keys and aliases of one region are not
seen from another. Another address than loopback is
refused unless --allow-remote is given together with --tls-cert and
--tls-key. SIGTERM or Ctrl-C stops it gracefully.

pkms serve also listens on an agent socket (printed on stderr), so pkms
commands run with PKMS_AGENT_SOCK set use the unlocked vault too.`,
		Example: `  # serve the vault to the aws CLI: an access key, the server (port 0: any free
  # port, named in its log), a signed request
  pkms serve credentials create --description my-app --query '[AccessKeyId,SecretAccessKey]' \
      --output text > creds.txt
  pkms serve --listen 127.0.0.1:0 2> serve.log &
  SERVE=$!
  trap 'kill $SERVE' EXIT
  for i in $(seq 100); do grep -q 'listening on' serve.log && break; sleep 0.1; done
  ADDR=$(sed -n 's/.*listening on \([^ ]*\) .*/\1/p' serve.log)
  AWS_ACCESS_KEY_ID=$(cut -f1 creds.txt) AWS_SECRET_ACCESS_KEY=$(cut -f2 creds.txt) \
      aws --region us-east-1 --endpoint-url "http://$ADDR" kms create-key --query KeyMetadata.KeyState`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			tlsOn := opts.TLSCert != "" || opts.TLSKey != ""
			if err := server.CheckListen(opts.Listen, opts.AllowRemote, tlsOn); err != nil {
				return usagef("%v", err)
			}
			if tlsOn && (opts.TLSCert == "" || opts.TLSKey == "") {
				return usagef("--tls-cert and --tls-key go together")
			}
			return g.runServe(c.Context(), opts, agentFl.socket)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:4599", "address to listen on (loopback only, unless --allow-remote)")
	f.BoolVar(&opts.AllowRemote, "allow-remote", false, "allow a non-loopback --listen address (requires --tls-cert and --tls-key)")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "PEM certificate file: serve HTTPS")
	f.StringVar(&opts.TLSKey, "tls-key", "", "PEM private key file for --tls-cert")
	f.StringVar(&agentFl.socket, "socket", "", "agent socket path (default $XDG_RUNTIME_DIR/pkms/agent-<vault-id>.sock)")
	c.AddCommand(newCmdServeCredentials(g))
	return c
}

func (g *globals) runServe(ctx context.Context, opts server.ServeOptions, socket string) error {
	g.hardenProcess()
	v, err := g.unlockVault()
	if err != nil {
		return err
	}
	if socket == "" {
		if socket, err = g.defaultAgentSocket(v.ID()); err != nil {
			v.Close()
			return err
		}
	}
	l, err := server.ListenAgent(socket)
	if err != nil {
		v.Close()
		return &vaultError{err: err}
	}
	s := g.newAgentServer(v)
	s.Auth = s.SigV4Auth("")
	ctx = withSignals(ctx)
	opts.Ready = func(addr net.Addr) {
		fmt.Fprintf(g.env.stderr, "pkms serve: listening on %s (every region; agent default %s); agent socket %s\n", addr, g.regionName(), socket)
		// pkms commands find this agent by themselves; the line is for
		// other shells and for sockets outside the agent directory.
		fmt.Fprintf(g.env.stderr, "export PKMS_AGENT_SOCK=%s\n", shellQuote(socket))
	}
	agentDone := make(chan error, 1)
	go func() { agentDone <- server.ServeAgent(ctx, s, l, server.AgentOptions{}) }()
	err = server.ServeTCP(ctx, s, opts)
	s.Stop() // also when ServeTCP failed before serving (address in use): ends the agent listener
	if aerr := <-agentDone; err == nil && aerr != nil && !errors.Is(aerr, server.ErrStopped) && !errors.Is(aerr, context.Canceled) {
		err = aerr
	}
	if err != nil {
		return &vaultError{err: fmt.Errorf("pkms serve: %w", err)}
	}
	return nil
}

// accessKeyOp runs one of the agent-only access-key operations the way
// every operation runs: through the agent (pkms serve's own socket) when
// PKMS_AGENT_SOCK is set or one serves this vault, else on the vault.
func (g *globals) accessKeyOp(ctx context.Context, name string, in any) (any, error) {
	inv := g.newInvoker()
	defer inv.close()
	return callAgentOnly(ctx, inv, name, in)
}

func newCmdServeCredentials(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "credentials",
		Short: "Manage the access keys that sign requests to pkms serve",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	var desc string
	create := &cobra.Command{
		Use:   "create",
		Short: "Make an access key; the secret is printed once and cannot be shown again",
		Example: `  # an access key for an AWS SDK client; the secret is printed this once only
  pkms serve credentials create --description ci --query '[AccessKeyId,SecretAccessKey]' --output text > creds.txt
  cut -f1 creds.txt`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			out, err := g.accessKeyOp(c.Context(), "CreateAccessKey", &kms.CreateAccessKeyInput{Description: desc})
			if err != nil {
				return err
			}
			return g.render("CreateAccessKey", out)
		},
	}
	create.Flags().StringVar(&desc, "description", "", "a note on what the key is for (at most 256 characters)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List access keys (never their secrets)",
		Example: `  # the access keys, with their descriptions and creation dates
  pkms serve credentials create --description ci --query AccessKeyId --output text
  pkms serve credentials list --output table`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			out, err := g.accessKeyOp(c.Context(), "ListAccessKeys", &kms.ListAccessKeysInput{})
			if err != nil {
				return err
			}
			return g.render("ListAccessKeys", out)
		},
	}
	var id string
	del := &cobra.Command{
		Use:   "delete",
		Short: "Delete an access key; requests signed with it are refused from then on",
		Example: `  # retire a client's access key
  ID=$(pkms serve credentials create --description old-client --query AccessKeyId --output text)
  pkms serve credentials delete --access-key-id "$ID"
  pkms serve credentials list --query 'length(AccessKeys)'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if id == "" {
				return usagef("the following arguments are required: --access-key-id")
			}
			_, err := g.accessKeyOp(c.Context(), "DeleteAccessKey", &kms.DeleteAccessKeyInput{AccessKeyId: id})
			return err
		},
	}
	del.Flags().StringVar(&id, "access-key-id", "", "the access key to delete")
	c.AddCommand(create, list, del)
	return c
}
