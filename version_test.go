package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionNamesTheCommit builds pkms with the README's build command in a
// clone of this checkout, as a reader would, even where GOFLAGS turns VCS
// stamping off (as on machines that set GOFLAGS=-buildvcs=false): pkms
// --version must name the commit, and say "dirty" once the tree has changes.
func TestVersionNamesTheCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole binary twice")
	}
	if raceEnabled {
		// Its builds are plain ones: the test command's second,
		// race-free pass runs it with their packages already compiled.
		t.Skip("run without -race (the test command's second pass)")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var build string
	for _, l := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(l, "go build ") {
			build, _, _ = strings.Cut(l, " && ")
			break
		}
	}
	if !strings.HasSuffix(build, " -o pkms .") {
		t.Fatalf("README's build command %q does not write ./pkms", build)
	}
	// A clone holds HEAD as committed; Go does not stamp a linked git
	// worktree (its .git is a file), so the clone also makes the test
	// meaningful in one.
	dir := filepath.Join(t.TempDir(), "src")
	if out, err := exec.Command("git", "clone", "--quiet", "--shared", strings.TrimSpace(string(top)), dir).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	head, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	rev := strings.TrimSpace(string(head))[:12]
	version := func() string {
		t.Helper()
		cmd := exec.Command("sh", "-c", build)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", build, err, out)
		}
		out, err := exec.Command(filepath.Join(dir, "pkms"), "--version").Output()
		if err != nil {
			t.Fatalf("pkms --version: %v", err)
		}
		return string(out)
	}
	if v := version(); !strings.Contains(v, rev) || strings.Contains(v, "dirty") {
		t.Errorf("pkms --version of a clean build = %q, want the commit %s and no \"dirty\"", v, rev)
	}
	f, err := os.OpenFile(filepath.Join(dir, "README.md"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString("a local change\n")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if v := version(); !strings.Contains(v, rev) || !strings.Contains(v, "dirty") {
		t.Errorf("pkms --version of a build with local changes = %q, want the commit %s and \"dirty\"", v, rev)
	}
}
