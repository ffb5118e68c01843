package cmd

import (
	"bytes"
	"errors"
	"testing"
)

// TestPrinter drives the printing concern on its own, without a globals:
// --output wins over AWS_DEFAULT_OUTPUT, json is the default, a bad choice
// is a usage error, and debug lines appear only with --debug.
func TestPrinter(t *testing.T) {
	tests := []struct {
		name      string
		output    string
		envOutput string
		debug     bool
		want      string // chosen output, "" for a usage error
		wantDebug string
	}{
		{"default", "", "", false, "json", ""},
		{"environment", "", "text", false, "text", ""},
		{"flag wins", "yaml", "text", true, "yaml", "pkms debug: hello 1\n"},
		{"bad choice", "xml", "", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			p := printer{env: &env{getenv: func(k string) string {
				if k == "AWS_DEFAULT_OUTPUT" {
					return tt.envOutput
				}
				return ""
			}, stdout: &bytes.Buffer{}, stderr: &stderr}, output: tt.output, binaryFormat: "base64", debug: tt.debug}
			opts, err := p.renderOptions("X")
			var ue *usageError
			switch {
			case tt.want == "" && !errors.As(err, &ue):
				t.Fatalf("err = %v, want a usage error", err)
			case tt.want != "" && (err != nil || opts.Output != tt.want):
				t.Fatalf("output %q, %v; want %q", opts.Output, err, tt.want)
			}
			p.debugf("hello %d", 1)
			if stderr.String() != tt.wantDebug {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.wantDebug)
			}
		})
	}
}
