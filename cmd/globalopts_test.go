package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// awsV2GlobalOptions are the global options AWS CLI v2 lists in its
// awscli/data/cli.json.
var awsV2GlobalOptions = []string{"debug", "endpoint-url", "no-verify-ssl", "no-paginate", "output", "query", "profile",
	"region", "version", "color", "no-sign-request", "ca-bundle", "cli-read-timeout", "cli-connect-timeout",
	"cli-binary-format", "no-cli-pager", "cli-auto-prompt", "no-cli-auto-prompt"}

// TestGlobalOptionsTable: every AWS CLI v2 global option is a pkms option
// (accepted or refused, never "Unknown options") and has a row in the
// README's table.
func TestGlobalOptionsTable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	root := newRoot(newGlobals(&env{getenv: os.Getenv}), "")
	root.InitDefaultVersionFlag()
	for _, name := range awsV2GlobalOptions {
		if root.PersistentFlags().Lookup(name) == nil && root.Flags().Lookup(name) == nil {
			t.Errorf("--%s is not a pkms option", name)
		}
		if !strings.Contains(string(readme), "| `--"+name+"`") && !strings.Contains(string(readme), "| `--"+name+" ") {
			t.Errorf("README's options table has no row for --%s", name)
		}
	}
}

// TestGlobalOptionForms runs the v2 option forms that work offline.
func TestGlobalOptionForms(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}
	list := write("list.yaml", "- a\n")
	bad := write("bad.yaml", "KeyId: [\n")
	in := write("in.yaml", "NumberOfBytes: 0\n")
	laughs := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'j'; i++ {
		laughs += fmt.Sprintf("%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	bomb := write("bomb.yaml", laughs)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout string // prefix
		stderr string // substring
	}{
		{"skeleton output, space form", nil, []string{"generate-random", "--generate-cli-skeleton", "output"}, 0, "{\n    \"Plaintext\": null", ""},
		{"skeleton yaml-input", nil, []string{"generate-random", "--generate-cli-skeleton", "yaml-input"}, 0, "NumberOfBytes: 0  # The length", ""},
		{"skeleton bad choice", nil, []string{"generate-random", "--generate-cli-skeleton", "xml"}, 252, "", "valid choices are: input | output | yaml-input"},
		{"auto-prompt refused", nil, []string{"--cli-auto-prompt", "list-keys"}, 252, "", "--cli-auto-prompt is not supported"},
		{"auto-prompt variable refused", map[string]string{"AWS_CLI_AUTO_PROMPT": "on"}, []string{"list-keys"}, 252, "", "AWS_CLI_AUTO_PROMPT=on is not supported"},
		{"no-cli-auto-prompt wins", map[string]string{"AWS_CLI_AUTO_PROMPT": "on"}, []string{"--no-cli-auto-prompt", "generate-random", "--generate-cli-skeleton"}, 0, "{", ""},
		{"output bad", nil, []string{"--output", "xml", "generate-random", "--number-of-bytes", "1"}, 252, "", "json | text | table | yaml | yaml-stream | off"},
		{"both inputs", nil, []string{"generate-random", "--cli-input-json", "{}", "--cli-input-yaml", "{}"}, 252, "", "Only one --cli-input- parameter may be specified."},
		{"yaml not a map", nil, []string{"generate-random", "--cli-input-yaml", list}, 252, "", "Invalid type: expecting map, received <class 'list'>"},
		{"yaml invalid", nil, []string{"generate-random", "--cli-input-yaml", bad}, 252, "", "Invalid YAML received."},
		// generate-random with 0 bytes: the client's own minimum check
		// sees the member, so the YAML reached the input.
		{"yaml read", nil, []string{"generate-random", "--cli-input-yaml", in}, 252, "", "Invalid value for parameter NumberOfBytes, value: 0, valid min value: 1"},
		{"yaml alias bomb", nil, []string{"generate-random", "--cli-input-yaml", bomb}, 252, "", "Invalid YAML received."},
		{"completion of an unknown shell", nil, []string{"completion", "tcsh"}, 252, "", "valid choices are: bash | zsh | fish | powershell"},
		{"yaml unknown member", nil, []string{"generate-random", "--cli-input-yaml", "Bogus: 1"}, 252, "", `Unknown parameter in input: "Bogus"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"PKMS_VAULT": filepath.Join(dir, "none.pkms")}
			for k, v := range tc.env {
				env[k] = v
			}
			r := runReal(env, tc.args...)
			if r.code != tc.code || !strings.HasPrefix(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d, stdout starting %q, stderr with %q", r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}
