package cmd

import "strings"

// optionalValueFlags take a value only when a word follows them, as
// argparse's nargs='?' does: pflag alone would read
// "--generate-cli-skeleton output" as the flag and a stray word.
var optionalValueFlags = map[string]bool{"--generate-cli-skeleton": true}

// joinOptionalValues glues the word after an optional-value flag to it.
func joinOptionalValues(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if optionalValueFlags[a] && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

// autoPromptError refuses AWS CLI v2's auto-prompt, asked for by
// --cli-auto-prompt or AWS_CLI_AUTO_PROMPT=on|on-partial (unless
// --no-cli-auto-prompt): pkms has no interactive prompt mode, and
// reading parameters at a prompt would stall scripts.
func (g *globals) autoPromptError() error {
	if g.noAutoPrompt {
		return nil
	}
	if g.autoPrompt {
		return usagef("--cli-auto-prompt is not supported: pkms has no interactive prompt mode; every parameter is an option (see pkms <command> --help)")
	}
	if v := g.env.getenv("AWS_CLI_AUTO_PROMPT"); v == "on" || v == "on-partial" {
		return usagef("AWS_CLI_AUTO_PROMPT=%s is not supported: pkms has no interactive prompt mode; unset it or pass --no-cli-auto-prompt", v)
	}
	return nil
}
