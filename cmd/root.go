package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/pocketkms/pkms/completions"
	"github.com/pocketkms/pkms/format"
	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/server"
)

// globals are the options every command accepts, anywhere on the line,
// made of one small type per concern: printing results (printer), finding
// and unlocking the vault with its credentials and terminal (unlocker), and
// finding a running agent (agentFinder). What stays on globals itself is
// what needs all of them: running operations, the agent, exec and serve.
type globals struct {
	env *env

	printer  // how results and debug lines are printed (output.go)
	unlocker // the vault file, its credentials and the terminal (session.go, credentials.go, terminal.go)

	region       string
	color        string
	noPaginate   bool
	noPager      bool
	autoPrompt   bool
	noAutoPrompt bool

	agentFinder // which agent the command goes through (agent_discover.go)

	remote remoteFlags // --endpoint-url and the options of remote calls

	// newInvoker returns what calls operations (a vault session by default).
	newInvoker func() invoker
}

// Main runs pkms with args (without the program name) and returns the exit
// code; main.go passes it to os.Exit, the only call of os.Exit in pkms.
// Ctrl-C is handled here (see runInterruptible).
func Main(args []string) int {
	e := &env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	return runInterruptible(e.stdout, func(ctx context.Context) int {
		return execute(ctx, newGlobals(e), args)
	})
}

func newGlobals(e *env) *globals {
	g := &globals{env: e, printer: printer{env: e},
		unlocker: unlocker{env: e, terminal: terminal{env: e}, passphraseFD: -1, pinFD: -1}}
	g.agentRunning = func() bool { return g.agentSocket() != "" }
	g.agentFinder = agentFinder{getenv: e.getenv, vaultFile: g.locateVault, logf: g.debugf}
	g.newInvoker = func() invoker {
		if g.remote.on() {
			return &remoteInvoker{g: g}
		}
		return g.localInvoker()
	}
	return g
}

// localInvoker calls operations on the vault: through its agent if one
// runs, else in a session of this process.
func (g *globals) localInvoker() invoker {
	if sock := g.agentSocket(); sock != "" {
		return &agentInvoker{g: g, client: server.NewClient(sock, g.regionName())}
	}
	return &session{g: g}
}

// execute runs one command line and returns its exit code.
func execute(ctx context.Context, g *globals, args []string) int {
	e := g.env
	args = helpAsLastWord(args)
	root := newRoot(g, commandName(args))
	root.SetArgs(joinOptionalValues(expandListFlags(args)))
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		return report(e.stderr, err)
	}
	return exitOK
}

// Version is the pkms version, set at build time with
// -ldflags "-X github.com/pocketkms/pkms/cmd.Version=v1.2.3".
var Version = ""

func version() string {
	v := Version
	if v == "" {
		v = buildVersion()
	}
	return fmt.Sprintf("pkms/%s Go/%s %s/%s", v, strings.TrimPrefix(runtime.Version(), "go"), runtime.GOOS, runtime.GOARCH)
}

// globalValueFlags are the global options that take a value, so that
// commandName can step over their values.
var globalValueFlags = map[string]bool{"--output": true, "--query": true, "--region": true, "--profile": true,
	"--endpoint-url": true, "--cli-binary-format": true, "--color": true, "--vault": true, "--identity-file": true,
	"--passphrase-fd": true, "--pin-fd": true, "--cli-timestamp-format": true, "--ca-bundle": true, "--cli-read-timeout": true,
	"--cli-connect-timeout": true}

// commandName is the first word of args that is not an option or an
// option's value: the command to run.
func commandName(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return a
		}
		if globalValueFlags[a] {
			i++
		}
	}
	return ""
}

// newRoot builds the command tree. A process runs one command, so when
// `only` names an operation just that operation's command is built (its
// flags come from reflection over the model), without the pkms commands
// and cobra's completion command, which that command line cannot reach.
// Help, completion, the pkms commands and unknown names get the whole tree.
func newRoot(g *globals, only string) *cobra.Command {
	ops, oneOp := operationCommands(g, only)
	root := &cobra.Command{
		Use:   "pkms",
		Short: "AWS KMS in your pocket: the aws kms command line on an encrypted local vault",
		Long: `pkms is the "aws kms" command line, offline, on one encrypted local vault file.
Every aws kms subcommand has the same flags, JSON output, errors and exit
codes, so a script written for "aws kms" runs by changing the command name.

Start with:  pkms vault init
Then:        pkms create-key --description "app data key"`,
		Version:           version(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	// As the AWS CLI does before any request: the region becomes part of
	// every ARN, so a malformed one is refused (exit 255), whichever
	// command runs.
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if err := g.remote.refuseLocalOnly(c); err != nil {
			return err
		}
		if r := g.regionName(); !kms.ValidRegion(r) {
			return fmt.Errorf("Provided region_name '%s' doesn't match a supported format.", r)
		}
		return g.autoPromptError()
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError(err) })
	f := root.PersistentFlags()
	f.StringVar(&g.output, "output", "", "output format: json, text, table, yaml, yaml-stream or off (default json, or AWS_DEFAULT_OUTPUT)")
	f.StringVar(&g.query, "query", "", "JMESPath query applied to the result")
	f.StringVar(&g.region, "region", "", "region that shapes ARNs (default AWS_REGION, AWS_DEFAULT_REGION, or us-east-1)")
	g.remote.bind(f)
	f.StringVar(&g.binaryFormat, "cli-binary-format", "base64", "how blob parameters are read: base64 or raw-in-base64-out")
	f.StringVar(&g.color, "color", "auto", "accepted for compatibility: on, off or auto")
	f.BoolVar(&g.noPaginate, "no-paginate", false, "make one request and print the raw page")
	f.BoolVar(&g.noPager, "no-cli-pager", false, "accepted for compatibility; pkms never pages output")
	f.BoolVar(&g.debug, "debug", false, "write debug information to stderr (never secrets)")
	f.StringVar(&g.vault, "vault", "", "vault file (default PKMS_VAULT or ${XDG_DATA_HOME:-$HOME/.local/share}/pkms/vault.pkms)")
	f.StringVar(&g.identityFile, "identity-file", "", "age identity file that opens an identity slot (or PKMS_IDENTITY_FILE)")
	f.IntVar(&g.passphraseFD, "passphrase-fd", -1, "read the passphrase from this file descriptor (or the file named by PKMS_PASSPHRASE_FILE)")
	f.IntVar(&g.pinFD, "pin-fd", -1, "read a hardware token's PIN from this file descriptor (or the file named by PKMS_PIN_FILE)")
	f.StringVar(&g.tsFormat, "cli-timestamp-format", "iso8601", "timestamps in output: iso8601 or wire (epoch seconds)")
	f.BoolVar(&g.autoPrompt, "cli-auto-prompt", false, "refused: pkms has no interactive prompt mode")
	f.BoolVar(&g.noAutoPrompt, "no-cli-auto-prompt", false, "accepted: pkms never prompts for parameters")
	_ = f.MarkHidden("cli-auto-prompt")
	_ = f.MarkHidden("no-cli-auto-prompt")
	_ = f.MarkHidden("cli-timestamp-format")
	for name, values := range map[string][]string{"output": completions.Outputs, "region": completions.Regions,
		"cli-binary-format": binaryFormats, "color": {"on", "off", "auto"}, "cli-timestamp-format": {"iso8601", "wire"}} {
		_ = root.RegisterFlagCompletionFunc(name, func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return completions.Filter(values, toComplete), cobra.ShellCompDirectiveNoFileComp
		})
	}

	root.AddGroup(&cobra.Group{ID: "kms", Title: "AWS KMS operations:"}, &cobra.Group{ID: "pkms", Title: "pkms commands:"})
	for _, c := range ops {
		if c.GroupID == "" {
			c.GroupID = "kms"
		}
		root.AddCommand(c)
	}
	if !oneOp {
		for _, c := range []*cobra.Command{newCmdVault(g), newCmdAgent(g), newCmdExec(g), newCmdServe(g), newCmdCopyKeyToRemote(g), newCmdAudit(g), newCmdCompletion(g), newCmdMan(g)} {
			c.GroupID = "pkms"
			root.AddCommand(c)
		}
	}
	checkPositionals(root)
	if !oneOp {
		addHelp(root)
	}
	return root
}

// flagError turns pflag's parse errors into the AWS CLI's (argparse's)
// wording; all are usage errors.
func flagError(err error) error {
	var invalid *pflag.InvalidValueError
	if errors.As(err, &invalid) {
		name := "--" + invalid.GetFlag().Name
		if strings.HasPrefix(invalid.GetFlag().Value.Type(), "int") {
			return usagef("argument %s: invalid int value: %s", name, format.PyStringRepr(invalid.GetValue()))
		}
		return usagef("argument %s: %v", name, errors.Unwrap(err))
	}
	var required *pflag.ValueRequiredError
	if errors.As(err, &required) {
		return usagef("argument --%s: expected one argument", required.GetFlag().Name)
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "unknown flag: "); ok {
		return usagef("Unknown options: %s", rest)
	}
	if rest, ok := strings.CutPrefix(msg, "unknown shorthand flag: "); ok {
		return usagef("Unknown options: %s", rest)
	}
	return usagef("%s", msg)
}

// binaryFormats are the values of --cli-binary-format.
var binaryFormats = []string{"base64", "raw-in-base64-out"}

// paramFailure is a client-side failure outside validation (a bad --query),
// exit 252 with the error text.
type paramFailure struct{ err error }

func (e *paramFailure) Error() string { return e.err.Error() }

func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	return 80
}
