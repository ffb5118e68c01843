package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestLayering keeps the package rules of the design true: the service,
// vault, crypto and format packages never depend on the command line; the
// vault never depends on the service; only cmd uses cobra, pflag and the
// terminal; crypto uses nothing of pkms.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Imports " "}}`, "./...").CombinedOutput()
	if err != nil {
		t.Skipf("go list unavailable: %v\n%s", err, out)
	}
	const mod = "github.com/pocketkms/pkms"
	rules := []struct {
		pkg       string // package path prefix the rule applies to
		forbidden []string
	}{
		{mod + "/kms", []string{mod + "/cmd", mod + "/server", "github.com/spf13/", "golang.org/x/term"}},
		{mod + "/vault", []string{mod + "/kms", mod + "/cmd", mod + "/format", mod + "/server", "github.com/spf13/", "golang.org/x/term"}},
		{mod + "/crypto", []string{mod + "/", "github.com/spf13/", "go.etcd.io/bbolt"}},
		{mod + "/format", []string{mod + "/", "github.com/spf13/", "golang.org/x/term"}},
		{mod + "/server", []string{mod + "/cmd", mod + "/vault", mod + "/format", "github.com/spf13/", "golang.org/x/term"}},
		{mod + "/remote", []string{mod + "/cmd", mod + "/vault", mod + "/server", mod + "/format", "github.com/spf13/", "golang.org/x/term"}},
		{mod + "/completions", []string{mod + "/vault", mod + "/server", "golang.org/x/term"}},
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, r := range rules {
			if pkg != r.pkg && !strings.HasPrefix(pkg, r.pkg+"/") {
				continue
			}
			checked++
			for _, imp := range strings.Fields(imports) {
				for _, f := range r.forbidden {
					if strings.HasPrefix(imp, f) && !strings.HasPrefix(imp, r.pkg) {
						t.Errorf("%s imports %s, which the layering rules forbid", pkg, imp)
					}
				}
			}
		}
	}
	if checked < 4 {
		t.Fatalf("checked only %d packages; the rules no longer match the layout", checked)
	}
}

// TestBuildsForMacOS keeps the macOS build (developers' laptops: the agent's
// LOCAL_PEERCRED check, PT_DENY_ATTACH, no cgo for cross builds) compiling;
// this machine cannot run it.
func TestBuildsForMacOS(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the whole binary")
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
	cmd.Env = append(os.Environ(), "GOOS=darwin", "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=darwin go build: %v\n%s", err, out)
	}
}
