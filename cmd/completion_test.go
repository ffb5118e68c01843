package cmd

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pocketkms/pkms/completions"
)

// TestMain lets the test binary stand in for pkms when a shell script
// (the bash completion test) runs it with PKMS_TEST_RUN_MAIN=1.
func TestMain(m *testing.M) {
	if os.Getenv("PKMS_TEST_RUN_MAIN") == "1" {
		os.Exit(Main(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// TestCompletionScriptsCurrent fails when a script kept in completions/
// differs from what pkms completion prints: run go generate there.
func TestCompletionScriptsCurrent(t *testing.T) {
	for shell, file := range completions.Scripts {
		r := runReal(map[string]string{}, "completion", shell)
		if r.code != 0 || r.stdout == "" {
			t.Fatalf("pkms completion %s: exit %d\n%s", shell, r.code, r.stderr)
		}
		kept, err := os.ReadFile(filepath.Join("..", "completions", file))
		if err != nil {
			t.Fatal(err)
		}
		if string(kept) != r.stdout {
			t.Errorf("completions/%s is stale: run go generate ./completions/", file)
		}
	}
}

// TestCompletionVisible: completion is a listed command, not a hidden one.
func TestCompletionVisible(t *testing.T) {
	r := runReal(map[string]string{}, "--help")
	if !strings.Contains(r.stdout, "\n  completion ") {
		t.Fatalf("pkms --help does not list completion:\n%s", r.stdout)
	}
}

// TestBashCompletion drives the bash script for real: bash sources it,
// COMP_WORDS and COMP_CWORD are set as bash splits the line (at ":" and
// "=" too), the completion function runs with this test binary as pkms and
// without the bash-completion package, and COMPREPLY is checked.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	var script bytes.Buffer
	if err := writeCompletion(newRoot(newGlobals(&env{getenv: os.Getenv}), ""), "bash", &script); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	scriptFile := filepath.Join(dir, "pkms.bash")
	if err := os.WriteFile(scriptFile, script.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	for _, f := range []string{"secret.bin", "some.txt", "other.txt", "sub/inner", "with space/x"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(work, f)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		line  string   // COMP_LINE, the cursor at its end
		words []string // COMP_WORDS as bash splits line
		want  []string // COMPREPLY, sorted
	}{
		{"subcommand", "pkms compl", []string{"pkms", "compl"}, []string{"completion"}},
		{"flag", "pkms encrypt --encryption-con", []string{"pkms", "encrypt", "--encryption-con"}, []string{"--encryption-context"}},
		{"enum", "pkms create-key --key-spec ECC_NIST_P", []string{"pkms", "create-key", "--key-spec", "ECC_NIST_P"},
			[]string{"ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"}},
		{"usage", "pkms create-key --key-usage SIGN", []string{"pkms", "create-key", "--key-usage", "SIGN"}, []string{"SIGN_VERIFY"}},
		{"output", "pkms --output ya", []string{"pkms", "--output", "ya"}, []string{"yaml", "yaml-stream"}},
		{"output after =", "pkms --output=ya", []string{"pkms", "--output", "=", "ya"}, []string{"yaml", "yaml-stream"}},
		{"region", "pkms --region eu-west-", []string{"pkms", "--region", "eu-west-"}, []string{"eu-west-1", "eu-west-2", "eu-west-3"}},
		{"blob prefix", "pkms encrypt --plaintext fil", []string{"pkms", "encrypt", "--plaintext", "fil"}, []string{"file://", "fileb://"}},
		// bash replaces only the piece after the last ":", so the
		// candidates lose "fileb:".
		{"file after fileb://", "pkms encrypt --plaintext fileb://s", []string{"pkms", "encrypt", "--plaintext", "fileb", ":", "//s"},
			[]string{"//secret.bin", "//some.txt", "//sub/"}},
		{"file after fileb:", "pkms encrypt --plaintext fileb:", []string{"pkms", "encrypt", "--plaintext", "fileb", ":"}, []string{"://"}},
		{"file in a directory", "pkms encrypt --plaintext file://sub/", []string{"pkms", "encrypt", "--plaintext", "file", ":", "//sub/"},
			[]string{"//sub/inner"}},
		{"file name with a blank", "pkms encrypt --plaintext fileb://wi", []string{"pkms", "encrypt", "--plaintext", "fileb", ":", "//wi"},
			[]string{`//with\ space/`}},
		{"inside an escaped name", `pkms encrypt --plaintext fileb://with\ space/`, []string{"pkms", "encrypt", "--plaintext", "fileb", ":", `//with\ space/`},
			[]string{`//with\ space/x`}},
		{"key id without agent", "pkms encrypt --key-id ", []string{"pkms", "encrypt", "--key-id", ""}, nil},
		{"skeleton choice", "pkms encrypt --generate-cli-skeleton y", []string{"pkms", "encrypt", "--generate-cli-skeleton", "y"}, []string{"yaml-input"}},
		{"no positional files", "pkms encrypt ", []string{"pkms", "encrypt", ""}, nil},
		{"plain file option", "pkms --vault oth", []string{"pkms", "--vault", "oth"}, []string{"other.txt"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := exec.Command(bash, "--norc", "--noprofile", "-c", `
set -u
source "$SCRIPT"
type _get_comp_words_by_ref >/dev/null 2>&1 && { echo "bash-completion is loaded" >&2; exit 1; }
pkms() { PKMS_TEST_RUN_MAIN=1 "$TESTBIN" "$@"; }
COMP_LINE=$LINE
COMP_POINT=${#COMP_LINE}
mapfile -t COMP_WORDS <<<"$WORDS"
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
__pkms_complete
for c in "${COMPREPLY[@]}"; do printf '%s\n' "$c"; done
`)
			c.Dir = work
			c.Env = append(os.Environ(), "SCRIPT="+scriptFile, "TESTBIN="+exe, "LINE="+tc.line, "WORDS="+strings.Join(tc.words, "\n"),
				"XDG_RUNTIME_DIR="+dir, "PKMS_VAULT="+filepath.Join(dir, "none.pkms"), "PKMS_AGENT_SOCK=")
			out, err := c.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(out) == 0 {
				got = nil
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("COMPREPLY = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestKeyIDCompletionNeedsAgent: --key-id and alias options complete from
// a running agent for the vault (found without PKMS_AGENT_SOCK), and offer
// nothing, never file names, when there is none: completion does not
// unlock the vault even when it could.
func TestKeyIDCompletionNeedsAgent(t *testing.T) {
	envs := vaultEnv(t)
	key := strings.TrimSpace(runReal(envs, "create-key", "--query", "KeyMetadata.KeyId", "--output", "text").stdout)
	if r := runReal(envs, "create-alias", "--alias-name", "alias/app", "--target-key-id", key); r.code != 0 {
		t.Fatalf("create-alias: %s", r.stderr)
	}
	complete := func(args ...string) (string, []string) {
		r := runReal(envs, append([]string{"__completeNoDesc"}, args...)...)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		return lines[len(lines)-1], lines[:len(lines)-1]
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"encrypt", "--key-id", ""}, []string{key, "alias/app"}},
		{[]string{"encrypt", "--key-id", "alias/"}, []string{"alias/app"}},
		{[]string{"delete-alias", "--alias-name", ""}, []string{"alias/app"}},
		{[]string{"create-alias", "--alias-name", "x", "--target-key-id", key[:4]}, []string{key}},
	}
	// No agent: nothing, and no file names (directive 4, NoFileComp).
	for _, tc := range cases {
		if directive, got := complete(tc.args...); len(got) != 0 || directive != ":4" {
			t.Fatalf("%v without an agent: %q %s", tc.args, got, directive)
		}
	}

	g := newGlobals(&env{getenv: func(k string) string { return envs[k] }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	v, err := g.unlockVault()
	if err != nil {
		t.Fatal(err)
	}
	sock, err := g.defaultAgentSocket(v.ID())
	if err != nil {
		t.Fatal(err)
	}
	serveTestAgent(t, g, v, sock)
	for _, tc := range cases {
		if directive, got := complete(tc.args...); !slices.Equal(got, tc.want) || directive != ":4" {
			t.Errorf("%v through the agent: %q %s, want %q", tc.args, got, directive, tc.want)
		}
	}

	// With --endpoint-url (before or after the operation) the keys are
	// another KMS's: the vault's are not offered, and nothing reaches the
	// endpoint.
	var requests atomic.Int32
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer remote.Close()
	for _, tc := range cases {
		for _, args := range [][]string{
			append([]string{"--endpoint-url", remote.URL}, tc.args...),
			append([]string{tc.args[0], "--endpoint-url=" + remote.URL}, tc.args[1:]...),
		} {
			if directive, got := complete(args...); len(got) != 0 || directive != ":4" {
				t.Errorf("%v: %q %s, want nothing", args, got, directive)
			}
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("completion sent %d requests to the --endpoint-url", n)
	}
}
