package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// awscliCase is one entry of testdata/awscli/cases.json, produced by
// generate.py with the real AWS CLI formatters and ruamel.yaml.
type awscliCase struct {
	Name    string                     `json:"name"`
	Title   string                     `json:"title"`
	Width   int                        `json:"width"`
	Query   *string                    `json:"query"`
	Input   json.RawMessage            `json:"input"`
	Outputs map[string]string          `json:"outputs"`
	Errors  map[string]awscliCaseError `json:"errors"`
}

type awscliCaseError struct {
	Message string `json:"message"`
	Partial string `json:"partial"`
}

// decodeOrdered decodes JSON keeping object key order (as Python's json
// module does) and integer/float distinction.
func decodeOrdered(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := Object{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				obj = append(obj, Field{k.(string), v})
			}
			_, err := dec.Token()
			return obj, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
	case json.Number:
		return numberValue(string(t)), nil
	}
	return tok, nil
}

// TestAWSCLIFormatters replays the outputs the real formatters produced for
// curated and randomised inputs, including the results they fail on. Table
// output is only checked to be a well-formed table (see table_test.go).
func TestAWSCLIFormatters(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "awscli", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []awscliCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d cases in cases.json", len(cases))
	}
	for _, c := range cases {
		input, err := decodeOrdered(c.Input)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		opts := Options{Title: c.Title, Width: c.Width, TimestampFormat: TimestampWire}
		if c.Query != nil {
			if opts.Query, err = CompileQuery(*c.Query); err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
		}
		t.Run(c.Name+".table", func(t *testing.T) {
			// Tables keep the CLI's look, not its bytes; the CLI's own
			// failures on odd shapes are not reproduced either.
			var b bytes.Buffer
			o := opts
			o.Output = OutputTable
			if err := Render(&b, input, o); err != nil {
				t.Fatalf("Render: %v", err)
			}
			checkTableShape(t, b.String())
		})
		for _, output := range []string{"json", "text", "yaml", "yaml-stream"} {
			t.Run(c.Name+"."+output, func(t *testing.T) {
				opts := opts
				opts.Output = output
				var b bytes.Buffer
				err := Render(&b, input, opts)
				if want, failed := c.Errors[output]; failed {
					var re *RenderError
					if !errors.As(err, &re) {
						t.Fatalf("want RenderError %q, got err=%v output:\n%s", want.Message, err, b.String())
					}
					if re.Msg != want.Message {
						t.Errorf("error message: want %q, got %q", want.Message, re.Msg)
					}
					if b.String() != want.Partial {
						t.Errorf("partial output before the error:\n%s", lineDiff(want.Partial, b.String()))
					}
					return
				}
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				if reason, ok := yamlDeviations[c.Name]; ok && (output == OutputYAML || output == OutputYAMLStream) {
					// Same value, different characters: compare what both read back as.
					if got, want := readYAML(t, b.Bytes()), readYAML(t, []byte(c.Outputs[output])); !reflect.DeepEqual(got, want) {
						t.Errorf("%s: reads back as %#v, want %#v", reason, got, want)
					}
					return
				}
				if want := c.Outputs[output]; b.String() != want {
					t.Errorf("differs from the AWS CLI:\n%s", lineDiff(want, b.String()))
				}
			})
		}
	}
}

// yamlDeviations are the cases.json entries whose YAML the library prints
// with other characters than ruamel.yaml for the same value.
var yamlDeviations = map[string]string{
	// go-yaml writes the character after an escaped U+FEFF as an escape too
	// ("\uFEFF\x78" where ruamel writes "\uFEFFx").
	"escapes": "escape after U+FEFF",
}
