package cmd

import (
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/pocketkms/pkms/completions"
	"github.com/pocketkms/pkms/format"
)

// printer is the printing concern of a command line: the result on stdout
// as --output, --query and --cli-timestamp-format select, debug lines
// (--debug) and progress on stderr. globals embeds it, so its flags bind
// to its fields; it reads nothing but the environment and never touches
// the vault, an agent or the terminal's input. --cli-binary-format, which
// shapes blob input, is checked here too, when a command renders, as the
// option has always been checked.
type printer struct {
	env *env

	output       string // --output
	query        string // --query
	tsFormat     string // --cli-timestamp-format
	binaryFormat string // --cli-binary-format
	debug        bool   // --debug
}

// renderOptions are the format options the global options select.
func (p *printer) renderOptions(title string) (format.Options, error) {
	out := p.output
	if out == "" {
		out = p.env.getenv("AWS_DEFAULT_OUTPUT")
	}
	if out == "" {
		out = "json"
	}
	if !contains(completions.Outputs, out) {
		return format.Options{}, usagef("argument --output: Invalid choice, valid choices are: %s", strings.Join(completions.Outputs, " | "))
	}
	if !contains(binaryFormats, p.binaryFormat) {
		return format.Options{}, usagef("argument --cli-binary-format: Invalid choice, valid choices are: base64 | raw-in-base64-out")
	}
	opts := format.Options{Output: out, Title: title, Width: terminalWidth(p.env.stdout), TimestampFormat: p.tsFormat}
	if tz := p.env.getenv("TZ"); tz != "" {
		// Timestamps print in the local zone, as the AWS CLI's do.
		if loc, err := time.LoadLocation(strings.TrimPrefix(tz, ":")); err == nil {
			opts.Location = loc
		}
	}
	if p.query != "" {
		q, err := format.CompileQuery(p.query)
		if err != nil {
			return format.Options{}, &paramFailure{err}
		}
		opts.Query = q
	}
	return opts, nil
}

// render prints v, the result of the command titled title, on stdout.
func (p *printer) render(title string, v any) error {
	opts, err := p.renderOptions(title)
	if err != nil {
		return err
	}
	return format.Render(p.env.stdout, v, opts)
}

// debugf writes a debug line to stderr when --debug is on.
func (p *printer) debugf(format string, args ...any) {
	if p.debug {
		fmt.Fprintf(p.env.stderr, "pkms debug: "+format+"\n", args...)
	}
}

// newProgressBar returns a bar for stderr, or nil when stderr is not a
// terminal; a nil bar's methods do nothing.
func (p *printer) newProgressBar(label string) *progressBar {
	f, ok := p.env.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: f, label: label, width: terminalWidth(f), now: time.Now}
}
