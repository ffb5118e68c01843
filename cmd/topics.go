package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// Help topics are the pages `pkms help TOPIC` prints: what a newcomer needs
// beyond one command's options. Their facts are checked by tests against
// the code where that is cheap: every option and command they name exists,
// every "(default X)" is that option's default, exit-codes is generated
// from the table in exit.go, and differences is the README's list.

// helpTopic is one page of `pkms help TOPIC`.
type helpTopic struct {
	Name  string
	Short string
	Text  func() string
}

// helpTopics are the topics, in the order `pkms help` lists them.
var helpTopics = []helpTopic{
	{"unlocking", "how pkms opens the vault: passphrase, identity file, hardware token, age plugin", func() string { return topicUnlocking }},
	{"vault", "the vault file: where it is, what it holds, backup and key slots", func() string { return topicVault }},
	{"agent", "one unlock for many commands: pkms agent and pkms exec", func() string { return topicAgent }},
	{"serve", "the AWS KMS wire protocol for AWS SDKs and the aws CLI", func() string { return topicServe }},
	{"differences", "where pkms differs from AWS KMS on purpose", topicDifferences},
	{"exit-codes", "what each exit code means", topicExitCodes},
}

func lookupTopic(name string) (helpTopic, bool) {
	for _, t := range helpTopics {
		if t.Name == name {
			return t, true
		}
	}
	return helpTopic{}, false
}

const topicUnlocking = `The vault key is wrapped in key slots; any one slot opens the vault.
Unlocking tries, in order:

  1. an age identity file: --identity-file FILE, or PKMS_IDENTITY_FILE
     (identity slots, made by pkms vault init --recipient age1... or
     pkms vault slots add --recipient age1...; the fast path for CI)
  2. a passphrase given in a file or a descriptor: PKMS_PASSPHRASE_FILE=FILE,
     or --passphrase-fd N (for example --passphrase-fd 3 3<pass.txt)
  3. PKCS#11 token slots (YubiKey PIV, any HSM, SoftHSM2); the PIN comes from
     --pin-fd N, PKMS_PIN_FILE, or the terminal
  4. age plugin slots (age-plugin-yubikey, -fido2-hmac, -tpm, -se on PATH)
  5. the passphrase asked on the terminal, without echo

A passphrase is never read from argv, the environment or standard input.
Scrypt makes each passphrase unlock take about a second on purpose: for
scripts that run many commands, unlock once with an agent (pkms help agent).

Examples:
  echo 'my long passphrase' > ~/.pkms-pass && chmod 600 ~/.pkms-pass
  PKMS_PASSPHRASE_FILE=~/.pkms-pass pkms list-keys
  pkms list-keys --passphrase-fd 3 3<~/.pkms-pass
  pkms list-keys --identity-file ci-key.txt`

const topicVault = `The vault is one encrypted file: --vault PATH, else PKMS_VAULT, else
${XDG_DATA_HOME:-$HOME/.local/share}/pkms/vault.pkms (mode 0600).

It holds every key, alias, tag, key policy and custom key store, each record
sealed with AES-256-GCM under a random vault key; key ids and aliases are not
readable in the file. Every command is one transaction: it lands whole or not
at all, and parallel commands wait for each other.

  pkms vault init              create it (asks for a passphrase twice)
  pkms vault info              format version, slots, and counts
  pkms vault passwd            change the passphrase (rewraps its slot only)
  pkms vault slots list|add|remove
                               passphrase, age identity, PKCS#11 token or age plugin slots
  pkms vault rekey             a new vault key: every record resealed
  pkms vault verify            check every record; exit 253 if any is damaged
  pkms vault export -r age1... one age file the stock age tool decrypts (a backup)
  pkms vault import FILE       a new vault from an export

A damaged or tampered file is exit 253 with a reason, never a crash. A vault
written by a newer pkms is refused, never rewritten.`

const topicAgent = `Unlocking costs about a second (scrypt) or a token touch, so a script that
runs many pkms commands unlocks once and lets an agent do the work:

  eval "$(pkms agent)"         unlock now; sets PKMS_AGENT_SOCK (and PKMS_AGENT_PID)
  pkms encrypt ...             every pkms command with PKMS_AGENT_SOCK set uses the agent
  pkms agent status|lock|unlock|stop
  eval "$(pkms agent stop)"    stop it and unset the variables
  pkms exec -- ./release.sh    a private agent that lives exactly as long as the script

The agent listens on a unix socket in a 0700 directory and admits only your
own uid. It performs operations itself and never hands out the vault key. It
stops after --idle-timeout (default 15m) without a request, after
--max-lifetime (default 8h), on SIGTERM, or with pkms agent stop; pkms agent
lock forgets the key and releases the vault file. Output and exit codes are
the same with and without an agent. While an agent holds the vault, other
pkms processes wait for the file: run them with PKMS_AGENT_SOCK set.`

const topicServe = `pkms serve speaks the AWS KMS JSON 1.1 protocol (X-Amz-Target:
TrentService.<Operation>) on loopback, so AWS SDKs and the aws CLI use the
vault:

  pkms serve credentials create --description my-app   an access key, shown once
  pkms serve --listen 127.0.0.1:4599 &
  aws --endpoint-url http://127.0.0.1:4599 kms list-keys
  AWS_ENDPOINT_URL_KMS=http://127.0.0.1:4599 my-app      any AWS SDK

Every request must carry a valid SigV4 signature (service "kms", the region
of --region) from an access key made by pkms serve credentials create (list
and delete manage them). An address other than loopback is refused unless
--allow-remote comes with --tls-cert and --tls-key. SIGTERM or Ctrl-C stops
it gracefully. pkms serve also listens on an agent socket, so pkms commands
run with PKMS_AGENT_SOCK set share the unlocked vault (pkms help agent).
pkms --debug serve logs one line per request on stderr: method, operation,
access key id, HTTP status and error code, and duration (never a body, a
signature or a secret).`

// differences are README's "Where pkms differs from AWS on purpose", item
// for item (a test compares them).
var differences = []string{
	"Every --key-id accepts a key id, key ARN, alias name or alias ARN. AWS accepts aliases only for cryptographic operations and describe-key; being lenient breaks no script written for AWS (alias targets in create-alias/update-alias still must be a key id or ARN, as in AWS).",
	"Key policies are validated and stored (JSON, 32 KB, lockout safety check) but not evaluated: a vault has one user.",
	"The symmetric ciphertext format is pkms's own (versioned, names the key and key material, authenticates the encryption context); AWS does not publish theirs, and no two KMS implementations can read each other's symmetric ciphertexts anyway. Version 2 adds a check over its header, so any modified ciphertext answers InvalidCiphertextException (never a lookup of a mangled key id); version 1 ciphertexts still decrypt.",
	"The vault's account id (for ARNs and the default policy) is chosen at vault init (--account-id, default random).",
	"Long options cannot be abbreviated (the AWS CLI accepts unambiguous prefixes); --color and --no-cli-pager are accepted and ignored (pkms never colours or pages output).",
	"--output table keeps the AWS CLI's look (title line, nested sections, column headers for lists) but not every character: an object's members are always key/value rows, and multi-line values stay inside their cell. json, text and yaml output are the CLI's byte for byte.",
	"JSON option values refuse NaN, Infinity and -Infinity (Python's parser takes them; they are not JSON and no KMS member is a float); errors keep Python's wording and positions.",
}

func topicDifferences() string {
	var b strings.Builder
	b.WriteString("pkms behaves as AWS KMS and the AWS CLI v2 do, except, on purpose:\n")
	for _, d := range differences {
		b.WriteString("\n" + wrapText(d, 76, "  - ", "    ") + "\n")
	}
	b.WriteString("\nOperations pkms does not implement yet say so in the first line of their\n--help and answer UnsupportedOperationException (exit 254).")
	return b.String()
}

func topicExitCodes() string {
	var b strings.Builder
	b.WriteString("pkms exits as AWS CLI v2 does:\n\n")
	for _, e := range exitCodes {
		b.WriteString(wrapText(e.Meaning, 76, fmt.Sprintf("  %-5d", e.Code), "       ") + "\n")
	}
	b.WriteString("\npkms exec -- CMD exits with CMD's own status (128+N if signal N killed it,\n127 if CMD is not found).")
	return b.String()
}

// wrapText fills s into lines of at most width characters, the first
// starting with first and the others with rest.
func wrapText(s string, width int, first, rest string) string {
	var lines []string
	line := first
	for _, w := range strings.Fields(s) {
		if len(line) > len(rest) && line != first && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = rest
		}
		if line != first && line != rest {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// newHelpCommand is `pkms help [COMMAND... | TOPIC]`: a topic's page, or a
// command's help as cobra prints it.
func newHelpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command | topic]",
		Short: "Help about any command, or a topic: " + topicNames(),
		// Completes command names, and topic names for the first word.
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var out []cobra.Completion
			if len(args) == 0 {
				for _, t := range helpTopics {
					if strings.HasPrefix(t.Name, toComplete) {
						out = append(out, t.Name)
					}
				}
			}
			if c, rest, err := root.Find(args); err == nil && len(rest) == 0 {
				for _, sub := range c.Commands() {
					if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
						out = append(out, sub.Name())
					}
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				if t, ok := lookupTopic(args[0]); ok {
					fmt.Fprintln(c.OutOrStdout(), t.Text())
					if sub, _, err := root.Find(args); err == nil && sub != root {
						fmt.Fprintf(c.OutOrStdout(), "\nOptions and subcommands: pkms %s --help\n", t.Name)
					}
					return nil
				}
			}
			target, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usagef("no command or help topic %q; topics: %s", strings.Join(args, " "), topicNames())
			}
			return target.Help()
		},
	}
}

func topicNames() string {
	var names []string
	for _, t := range helpTopics {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}

// addHelp gives root the help command with topics and lists the topics
// at the end of its description.
func addHelp(root *cobra.Command) {
	root.SetHelpCommand(newHelpCommand(root))
	var b strings.Builder
	b.WriteString("\n\nHelp topics (pkms help TOPIC):\n")
	for _, t := range helpTopics {
		fmt.Fprintf(&b, "  %-13s%s\n", t.Name, t.Short)
	}
	root.Long += strings.TrimRight(b.String(), "\n")
}
