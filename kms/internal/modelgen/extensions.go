package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// pkmsModelFile is the hand-written part of the model, relative to the
// module root. It declares the members pkms adds to AWS's requests as
// struct types named pkms<Type> (pkmsCreateKeyInput adds to
// CreateKeyInput), and the input types of pkms's own operations
// (<Operation>Input).
const pkmsModelFile = "kms/pkmsmodel.go"

// extensions is what the generator reads from pkmsModelFile: per
// extended type, the source of its fields (doc comments included), and
// per input type (extended or pkms's own) each member's help text.
type extensions struct {
	src  map[string]string            // Go type → field declarations
	docs map[string]map[string]string // Go input type → member → help text
	used map[string]bool
}

func loadExtensions(root string) (*extensions, error) {
	path := filepath.Join(root, pkmsModelFile)
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	ext := &extensions{src: map[string]string{}, docs: map[string]map[string]string{}, used: map[string]bool{}}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			st, isStruct := ts.Type.(*ast.StructType)
			target, extends := strings.CutPrefix(ts.Name.Name, "pkms")
			if !isStruct || (!extends && !strings.HasSuffix(ts.Name.Name, "Input")) {
				continue
			}
			if !extends {
				target = ts.Name.Name
			}
			var b strings.Builder
			docs := map[string]string{}
			for _, fl := range st.Fields.List {
				if len(fl.Names) != 1 || (extends && !strings.HasPrefix(fl.Names[0].Name, "Pkms")) {
					return nil, fmt.Errorf("%s: %s: declare one member per line, named Pkms… in a pkms<Type>", pkmsModelFile, ts.Name.Name)
				}
				name := fl.Names[0].Name
				if fl.Doc == nil {
					return nil, fmt.Errorf("%s: %s.%s has no doc comment (it is the member's help)", pkmsModelFile, ts.Name.Name, name)
				}
				for _, c := range fl.Doc.List {
					b.WriteString("\t" + c.Text + "\n")
				}
				b.WriteString("\t" + string(src[fset.Position(fl.Pos()).Offset:fset.Position(fl.End()).Offset]) + "\n")
				docs[name] = memberHelp(name, fl.Doc.Text(), extends)
			}
			if extends {
				ext.src[target] = b.String()
			}
			ext.docs[target] = docs
		}
	}
	return ext, nil
}

// memberHelp is the help of a member declared in pkmsModelFile: the first
// sentence of its doc comment, "PkmsX does …" read as "pkms only: does …"
// for a member added to an AWS type, "X does …" as "Does …" for a member
// of a pkms operation.
func memberHelp(name, doc string, added bool) string {
	text := strings.Join(strings.Fields(doc), " ")
	text = firstSentence(strings.TrimPrefix(text, name+" "))
	if added {
		return "pkms only: " + text
	}
	return strings.ToUpper(text[:1]) + text[1:]
}

// fields returns the pkms-only field declarations of a generated type.
func (e *extensions) fields(goType string) string {
	s, ok := e.src[goType]
	if !ok {
		return ""
	}
	e.used[goType] = true
	return "\n\t// pkms-only members, declared in pkmsmodel.go.\n\n" + s
}

// unused fails when pkmsModelFile extends a type the model does not have.
func (e *extensions) unused() error {
	var bad []string
	for t := range e.src {
		if !e.used[t] {
			bad = append(bad, "pkms"+t)
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		return fmt.Errorf("%s: %s extend no generated type", pkmsModelFile, strings.Join(bad, ", "))
	}
	return nil
}
