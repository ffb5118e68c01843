package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goList runs go list over the module with a template and returns one line
// per package. A failing go list fails the test: the rules it keeps must not
// go unchecked because the tool broke.
func goList(t *testing.T, template string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", template, "./...").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

const mod = "github.com/pocketkms/pkms"

// under reports whether pkg is the package path prefix or inside it.
func under(pkg, prefix string) bool {
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

// TestLayering keeps the package rules of the design true: the service,
// vault, crypto and format packages never depend on the command line; the
// vault never depends on the service; only cmd uses cobra, pflag and the
// terminal; crypto uses nothing of pkms; cmd uses only the doors it is
// meant to (service, client, output, completions, vault commands) and
// leaves age to the vault; main
// uses nothing but cmd.
func TestLayering(t *testing.T) {
	commandLine := []string{"github.com/spf13/", "golang.org/x/term"}
	rules := []struct {
		pkg       string // package path prefix the rule applies to
		forbidden []string
		allowed   []string // if set, the only pkms packages it may import
	}{
		{pkg: mod + "/kms", forbidden: []string{mod + "/cmd", mod + "/server"}},
		{pkg: mod + "/vault", forbidden: []string{mod + "/kms", mod + "/cmd", mod + "/format", mod + "/server"}},
		{pkg: mod + "/crypto", forbidden: []string{mod + "/", "go.etcd.io/bbolt"}},
		{pkg: mod + "/format", forbidden: []string{mod + "/"}},
		{pkg: mod + "/server", forbidden: []string{mod + "/cmd", mod + "/vault", mod + "/format"}},
		{pkg: mod + "/remote", forbidden: []string{mod + "/cmd", mod + "/vault", mod + "/server", mod + "/format"}},
		{pkg: mod + "/completions", forbidden: []string{mod + "/vault", mod + "/server", mod + "/cmd"}},
		{pkg: mod + "/internal", forbidden: []string{mod + "/cmd"}},
		// The vault commands use what vault offers for age (identities,
		// recipients, the plugin UI); cmd never handles age itself.
		{pkg: mod + "/cmd", forbidden: []string{"filippo.io/age"}, allowed: []string{mod + "/cmd", mod + "/kms", mod + "/server", mod + "/remote", mod + "/format", mod + "/completions", mod + "/vault", mod + "/internal/secmem"}},
	}
	checked := map[string]bool{}
	for _, line := range goList(t, `{{.ImportPath}}:{{join .Imports " "}}`) {
		pkg, imports, _ := strings.Cut(line, ":")
		imps := strings.Fields(imports)
		if pkg == mod {
			// main.go is os.Exit(cmd.Main(...)), nothing else.
			for _, imp := range imps {
				if imp != mod+"/cmd" && imp != "os" {
					t.Errorf("package main imports %s; it may import only cmd and os", imp)
				}
			}
			checked[pkg] = true
			continue
		}
		if !under(pkg, mod+"/cmd") {
			for _, imp := range imps {
				for _, f := range commandLine {
					if strings.HasPrefix(imp, f) {
						t.Errorf("%s imports %s: only cmd uses the command line libraries", pkg, imp)
					}
				}
			}
		}
		for _, r := range rules {
			if !under(pkg, r.pkg) {
				continue
			}
			checked[r.pkg] = true
			for _, imp := range imps {
				if under(imp, r.pkg) {
					continue
				}
				for _, f := range r.forbidden {
					if strings.HasPrefix(imp, f) {
						t.Errorf("%s imports %s, which the layering rules forbid", pkg, imp)
					}
				}
				if r.allowed != nil && strings.HasPrefix(imp, mod+"/") && !slices.ContainsFunc(r.allowed, func(a string) bool { return under(imp, a) }) {
					t.Errorf("%s imports %s, which is not among the packages it may use %v", pkg, imp, r.allowed)
				}
			}
		}
	}
	if !checked[mod] {
		t.Error("go list did not list package main")
	}
	for _, r := range rules {
		if !checked[r.pkg] {
			t.Errorf("no package matched the rule for %s; the rules no longer match the layout", r.pkg)
		}
	}
}

// TestOnlyMainExits keeps os.Exit in main.go: everything else returns an
// exit code or an error, so deferred clean-up (wiping secrets, closing the
// vault, removing sockets) always runs. Separate programs run by go generate
// (package main under an internal/ directory, never part of the pkms
// binary) may exit too; test files are not checked.
func TestOnlyMainExits(t *testing.T) {
	scanned := 0
	for _, line := range goList(t, `{{.ImportPath}}|{{.Name}}|{{.Dir}}|{{join .GoFiles " "}} {{join .CgoFiles " "}} {{join .IgnoredGoFiles " "}}`) {
		f := strings.SplitN(line, "|", 4)
		pkg, name, dir, files := f[0], f[1], f[2], strings.Fields(f[3])
		generator := name == "main" && pkg != mod && strings.Contains(pkg+"/", "/internal/")
		if name == "main" && pkg != mod && !generator {
			t.Errorf("%s is a program outside internal/: only pkms itself and go generate programs under internal/ are package main", pkg)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			scanned++
			for _, pos := range osExitUses(t, filepath.Join(dir, file)) {
				if generator || (pkg == mod && file == "main.go") {
					continue
				}
				t.Errorf("%s uses os.Exit; only main.go may (return an exit code instead)", pos)
			}
		}
	}
	if scanned < 50 {
		t.Fatalf("scanned only %d files", scanned)
	}
}

// TestNoCommandTurnsAuditOff: kms.Options.Unaudited exists for the
// benchmarks' baseline; no program code may set it, or a call could go
// unrecorded.
func TestNoCommandTurnsAuditOff(t *testing.T) {
	scanned := 0
	for _, line := range goList(t, `{{.Dir}}|{{join .GoFiles " "}}`) {
		dir, files, _ := strings.Cut(line, "|")
		for _, file := range strings.Fields(files) {
			path := filepath.Join(dir, file)
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatalf("parse %s: %v", path, err)
			}
			scanned++
			ast.Inspect(f, func(n ast.Node) bool {
				var name *ast.Ident
				switch n := n.(type) {
				case *ast.KeyValueExpr:
					name, _ = n.Key.(*ast.Ident)
				case *ast.SelectorExpr:
					name = n.Sel
				}
				if name != nil && name.Name == "Unaudited" && !(filepath.Base(dir) == "kms" && file == "service.go") {
					t.Errorf("%s sets Unaudited: only benchmarks may turn the audit trail off", fset.Position(name.Pos()))
				}
				return true
			})
		}
	}
	if scanned < 50 {
		t.Fatalf("scanned only %d files", scanned)
	}
}

// osExitUses returns the positions where path refers to os.Exit, under
// whatever name it imports os.
func osExitUses(t *testing.T, path string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	osName := ""
	for _, imp := range f.Imports {
		if imp.Path.Value == `"os"` {
			osName = "os"
			if imp.Name != nil {
				osName = imp.Name.Name
			}
		}
	}
	if osName == "" {
		return nil
	}
	var uses []string
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Exit" {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == osName {
				uses = append(uses, fset.Position(sel.Pos()).String())
			}
		}
		return true
	})
	return uses
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
