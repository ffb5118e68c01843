package kms

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRegistry checks every operation's entry as the package builds it:
// each implemented operation states every fact (vault access, key-state
// row or none), the pkms-only operations are the ones pkms adds, and every
// operation AWS's model names as a key's last usage exists. A new operation
// whose implement call lacks a fact fails here, not in a user's command.
func TestRegistry(t *testing.T) {
	listed := map[string]bool{}
	for _, op := range Operations() {
		listed[op.Name] = true
	}
	for _, op := range operations {
		if op.AgentOnly && (!op.PkmsOnly || listed[op.Name]) {
			t.Errorf("%s is agent-only, so it must be pkms's own and left out of Operations()", op.Name)
		}
		if !op.AgentOnly && !listed[op.Name] {
			t.Errorf("%s is missing from Operations()", op.Name)
		}
		if missing := op.checkFacts(); len(missing) > 0 {
			t.Errorf("%s: its implement call does not state %s", op.Name, strings.Join(missing, "; "))
		}
		wantPkms := slices.ContainsFunc(pkmsShapes, func(s struct {
			Name    string
			In, Out reflect.Type
		}) bool {
			return s.Name == op.Name
		})
		if op.PkmsOnly != wantPkms {
			t.Errorf("%s: PkmsOnly = %v, want %v", op.Name, op.PkmsOnly, wantPkms)
		}
	}
	for _, name := range KeyLastUsageOperation("").Values() {
		op, ok := operations[name]
		if !ok || !op.Implemented || !op.TracksUsage {
			t.Errorf("key last usage names %s, which is not an implemented operation that tracks usage", name)
		}
	}
}

// TestCheckFacts shows that checkFacts catches each missing or doubled fact.
func TestCheckFacts(t *testing.T) {
	tests := []struct {
		name  string
		facts []opFact
		want  int // number of complaints
	}{
		{"complete, with a row", []opFact{readOnly, keyStates(rowCrypto)}, 0},
		{"complete, keyless", []opFact{writes, noKey}, 0},
		{"no access", []opFact{keyStates(rowAlways)}, 1},
		{"no key states", []opFact{writes}, 1},
		{"row and noKey", []opFact{writes, noKey, keyStates(rowAlways)}, 1},
		{"nothing", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := &Operation{Name: "X", Implemented: true}
			for _, f := range tt.facts {
				f(op)
			}
			if got := op.checkFacts(); len(got) != tt.want {
				t.Errorf("checkFacts() = %q, want %d complaints", got, tt.want)
			}
		})
	}
}

// TestOperationNamesInSource checks every operation name the package's
// code passes as a string literal to a function whose first parameter is
// op (checkState and the helpers that end in it): each must name an
// implemented operation, and one with a key-state row when it reaches
// checkState directly. A typo there would otherwise panic in a user's
// command.
func TestOperationNamesInSource(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	takesOp := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, af)
		for _, d := range af.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && len(fd.Type.Params.List) > 0 {
				p := fd.Type.Params.List[0]
				if len(p.Names) > 0 && p.Names[0].Name == "op" {
					if id, ok := p.Type.(*ast.Ident); ok && id.Name == "string" {
						takesOp[fd.Name.Name] = true
					}
				}
			}
		}
	}
	if !takesOp["checkState"] {
		t.Fatal("checkState no longer takes op first; update this test")
	}
	calls := 0
	for _, af := range parsed {
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			var callee string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				callee = fn.Name
			case *ast.SelectorExpr:
				callee = fn.Sel.Name
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !takesOp[callee] || !ok || lit.Kind != token.STRING {
				return true
			}
			name, _ := strconv.Unquote(lit.Value)
			calls++
			op, ok := operations[name]
			switch {
			case !ok || !op.Implemented:
				t.Errorf("%s: %s(%q): no implemented operation has that name", fset.Position(lit.Pos()), callee, name)
			case callee == "checkState" && op.states == nil:
				t.Errorf("%s: checkState(%q): the operation states no key-state row", fset.Position(lit.Pos()), name)
			}
			return true
		})
	}
	if calls < 10 {
		t.Fatalf("found only %d calls naming an operation; the scan no longer matches the code", calls)
	}
}
