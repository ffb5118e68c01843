package format

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Expected renderings were produced by ruamel.yaml 0.17.21 safe dump (the
// libyaml emitter), as used by AWS CLI v2.
func TestYAMLQuoting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"111122223333", "'111122223333'"},
		{"2026-11-22T07:31:31.242000+00:00", "'2026-11-22T07:31:31.242000+00:00'"},
		{"2026-11-22", "'2026-11-22'"},
		{"true", "'true'"},
		{"True", "'True'"},
		{"yes", "yes"}, // YAML 1.2 resolver: not a boolean
		{"no", "no"},
		{"null", "'null'"},
		{"~", "'~'"},
		{"", "''"},
		{"  lead", "'  lead'"},
		{"trail ", "'trail '"},
		{"1e5", "'1e5'"},
		{"0x1F", "'0x1F'"},
		{"1_000", "'1_000'"},
		{".5", "'.5'"},
		{"1.0", "'1.0'"},
		{"-", "'-'"},
		{"- x", "'- x'"},
		{"a: b", "'a: b'"},
		{"a:b", "a:b"},
		{"#x", "'#x'"},
		{"a #x", "'a #x'"},
		{"@x", "'@x'"},
		{"%x", "'%x'"},
		{"? x", "'? x'"},
		{"?x", "?x"},
		{"---x", "'---x'"},
		{"=", "'='"},
		{"<<", "'<<'"},
		{"it's", "it's"},
		{"it's: x", "'it''s: x'"},
		{"tab\there", `"tab\there"`},
		{"é", "é"},
		{"😀", `"\U0001F600"`},
		{"line1\nline2", "'line1\n\n  line2'"},
		{"arn:aws:kms:us-east-1:111122223333:alias/x", "arn:aws:kms:us-east-1:111122223333:alias/x"},
		{"ENCRYPT_DECRYPT", "ENCRYPT_DECRYPT"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := renderString(t, Object{{"k", tt.in}}, Options{Output: "yaml"})
			if want := "k: " + tt.want + "\n"; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestYAMLDocuments(t *testing.T) {
	v := Object{
		{"Keys", []any{Object{{"KeyId", "k1"}, {"KeyArn", "a1"}}}},
		{"Empty", []any{}},
		{"None", Object{}},
		{"Nested", []any{[]any{int64(1), 2.5}, nil, true}},
		{"Date", 1763796691.0},
	}
	tests := []struct{ output, want string }{
		{"yaml", `Date: 1763796691.0
Empty: []
Keys:
- KeyArn: a1
  KeyId: k1
Nested:
- - 1
  - 2.5
- null
- true
None: {}
`},
		{"yaml-stream", `- Date: 1763796691.0
  Empty: []
  Keys:
  - KeyArn: a1
    KeyId: k1
  Nested:
  - - 1
    - 2.5
  - null
  - true
  None: {}
`},
	}
	for _, tt := range tests {
		if got := renderString(t, v, Options{Output: tt.output}); got != tt.want {
			t.Errorf("%s: got:\n%s\nwant:\n%s", tt.output, got, tt.want)
		}
	}
	// A scalar result is printed as JSON.
	if got := renderString(t, "a: b", Options{Output: "yaml"}); got != "\"a: b\"\n" {
		t.Errorf("scalar: got %q", got)
	}
	if got := renderString(t, []any{}, Options{Output: "yaml"}); got != "[]\n" {
		t.Errorf("empty list: got %q", got)
	}
}

// TestYAMLMatchesAWSCLIv2 renders replies captured from aws-cli 2.9.19 (on
// moto_server) as yaml and yaml-stream and requires the CLI's own bytes.
func TestYAMLMatchesAWSCLIv2(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "awscliv2", "*.json"))
	if err != nil || len(files) < 10 {
		t.Fatalf("only %d captured replies (%v)", len(files), err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		v, err := decodeOrdered(raw)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, output := range []string{"yaml", "yaml-stream"} {
			want, err := os.ReadFile(strings.TrimSuffix(file, ".json") + "." + output)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := renderString(t, v, Options{Output: output}); got != string(want) {
				t.Errorf("%s as %s differs from aws-cli v2:\n%s", file, output, lineDiff(string(want), got))
			}
		}
	}
}
