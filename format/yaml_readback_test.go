package format

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// readYAML parses a YAML document with the library that printed it, numbers
// as float64 so that the value compares with encoding/json's.
func readYAML(t *testing.T, doc []byte) any {
	t.Helper()
	var v any
	if err := yaml.Load(doc, &v); err != nil {
		t.Fatalf("reading YAML back: %v\n%s", err, doc)
	}
	return jsonNumbers(v)
}

func jsonNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = jsonNumbers(e)
		}
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

// TestYAMLGoldensReadBack parses every yaml and yaml-stream golden, of this
// package and of cmd's (../testdata/golden), and checks that it holds the
// same value as the json golden of the same reply: the YAML printer may
// never change what a document says, whatever quoting it picks.
func TestYAMLGoldensReadBack(t *testing.T) {
	n := 0
	for _, dir := range []string{filepath.Join("testdata", "golden"), filepath.Join("..", "testdata", "golden")} {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			base := strings.TrimSuffix(strings.TrimSuffix(file, ".yaml-stream"), ".yaml")
			stream := strings.HasSuffix(file, ".yaml-stream")
			t.Run(file, func(t *testing.T) {
				jsonDoc, err := os.ReadFile(base + ".json")
				if err != nil {
					t.Fatalf("no json golden beside %s: %v", file, err)
				}
				yamlDoc, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if len(bytes.TrimSpace(jsonDoc)) == 0 {
					if len(yamlDoc) != 0 {
						t.Fatalf("json prints nothing, yaml prints:\n%s", yamlDoc)
					}
					return
				}
				var want any
				if err := json.Unmarshal(jsonDoc, &want); err != nil {
					t.Fatal(err)
				}
				if stream {
					want = []any{want}
				}
				if got := readYAML(t, yamlDoc); !reflect.DeepEqual(got, want) {
					t.Errorf("yaml reads back as\n%#v\njson holds\n%#v", got, want)
				}
			})
			n++
		}
	}
	if n < 50 {
		t.Fatalf("only %d yaml goldens found", n)
	}
}
