package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault/pkcs11"
)

// TestHelpExamples runs every example of every command's --help, as
// written, with bash: blocks separated by a blank line, each opening with
// "# " comment lines, indented by two spaces. Each block runs with -e and
// -o pipefail in a directory of its own, on a copy of one freshly made
// vault (blocks run in parallel, up to -parallel at once), so a block can make what it needs (a key, an alias) without
// meeting another block's. A block of an operation pkms does not implement
// must fail with UnsupportedOperationException; every other block must
// succeed, and what it checks (openssl verifying a signature, cmp after a
// round trip) is part of it. Blocks that use a custom key store get a
// fresh SoftHSM2 token labelled lab-hsm (PIN in PKMS_PIN_FILE) and are
// skipped where SoftHSM2 or cgo is missing.
func TestHelpExamples(t *testing.T) {
	if raceEnabled {
		t.Skip("starts hundreds of pkms processes; runs without -race (the README's test command runs it so)")
	}
	for _, tool := range []string{"bash", "openssl", "base64", "cmp", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	bin, err := exec.LookPath("pkms") // installed on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	_, err = exec.LookPath("softhsm2-util")
	softhsm := err == nil && cgoEnabled && pkcs11.SoftHSMModule() != ""

	dir := t.TempDir()
	pass := filepath.Join(dir, "pass.txt")
	pin := filepath.Join(dir, "pin.txt")
	writeFile(t, pass, "correct horse battery staple\n")
	writeFile(t, pin, "73190246\n")
	template := filepath.Join(dir, "template.pkms")
	baseEnv := []string{"PATH=" + os.Getenv("PATH"), "PKMS_PASSPHRASE_FILE=" + pass, "PKMS_PIN_FILE=" + pin, "LC_ALL=C"}
	if out, err := runBash(dir, append(baseEnv, "HOME="+dir, "PKMS_VAULT="+template), "pkms vault init --scrypt-work-factor 10"); err != nil {
		t.Fatalf("vault init: %v\n%s", err, out)
	}
	templateBytes, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}

	cmds := commandTree(t, bin)
	if len(cmds) < 70 {
		t.Fatalf("only %d commands found in pkms --help", len(cmds))
	}
	implemented := map[string]bool{}
	for _, op := range kms.Operations() {
		implemented[cliName(op.Name)] = op.Implemented
	}
	for _, c := range cmds {
		name := strings.Join(c.path, " ")
		ok, isOp := implemented[name]
		if !isOp {
			ok = true // a pkms command
		}
		blocks, err := exampleBlocks(c.help)
		if err != nil {
			if !c.group || !strings.Contains(err.Error(), "no Examples") {
				t.Errorf("pkms %s --help: %v", name, err)
			}
			continue
		}
		calls := regexp.MustCompile(`(^|[\s(|;])pkms ` + regexp.QuoteMeta(name) + `(\s|$|\))`)
		called := false
		for i, b := range blocks {
			called = called || calls.MatchString(b)
			t.Run(strings.ReplaceAll(name, " ", "_")+"/"+fmt.Sprint(i+1), func(t *testing.T) {
				t.Parallel() // each block has its own directory, vault and agent socket directory
				work := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"), fmt.Sprint(i+1))
				if err := os.MkdirAll(work, 0o700); err != nil {
					t.Fatal(err)
				}
				vaultPath := filepath.Join(work, ".vault.pkms")
				if err := os.WriteFile(vaultPath, templateBytes, 0o600); err != nil {
					t.Fatal(err)
				}
				// A short directory of its own for agent sockets (a unix
				// socket path is limited to about 100 bytes).
				tmp, err := os.MkdirTemp("", "pkx")
				if err != nil {
					t.Fatal(err)
				}
				env := append(baseEnv, "HOME="+work, "PKMS_VAULT="+vaultPath, "TMPDIR="+tmp)
				defer stopAgents(t, bin, env, tmp)
				for _, tool := range []string{"aws", "age", "age-keygen"} {
					if regexp.MustCompile(`(^|[\s;|(])` + tool + ` `).MatchString(b) {
						if _, err := exec.LookPath(tool); err != nil {
							t.Skipf("needs %s", tool)
						}
					}
				}
				if strings.Contains(b, "custom-key-store") {
					if !softhsm {
						t.Skip("needs SoftHSM2 (apt-get install softhsm2) and a cgo build")
					}
					env = append(env, softHSMToken(t, work)...)
				}
				out, err := runBash(work, env, b)
				switch {
				case !ok && err == nil:
					t.Errorf("%s is not implemented, yet its example succeeded:\n%s\n--- output:\n%s", name, b, out)
				case !ok && !strings.Contains(out, "UnsupportedOperationException"):
					t.Errorf("%s is not implemented; its example failed otherwise: %v\n%s\n--- output:\n%s", name, err, b, out)
				case ok && err != nil:
					t.Errorf("example failed: %v\n%s\n--- output:\n%s", err, b, out)
				}
			})
		}
		if !called {
			t.Errorf("no example of pkms %s runs pkms %s", name, name)
		}
	}
}

// helpCommand is one command of the tree and its --help page.
type helpCommand struct {
	path  []string
	help  string
	group bool // it has subcommands
}

// commandTree walks pkms --help: the AWS KMS operations, the pkms commands
// and their subcommands.
func commandTree(t *testing.T, bin string) []helpCommand {
	var out []helpCommand
	var walk func(path []string)
	walk = func(path []string) {
		help, err := exec.Command(bin, append(path, "--help")...).Output()
		if err != nil {
			t.Fatalf("pkms %s --help: %v", strings.Join(path, " "), err)
		}
		sections := []string{"Available Commands:"}
		if len(path) == 0 {
			sections = []string{"AWS KMS operations:", "pkms commands:"}
		}
		var subs []string
		for _, sec := range sections {
			_, rest, ok := strings.Cut(string(help), "\n"+sec+"\n")
			if !ok {
				continue
			}
			rest, _, _ = strings.Cut(rest, "\n\n")
			for _, line := range strings.Split(rest, "\n") {
				if f := strings.Fields(line); len(f) > 0 && f[0] != "help" {
					subs = append(subs, f[0])
				}
			}
		}
		if len(path) > 0 {
			out = append(out, helpCommand{path: path, help: string(help), group: len(subs) > 0})
		}
		for _, sub := range subs {
			walk(append(append([]string{}, path...), sub))
		}
	}
	walk(nil)
	return out
}

// stopAgents stops the agents a block left behind (a block that failed
// half-way): their sockets are in its own directory tmp.
func stopAgents(t *testing.T, bin string, env []string, tmp string) {
	_ = filepath.WalkDir(tmp, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Type()&os.ModeSocket != 0 {
			cmd := exec.Command(bin, "agent", "stop", "--socket", path)
			cmd.Env = env
			_ = cmd.Run()
		}
		return nil
	})
	_ = os.RemoveAll(tmp)
}

// exampleBlocks cuts the Examples section of a --help page into blocks.
func exampleBlocks(help string) ([]string, error) {
	_, rest, ok := strings.Cut(help, "\nExamples:\n")
	if !ok {
		return nil, fmt.Errorf("no Examples section")
	}
	for _, next := range []string{"\n\nAvailable Commands:\n", "\n\nFlags:\n"} {
		if i := strings.Index(rest, next); i >= 0 {
			rest = rest[:i]
		}
	}
	var blocks []string
	for _, para := range strings.Split(rest, "\n\n") {
		var lines []string
		for _, l := range strings.Split(para, "\n") {
			if !strings.HasPrefix(l, "  ") {
				return nil, fmt.Errorf("example line not indented by two spaces: %q", l)
			}
			lines = append(lines, l[2:])
		}
		if !strings.HasPrefix(lines[0], "# ") {
			return nil, fmt.Errorf("example block does not open with a \"# \" comment: %q", lines[0])
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	return blocks, nil
}

// runBash runs script with bash -e -o pipefail in dir and returns its
// combined output.
func runBash(dir string, env []string, script string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// softHSMToken makes a SoftHSM2 token labelled lab-hsm (user PIN
// 73190246, the test's PKMS_PIN_FILE) in dir and returns the environment
// that finds it.
func softHSMToken(t *testing.T, dir string) []string {
	tokens := filepath.Join(dir, ".tokens")
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, ".softhsm2.conf")
	writeFile(t, conf, "directories.tokendir = "+tokens+"\n")
	env := []string{"SOFTHSM2_CONF=" + conf, "PKMS_PKCS11_MODULE=" + pkcs11.SoftHSMModule()}
	cmd := exec.Command("softhsm2-util", "--init-token", "--free", "--label", "lab-hsm", "--pin", "73190246", "--so-pin", "55443322")
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v\n%s", err, out)
	}
	return env
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// cliName is the command name of an operation: ReEncrypt → re-encrypt.
func cliName(op string) string {
	var b strings.Builder
	for i, r := range op {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}
