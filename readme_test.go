package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeSetUp runs the README's first set-up command as a reader pastes
// it into a fresh shell: it must print the decrypted "hello" and leave no
// setting (PKMS_VAULT, PKMS_PASSPHRASE_FILE, K) behind in that shell. The
// build step is replaced by this test's own pkms, and vault init gets a low
// scrypt work factor so the test stays quick; nothing else is changed.
func TestReadmeSetUp(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const build = "go build -buildvcs=auto -o pkms . && "
	var line string
	for _, l := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(l, build) {
			line = l
			break
		}
	}
	if line == "" {
		t.Fatalf("README has no line starting %q", build)
	}
	script := strings.TrimPrefix(line, build)
	if strings.Count(script, "./pkms vault init ") != 1 {
		t.Fatalf("README set-up command has no single `./pkms vault init`: %s", script)
	}
	script = strings.Replace(script, "./pkms vault init ", "./pkms vault init --scrypt-work-factor 10 ", 1)

	bin, err := exec.LookPath("pkms") // installed on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "pkms")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", script+"\necho \"leaked:[${PKMS_VAULT-}${PKMS_PASSPHRASE_FILE-}${K-}]\"")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("set-up command failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\nhello\n") {
		t.Errorf("set-up command did not print the decrypted hello:\n%s", out)
	}
	if !strings.HasSuffix(string(out), "leaked:[]\n") {
		t.Errorf("set-up command leaves settings in the reader's shell:\n%s", out)
	}
}
