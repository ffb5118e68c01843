package cmd

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/completions"
	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/server"
)

// `pkms completion SHELL` prints the completion script of a shell. Every
// script asks pkms itself (cobra's hidden __complete command) for the
// candidates, so subcommands, options and enum values always match the
// binary. bash's script is pkms's own: it works without the
// bash-completion package, puts back together the words bash splits at
// COMP_WORDBREAKS (so fileb://x and --opt=value reach pkms whole), and
// offers file names only where pkms says so (never after --key-id). The
// other shells use cobra's scripts. The scripts are kept in completions/
// for packagers (go generate there rewrites them; a test fails when they
// are stale).

func newCmdCompletion(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script for bash, zsh, fish or PowerShell",
		Long: `Print the completion script of a shell. It completes commands, options,
every enum value (key specs, usages, algorithms, --output, --region) and
file names after fileb:// and file://. --key-id and the alias options
complete key ids and aliases only from a running agent (pkms agent or
pkms serve holding the vault): completion never unlocks the vault and never
prompts. With --endpoint-url they offer nothing: those keys are another
KMS's, and completion sends it no request. The bash script needs no
bash-completion package.

To install it for good:
  bash:       pkms completion bash > ~/.local/share/bash-completion/completions/pkms
  zsh:        pkms completion zsh > "${fpath[1]}/_pkms"  (then autoload -U compinit; compinit)
  fish:       pkms completion fish > ~/.config/fish/completions/pkms.fish
  PowerShell: pkms completion powershell | Out-String | Invoke-Expression`,
		Example: `  # complete pkms in this bash session, and see that bash now knows how
  source <(pkms completion bash)
  complete -p pkms`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("pkms completion takes one shell: bash, zsh, fish or powershell")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return writeCompletion(c.Root(), args[0], g.env.stdout)
		},
	}
}

// writeCompletion writes the completion script of shell for root.
func writeCompletion(root *cobra.Command, shell string, w io.Writer) error {
	switch shell {
	case "bash":
		_, err := io.WriteString(w, strings.ReplaceAll(bashCompletion, "@NAME@", root.Name()))
		return err
	case "zsh":
		return root.GenZshCompletion(w)
	case "fish":
		return root.GenFishCompletion(w, true)
	case "powershell":
		return root.GenPowerShellCompletionWithDesc(w)
	}
	return usagef("argument SHELL: Invalid choice, valid choices are: bash | zsh | fish | powershell")
}

// bashCompletion is the bash script; @NAME@ is the program name.
//
// Bash splits the line at the characters of COMP_WORDBREAKS (":" and "="
// among them), so "fileb://s" arrives as "fileb", "://s". The script glues
// back the pieces that touch in the line, asks pkms for candidates for the
// whole word, and hands bash each candidate without the part before the
// last piece, which is all bash replaces. It uses only bash builtins.
const bashCompletion = `# bash completion for @NAME@ (pkms completion bash). Needs no bash-completion package.

__@NAME@_complete()
{
    local words=() i w rest=$COMP_LINE trimmed cword=-1
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        trimmed=${rest#"${rest%%[![:space:]]*}"}
        if ((i > 0 && ${#trimmed} == ${#rest})); then
            words[${#words[@]}-1]+=$w
        else
            words+=("$w")
        fi
        rest=${trimmed#"$w"}
        if ((i == COMP_CWORD)); then
            cword=$((${#words[@]} - 1))
            break
        fi
    done
    ((cword < 0)) && return
    local cur=${words[cword]}
    local piece=${COMP_WORDS[COMP_CWORD]}
    local lead=${cur%"$piece"}

    # pkms answers --opt=VALUE with values alone.
    local flag= value=$cur
    if [[ $cur == -*=* ]]; then
        flag=${cur%%=*}=
        value=${cur#*=}
    fi

    local out directive
    # The word as typed may escape blanks (a file name completed before).
    out=$("${words[0]}" __completeNoDesc "${words[@]:1:cword-1}" "${cur//\\ / }" 2>/dev/null) || return
    directive=${out##*:}
    out=${out%:*}
    [[ $directive =~ ^[0-9]+$ ]] || directive=0
    ((directive & 1)) && return

    COMPREPLY=()
    local c
    while IFS= read -r c; do
        [[ -z $c ]] && continue
        c=$flag$c
        [[ $c == "$lead"* ]] || continue
        c=${c#"$lead"}
        # A file name with a blank or a quote goes in escaped.
        [[ $c == *[[:space:]\'\"\\$]* ]] && printf -v c '%q' "$c"
        COMPREPLY+=("$c")
    done <<<"$out"

    if ((${#COMPREPLY[@]} == 0 && (directive & 4) == 0)); then
        # pkms offers no candidates and allows file names here.
        compopt -o filenames 2>/dev/null
        while IFS= read -r c; do
            [[ -n $c ]] && c=$flag$c && COMPREPLY+=("${c#"$lead"}")
        done < <(compgen -f -- "$value")
        return
    fi
    ((directive & 2)) && compopt -o nospace 2>/dev/null
    ((directive & 32)) && compopt -o nosort 2>/dev/null
    return 0
}

complete -F __@NAME@_complete @NAME@
`

// completeLimit is the page size of the listings completion asks for: one
// page, the largest the API allows.
var completeLimit int32 = 1000

// skeletonChoices are the values of --generate-cli-skeleton.
var skeletonChoices = []string{"input", "output", "yaml-input"}

// completeOperationArgs completes the values of --generate-cli-skeleton,
// in both forms: after "=" as a flag value, and as the next word, which
// pflag sees as a positional argument because the value is optional. An
// operation takes no other positional argument: no file names.
func completeOperationArgs(c *cobra.Command) {
	choices := func(toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return completions.Filter(skeletonChoices, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	_ = c.RegisterFlagCompletionFunc("generate-cli-skeleton", func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return choices(toComplete)
	})
	c.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if f := c.Flags().Lookup("generate-cli-skeleton"); f != nil && f.Changed && len(args) == 0 {
			return choices(toComplete)
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeTimeout bounds what a TAB waits for the agent.
const completeTimeout = time.Second

// completeKeyRefs registers the completion of the members that take key
// ids or aliases: from the agent the command would use (PKMS_AGENT_SOCK, or
// the one found for the vault), else nothing; never file names. With
// --endpoint-url the command names keys of another KMS, which the vault's
// agent does not hold and which completion does not ask for (a TAB never
// sends a request to a remote KMS): it offers nothing.
func completeKeyRefs(g *globals, c *cobra.Command, members []*member) {
	for _, m := range members {
		keys, aliases := completions.KeyRef(jsonName(m.field))
		if !keys && !aliases {
			continue
		}
		_ = c.RegisterFlagCompletionFunc(m.flag, func(c *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if g.remote.on() {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			ids, names := g.agentKeyRefs(c.Context(), keys, aliases)
			return completions.KeyRefs(ids, names, toComplete), cobra.ShellCompDirectiveNoFileComp
		})
	}
}

// agentKeyRefs lists key ids and alias names through the agent, or returns
// nothing when there is none or it does not answer in time.
func (g *globals) agentKeyRefs(ctx context.Context, keys, aliases bool) (ids, names []string) {
	sock := g.agentSocket()
	if sock == "" {
		return nil, nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, completeTimeout)
	defer cancel()
	cl := server.NewClient(sock, g.regionName())
	if keys {
		var out kms.ListKeysOutput
		if err := cl.Invoke(ctx, "ListKeys", &kms.ListKeysInput{Limit: &completeLimit}, &out); err == nil {
			for _, k := range out.Keys {
				ids = append(ids, k.KeyId)
			}
		}
	}
	if aliases {
		var out kms.ListAliasesOutput
		if err := cl.Invoke(ctx, "ListAliases", &kms.ListAliasesInput{Limit: &completeLimit}, &out); err == nil {
			for _, a := range out.Aliases {
				if n := a.AliasName; !strings.HasPrefix(n, "alias/aws/") {
					names = append(names, n)
				}
			}
		}
	}
	return ids, names
}
