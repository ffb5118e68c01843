package cmd

import (
	"strings"
	"testing"
	"time"
)

// TestExitCodes checks the exit code of each kind of bad command line
// against AWS CLI v2: argparse errors and the CLI's parameter errors are
// 252; a value the CLI cannot convert (base64, int()) is 255. No call is
// made in any case.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // the start of stderr
		has    string // and a part of it
	}{
		{"unknown operation", []string{"nope"}, 252, "pkms: [ERROR]: argument operation: Invalid choice, valid choices are:\n\n" +
			"agent                                    | audit                                   \n", ""},
		{"unknown operation, close match", []string{"list-key"}, 252, "pkms: [ERROR]: argument operation: Invalid choice",
			"\nvault                                    | verify                                  \nverify-mac                               | help                                    \n\n\n" +
				"Invalid choice: 'list-key', maybe you meant:\n\n  * list-key-policies\n  * list-key-rotations\n  * list-keys\n\nusage: pkms"},
		{"unknown vault subcommand", []string{"vault", "nope"}, 252, "pkms: [ERROR]: argument subcommand: Invalid choice, valid choices are:\n\n" +
			"export                                   | import                                  \n", ""},
		{"unknown agent subcommand", []string{"agent", "stp"}, 252, "pkms: [ERROR]: argument subcommand: Invalid choice", "maybe you meant:\n\n  * stop\n"},
		{"stray word after a pkms command", []string{"vault", "info", "extra"}, 252, "pkms: [ERROR]: Unknown options: extra\n", ""},
		{"missing positional", []string{"vault", "slots", "remove"}, 252, "pkms: [ERROR]: the following arguments are required: SLOT-ID\n", ""},
		{"unknown option", []string{"list-keys", "--bogus"}, 252, "pkms: [ERROR]: Unknown options: --bogus\n", ""},
		{"non-integer for a CLI option", []string{"list-keys", "--max-items", "abc"}, 252, "pkms: [ERROR]: argument --max-items: invalid int value: 'abc'\n", ""},
		{"CLI option without its value", []string{"list-keys", "--page-size"}, 252, "pkms: [ERROR]: argument --page-size: expected one argument\n", ""},
		{"non-integer for an integer parameter", []string{"generate-random", "--number-of-bytes", "1.5"}, 255, "\ninvalid literal for int() with base 10: '1.5'\n", ""},
		{"invalid base64", []string{"encrypt", "--key-id", "k", "--plaintext", "aGVsbG8"}, 255, "\nInvalid base64: \"aGVsbG8\"\n", ""},
		{"non-ASCII where a blob is expected", []string{"encrypt", "--key-id", "k", "--plaintext", "héllo"}, 255, "\nstring argument should contain only ASCII characters\n", ""},
		{"endless fileb://", []string{"encrypt", "--key-id", "k", "--plaintext", "fileb:///dev/zero"}, 252,
			"\nError parsing parameter '--plaintext': Unable to load paramfile fileb:///dev/zero: larger than 4 MiB, the limit for a parameter file\n", ""},
		{"endless --cli-input-json", []string{"encrypt", "--cli-input-json", "file:///dev/zero"}, 252,
			"\nError parsing parameter '--cli-input-json': Unable to load paramfile file:///dev/zero: larger than 4 MiB", ""},
		{"endless file:// text", []string{"create-key", "--description", "file:///dev/urandom"}, 252,
			"\nError parsing parameter '--description': Unable to load paramfile file:///dev/urandom: larger than 4 MiB", ""},
		{"bad JSON is a parameter error", []string{"encrypt", "--key-id", "k", "--plaintext", "AA==", "--encryption-context", "{"}, 252, "\nError parsing parameter '--encryption-context': Invalid JSON:", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			r := runWith(t, rec, nil, tc.args...)
			if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.stderr) || !strings.Contains(r.stderr, tc.has) {
				t.Fatalf("exit %d, stderr %q\nwant exit %d, stderr starting %q containing %q", r.code, r.stderr, tc.code, tc.stderr, tc.has)
			}
			if r.stdout != "" || len(rec.inputs) != 0 {
				t.Fatalf("stdout %q, %d calls; want nothing", r.stdout, len(rec.inputs))
			}
		})
	}
}

// TestDurationOptions: the agent's timeouts take positive durations only;
// zero or a negative one (which used to mean "never") is a usage error.
func TestDurationOptions(t *testing.T) {
	const hint = " (a positive duration such as 30s, 15m or 8h)\n"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"agent", "--idle-timeout", "-5s"}, "pkms: [ERROR]: argument --idle-timeout: invalid duration value: '-5s'" + hint},
		{[]string{"agent", "--idle-timeout", "0"}, "pkms: [ERROR]: argument --idle-timeout: invalid duration value: '0'" + hint},
		{[]string{"agent", "--max-lifetime", "0s"}, "pkms: [ERROR]: argument --max-lifetime: invalid duration value: '0s'" + hint},
		{[]string{"agent", "--max-lifetime", "-1h"}, "pkms: [ERROR]: argument --max-lifetime: invalid duration value: '-1h'" + hint},
		{[]string{"agent", "--idle-timeout", "5x"}, "pkms: [ERROR]: argument --idle-timeout: invalid duration value: '5x'" + hint},
		{[]string{"exec", "--idle-timeout", "-1s", "--", "true"}, "pkms: [ERROR]: argument --idle-timeout: invalid duration value: '-1s'" + hint},
	} {
		r := runWith(t, &recorder{}, nil, tc.args...)
		if r.code != exitUsage || !strings.HasPrefix(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 252, stderr starting %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "15m": 15 * time.Minute, "1h30m": 90 * time.Minute, "1ns": 1} {
		var d time.Duration
		if err := (positiveDuration{&d}).Set(in); err != nil || d != want {
			t.Errorf("Set(%q) = %v, %v; want %v", in, d, err, want)
		}
	}
}
