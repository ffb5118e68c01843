package cmd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/format"
)

// Positional words are usage errors in the AWS CLI's words (exit 252),
// never cobra's "unknown command" (which would exit 255): a word that
// names no command is argparse's invalid choice, listing the choices and
// the close matches; a word a command does not take is one of its
// "Unknown options"; a missing one is a required argument.

// choicesPerLine is how many choices argparse's invalid-choice message
// puts on a line, each padded to 40 columns.
const choicesPerLine = 2

// checkPositionals gives every command below root (root included) the
// CLI's handling of positional words. The operation commands already
// report stray words themselves.
func checkPositionals(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		switch {
		case c.HasSubCommands():
			arg := "subcommand"
			if !c.HasParent() {
				arg = "operation" // pkms X is aws kms X
				if c.RunE == nil && c.Run == nil {
					c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
				}
			}
			c.Args = choiceArgs(arg)
			c.SuggestionsMinimumDistance = 2 // cobra's own default for unknown commands
		case c.Args != nil && c.GroupID != "kms":
			c.Args = positionalArgs(c.Args)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// choiceArgs refuses any positional word of a command that has
// subcommands: it names none of them (cobra has already matched those).
func choiceArgs(arg string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		var choices []string
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() && sub.Name() != "help" {
				choices = append(choices, sub.Name())
			}
		}
		sort.Strings(choices)
		return invalidChoice(arg, args[0], append(choices, "help"), c.SuggestionsFor(args[0]))
	}
}

// invalidChoice is argparse's error for a value outside choices, as the
// AWS CLI words it: the choices two to a line, then the close matches.
// The close matches are cobra's suggestions (edit distance and prefix), so
// they may differ from the AWS CLI's for the same typo: they are a hint for
// a person, not output a script reads.
func invalidChoice(arg, value string, choices, close []string) error {
	lines := []string{"Invalid choice, valid choices are:\n"}
	for i := 0; i < len(choices); i += choicesPerLine {
		var cur []string
		for _, ch := range choices[i:min(i+choicesPerLine, len(choices))] {
			cur = append(cur, fmt.Sprintf("%-40s", ch))
		}
		lines = append(lines, strings.Join(cur, " | "))
	}
	if len(close) > 0 {
		lines = append(lines, "\n\nInvalid choice: "+format.PyStringRepr(value)+", maybe you meant:\n")
		for _, w := range close {
			lines = append(lines, "  * "+w)
		}
	}
	return usagef("argument %s: %s", arg, strings.Join(lines, "\n"))
}

// positionalArgs keeps a leaf command's rule for positional words and
// words its refusals as the CLI does.
func positionalArgs(accept cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if accept(c, args) == nil {
			return nil
		}
		names := positionalNames(c.Use)
		if len(args) < len(names) {
			return usagef("the following arguments are required: %s", strings.Join(names[len(args):], ", "))
		}
		return usagef("Unknown options: %s", strings.Join(args[len(names):], ", "))
	}
}

// positionalNames are the required positional words in a Use line
// ("remove SLOT-ID" → SLOT-ID): words after the command name that are not
// options, option values, optional ([...]) or alternatives ((...)).
func positionalNames(use string) []string {
	words := strings.Fields(use)
	var names []string
	for i := 1; i < len(words); i++ {
		w := words[i]
		afterOption := strings.HasPrefix(words[i-1], "-") && words[i-1] != "--"
		if w == "--" || afterOption || strings.ContainsAny(w[:1], "-[(") {
			continue
		}
		names = append(names, w)
	}
	return names
}
