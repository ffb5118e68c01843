// Package completions computes shell-completion candidates for pkms
// options. It works from types and static knowledge only: completing a
// command line must never unlock the vault or prompt, so it cannot offer
// key ids or aliases.
package completions

import (
	"reflect"
	"strings"
)

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
// which the shell completes file names.
var Blob = []string{"fileb://", "file://"}

// Outputs are the values of --output.
var Outputs = []string{"json", "text", "table", "yaml", "yaml-stream"}
