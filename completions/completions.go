// Package completions computes shell-completion candidates for pkms
// options and keeps the generated shell scripts (pkms.bash, _pkms,
// pkms.fish, pkms.ps1) for packagers. It works from types, static
// knowledge and the file system only: completing a command line must never
// unlock the vault or prompt (a prompt inside completion hangs the shell),
// so key ids and aliases come from the caller, who asks a running agent.
package completions

//go:generate sh -c "go run .. completion bash > pkms.bash && go run .. completion zsh > _pkms && go run .. completion fish > pkms.fish && go run .. completion powershell > pkms.ps1"

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
)

// Scripts names the generated script of each shell, as kept in this
// directory.
var Scripts = map[string]string{"bash": "pkms.bash", "zsh": "_pkms", "fish": "pkms.fish", "powershell": "pkms.ps1"}

// enumType is any AWS enum type of the kms package.
type enumType interface{ Values() []string }

// ForType returns the candidates for a member of type t: the enum values
// when t is an AWS enum type (or a list of one), otherwise nil.
func ForType(t reflect.Type) []string {
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String {
		t = t.Elem()
	}
	if t.Kind() != reflect.String || t == reflect.TypeFor[string]() {
		return nil
	}
	if e, ok := reflect.Zero(t).Interface().(enumType); ok {
		return e.Values()
	}
	return nil
}

// Filter returns the candidates that start with the word being completed.
func Filter(candidates []string, toComplete string) []string {
	var out []string
	for _, c := range candidates {
		if strings.HasPrefix(c, toComplete) {
			out = append(out, c)
		}
	}
	return out
}

// Blob is what a blob option completes to: the paramfile prefixes, after
// which Files completes file names.
var Blob = []string{"fileb://", "file://"}

// Outputs are the values of --output.
var Outputs = []string{"json", "text", "table", "yaml", "yaml-stream", "off"}

// Regions are the regions of the commercial AWS partition, offered for
// --region (any well-formed region name is accepted).
var Regions = []string{"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
	"ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1",
	"eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
	"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"}

// Files completes the file name after a paramfile prefix (fileb:// or
// file://) in toComplete: the entries of the named directory that start
// with the typed name, directories with a trailing slash, hidden entries
// only when the name starts with a dot. final is true when the one
// candidate is a file, so the shell may end the word with a space. ok is
// false when toComplete has no paramfile prefix.
func Files(toComplete string) (candidates []string, final, ok bool) {
	var prefix string
	for _, p := range Blob {
		if strings.HasPrefix(toComplete, p) {
			prefix = p
		}
	}
	if prefix == "" {
		return nil, false, false
	}
	path := strings.TrimPrefix(toComplete, prefix)
	dir, name := filepath.Split(path)
	entries, err := os.ReadDir(cmp(dir, "."))
	if err != nil {
		return nil, false, true
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, name) || (strings.HasPrefix(n, ".") && !strings.HasPrefix(name, ".")) {
			continue
		}
		if isDir(filepath.Join(cmp(dir, "."), n), e) {
			n += "/"
		}
		candidates = append(candidates, prefix+dir+n)
	}
	return candidates, len(candidates) == 1 && !strings.HasSuffix(candidates[0], "/"), true
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// isDir follows a symbolic link to tell whether the entry is a directory.
func isDir(path string, e os.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&os.ModeSymlink != 0 {
		fi, err := os.Stat(path)
		return err == nil && fi.IsDir()
	}
	return false
}

// KeyRef tells which references a member takes: key ids (which also
// accept aliases) or alias names alone. Such members complete only from a
// running agent.
func KeyRef(member string) (keys, aliases bool) {
	switch member {
	case "KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId":
		return true, true
	case "AliasName":
		return false, true
	}
	return false, false
}

// KeyRefs returns the key ids and alias names that start with toComplete,
// key ids first, each list sorted.
func KeyRefs(keyIDs, aliases []string, toComplete string) []string {
	keyIDs, aliases = slices.Sorted(slices.Values(keyIDs)), slices.Sorted(slices.Values(aliases))
	return Filter(append(keyIDs, aliases...), toComplete)
}
