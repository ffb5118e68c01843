package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// `pkms man DIR` writes the manual pages, one per command, from the
// command tree itself, so they cannot drift from --help: the same
// description, usage line, option lines (as pflag prints them for --help)
// and examples. They are built on demand rather than kept in the tree:
// packagers run it at build time. The roff is written by roff.go.

func newCmdMan(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write the manual pages (section 1), one per command, into DIR",
		Long: `Write one roff manual page per command (pkms.1, pkms-encrypt.1,
pkms-vault-init.1, ...) into DIR, creating it if needed. The pages come
from the same text as --help. SOURCE_DATE_EPOCH, when set, fixes the date
printed in them (reproducible builds). To install them for every user:
sudo pkms man /usr/local/share/man/man1.`,
		Example: `  # write every page into ./man, then read one (man -l ./man/pkms-encrypt.1)
  pkms man ./man
  grep -q 'pkms-encrypt' ./man/pkms-encrypt.1`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("pkms man takes one directory")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			date, err := manDate(g.env.getenv("SOURCE_DATE_EPOCH"), time.Now())
			if err != nil {
				return err
			}
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("cannot create %s: %w", dir, err)
			}
			root := c.Root()
			h := manHeader{date: date, source: root.Version, manual: "pkms manual"}
			if err := writeManTree(root, h, dir); err != nil {
				return err
			}
			fmt.Fprintf(g.env.stderr, "pkms man: wrote the manual pages into %s\n", dir)
			return nil
		},
	}
}

// manHeader is what every page's .TH line says besides its title.
type manHeader struct {
	date   string // YYYY-MM-DD
	source string // the pkms version
	manual string
}

// manDate is the date printed in the pages: SOURCE_DATE_EPOCH's day when
// it is set (in UTC, so that a rebuild anywhere prints the same), else
// today's.
func manDate(epoch string, now time.Time) (string, error) {
	if epoch != "" {
		secs, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return "", fmt.Errorf("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, not %q", epoch)
		}
		now = time.Unix(secs, 0)
	}
	return now.UTC().Format("2006-01-02"), nil
}

// manVisible lists the subcommands of c that get a page: those --help
// lists.
func manVisible(c *cobra.Command) []*cobra.Command {
	var subs []*cobra.Command
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() && !s.IsAdditionalHelpTopicCommand() {
			subs = append(subs, s)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name() < subs[j].Name() })
	return subs
}

// manName is a command's page name: its path with dashes (pkms-vault-init).
func manName(c *cobra.Command) string { return strings.ReplaceAll(c.CommandPath(), " ", "-") }

// writeManTree writes the page of c and of every command below it into dir.
func writeManTree(c *cobra.Command, h manHeader, dir string) error {
	file := filepath.Join(dir, manName(c)+".1")
	if err := os.WriteFile(file, manPage(c, h), 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", file, err)
	}
	for _, s := range manVisible(c) {
		if err := writeManTree(s, h, dir); err != nil {
			return err
		}
	}
	return nil
}

// manPage is the man(7) page of one command.
func manPage(c *cobra.Command, h manHeader) []byte {
	c.InitDefaultHelpFlag() // as --help lists it
	name := manName(c)
	var b strings.Builder
	fmt.Fprintf(&b, ".\\\" %s(1), written by pkms man from the command's help.\n", name)
	fmt.Fprintf(&b, ".TH %s 1 %s %s %s\n", roffArg(strings.ToUpper(name)), roffArg(h.date), roffArg(h.source), roffArg(h.manual))
	// Option names and ARNs must not be hyphenated, and long ones would
	// stretch the spaces of a justified line: ragged right.
	b.WriteString(".nh\n.ad l\n")

	b.WriteString(".SH NAME\n")
	b.WriteString(roffEscape(name) + ` \- ` + roffEscape(strings.Join(strings.Fields(c.Short), " ")) + "\n")

	b.WriteString(".SH SYNOPSIS\n")
	var synopsis []string
	if c.Runnable() {
		synopsis = append(synopsis, roffBold(c.CommandPath())+roffEscape(strings.TrimPrefix(c.UseLine(), c.CommandPath())))
	}
	if c.HasAvailableSubCommands() {
		synopsis = append(synopsis, roffBold(c.CommandPath())+" ["+roffItalic("command")+"]")
	}
	b.WriteString(strings.Join(synopsis, "\n.br\n") + "\n")

	b.WriteString(".SH DESCRIPTION\n")
	desc := c.Long
	if desc == "" {
		desc = c.Short
	}
	writeRoffText(&b, desc, ".PP")

	writeManOptions(&b, "OPTIONS", c.NonInheritedFlags())
	writeManOptions(&b, "GLOBAL OPTIONS", c.InheritedFlags())

	if ex := strings.Trim(c.Example, "\n"); ex != "" {
		b.WriteString(".SH EXAMPLES\n.nf\n" + roffEscape(ex) + "\n.fi\n")
	}

	var also []string
	if c.HasParent() {
		also = append(also, roffBold(manName(c.Parent()))+"(1)")
	}
	for _, s := range manVisible(c) {
		also = append(also, roffBold(manName(s))+"(1)")
	}
	if len(also) > 0 {
		b.WriteString(".SH SEE ALSO\n" + strings.Join(also, ",\n") + "\n")
	}
	return []byte(b.String())
}

// writeManOptions writes one section of options, each as a tagged
// paragraph: the option line, then its help.
func writeManOptions(b *strings.Builder, title string, flags *pflag.FlagSet) {
	if !flags.HasAvailableFlags() {
		return
	}
	b.WriteString(".SH " + roffArg(title) + "\n")
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		names, value, usage := flagHelp(f)
		b.WriteString(".TP\n")
		for i, n := range names {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(roffBold(n))
		}
		if v, ok := strings.CutPrefix(value, " "); ok {
			b.WriteString(" " + roffItalic(v) + "\n")
		} else {
			b.WriteString(roffEscape(value) + "\n")
		}
		writeRoffText(b, usage, ".IP")
	})
}

// flagHelp splits an option's line of --help into its names (-h, --help),
// what follows them (" string", "[=input]") and its help text with the
// default, multi-line help back at the left margin. It asks pflag for the
// line, so that the page says what --help says.
func flagHelp(f *pflag.Flag) (names []string, value, usage string) {
	one := pflag.NewFlagSet("", pflag.ContinueOnError)
	one.AddFlag(f)
	line := one.FlagUsagesWrapped(0)
	// "  -h, --help[=true|false]   help for x\n": names, suffix, spaces, text.
	names = []string{"--" + f.Name}
	head := "--" + f.Name
	if f.Shorthand != "" && f.ShorthandDeprecated == "" {
		names = []string{"-" + f.Shorthand, "--" + f.Name}
		head = "-" + f.Shorthand + ", --" + f.Name
	}
	start := strings.Index(line, head) + len(head)
	end := strings.Index(line[start:], "  ") + start
	value = line[start:end]
	text := len(line) - len(strings.TrimLeft(line[end:], " ")) // continuation lines are indented as far
	usage = strings.ReplaceAll(strings.TrimRight(line[text:], "\n"), "\n"+strings.Repeat(" ", text), "\n")
	return names, value, usage
}
