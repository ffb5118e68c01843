package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestRoffEscape(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "list the keys", "list the keys"},
		{"backslash", `C:\keys\a`, `C:\(rskeys\(rsa`},
		{"line continuation", "echo a \\\n  b", "echo a \\(rs\n  b"},
		{"hyphens", "--key-id RSA-OAEP", `\-\-key\-id RSA\-OAEP`},
		{"leading dot", ".TH not a request", `\&.TH not a request`},
		{"leading dot on a later line", "a\n.b\n..", "a\n\\&.b\n\\&.."},
		{"inner dot", "alias/a.b. c", "alias/a.b. c"},
		{"leading apostrophe", "'quoted' word", `\(aqquoted\(aq word`},
		{"apostrophe on a later line", "it\n'x", "it\n\\(aqx"},
		{"inner apostrophe", "pkms's", `pkms\(aqs`},
		{"grave, caret, tilde", "`cmd` ^a ~/x", `\(gacmd\(ga \(haa \(ti/x`},
		{"double quote in text", `"aws"`, `"aws"`},
		{"font escape is text", `\fB`, `\(rsfB`},
		{"beyond ASCII", "≤ 30 ms, café", `\[u2264] 30 ms, caf\[u00E9]`},
		{"beyond the BMP", "key 🔑", `key \[u1F511]`},
		{"tab kept, other controls dropped", "a\tb\x00c\x1bd\x7fe", "a\tbcde"},
		{"invalid UTF-8", "a\xffb", `a\[uFFFD]b`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := roffEscape(tc.in); got != tc.want {
				t.Errorf("roffEscape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRoffArg(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"PKMS-ENCRYPT", `"PKMS\-ENCRYPT"`},
		{`say "hi"`, `"say \(dqhi\(dq"`},
		{"two\nlines", `"two lines"`},
		{".dot", `"\&.dot"`},
		{"", `""`},
	} {
		if got := roffArg(tc.in); got != tc.want {
			t.Errorf("roffArg(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriteRoffText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"prose is filled", "one line\nanother line\n", "one line\nanother line\n"},
		{"paragraphs", "first\n\n\nsecond\n", "first\n.PP\nsecond\n"},
		{"indented list is laid out", "In pkms:\n  - a\n  - b", ".nf\nIn pkms:\n  \\- a\n  \\- b\n.fi\n"},
		{"aligned columns are laid out", "Start with:  pkms vault init", ".nf\nStart with:  pkms vault init\n.fi\n"},
		{"tab is laid out", "a\tb", ".nf\na\tb\n.fi\n"},
		{"trailing blanks dropped", "x  \n\n  \n", "x\n"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			writeRoffText(&b, tc.in, ".PP")
			if b.String() != tc.want {
				t.Errorf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}

// TestManFlagHelp splits options' --help lines (as pflag prints them) into
// names, value and text, the text back at the left margin.
func TestManFlagHelp(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("key-id", "", "Identifies the key.")
	fs.String("cli-binary-format", "base64", "how blobs are read")
	fs.IntP("passphrase-fd", "p", -1, "read it from this fd")
	fs.BoolP("help", "h", false, "help for x")
	fs.StringArray("recipient", nil, "age recipient; repeatable")
	fs.String("generate-cli-skeleton", "", "print a template")
	fs.Lookup("generate-cli-skeleton").NoOptDefVal = "input"
	fs.String("encryption-algorithm", "", "Specifies the algorithm.\nPossible values:\n  A | B")
	fs.String("identity-file", "", "takes a `FILE` to read")
	for _, tc := range []struct {
		flag  string
		names []string
		value string
		usage string
	}{
		{"key-id", []string{"--key-id"}, " string", "Identifies the key."},
		{"cli-binary-format", []string{"--cli-binary-format"}, " string", `how blobs are read (default "base64")`},
		{"passphrase-fd", []string{"-p", "--passphrase-fd"}, " int", "read it from this fd (default -1)"},
		{"help", []string{"-h", "--help"}, "[=true|false]", "help for x"},
		{"recipient", []string{"--recipient"}, " stringArray", "age recipient; repeatable"},
		{"generate-cli-skeleton", []string{"--generate-cli-skeleton"}, ` string[="input"]`, "print a template"},
		{"encryption-algorithm", []string{"--encryption-algorithm"}, " string", "Specifies the algorithm.\nPossible values:\n  A | B"},
		{"identity-file", []string{"--identity-file"}, " FILE", "takes a FILE to read"},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			names, value, usage := flagHelp(fs.Lookup(tc.flag))
			if strings.Join(names, " ") != strings.Join(tc.names, " ") || value != tc.value || usage != tc.usage {
				t.Errorf("flagHelp = %q, %q, %q; want %q, %q, %q", names, value, usage, tc.names, tc.value, tc.usage)
			}
		})
	}
}
