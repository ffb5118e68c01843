// Command modelgen generates kms/model.go (the Go types of every AWS KMS
// operation's request and response, its enums and its structures) and
// cmd/opdocs.go (the operations' one-line descriptions and their members'
// help) from botocore's KMS service model, the same JSON from which the AWS
// CLI builds its commands. Deriving both from AWS's model keeps member
// names, order, JSON names, constraints and enum values exactly AWS's;
// pkms's own members are declared by hand in kms/pkmsmodel.go and
// appended after AWS's.
//
// The model is vendored under botocore/ so that generating needs neither
// Python nor a network; `go generate ./kms` runs this command. To move to a
// newer model, install botocore (pip install -U botocore) and run
//
//	go run ./kms/internal/modelgen -refresh
//
// which copies the installed botocore's model into botocore/, records its
// version, and regenerates both files.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	refreshFlag := flag.Bool("refresh", false, "first copy the KMS service model of the botocore installed for python3 into "+dataDir)
	flag.Parse()
	if err := run(*refreshFlag); err != nil {
		fmt.Fprintln(os.Stderr, "modelgen:", err)
		os.Exit(1)
	}
}

func run(doRefresh bool) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if doRefresh {
		v, err := refresh(root)
		if err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "modelgen: vendored the KMS model of botocore", v)
	}
	files, err := generate(root)
	if err != nil {
		return err
	}
	for path, src := range files {
		if err := os.WriteFile(filepath.Join(root, path), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generate returns the generated files, by path relative to the module root.
func generate(root string) (map[string][]byte, error) {
	m, err := loadModel(root)
	if err != nil {
		return nil, err
	}
	ext, err := loadExtensions(root)
	if err != nil {
		return nil, err
	}
	model, err := m.goModel(ext)
	if err != nil {
		return nil, fmt.Errorf("kms/model.go: %w", err)
	}
	docs, err := m.goDocs(ext)
	if err != nil {
		return nil, fmt.Errorf("cmd/opdocs.go: %w", err)
	}
	return map[string][]byte{"kms/model.go": model, "cmd/opdocs.go": docs}, nil
}

// moduleRoot is the nearest directory at or above the working directory
// that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory")
		}
		dir = parent
	}
}
