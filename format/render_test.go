package format

import (
	"bytes"
	"errors"
	"testing"
)

var allOutputs = []string{"", "json", "text", "table", "yaml", "yaml-stream", "off"}

func TestEmptyResultPrintsNothing(t *testing.T) {
	type noOutput struct{}
	type omitted struct {
		KeyId string `json:"KeyId,omitempty"`
	}
	for _, v := range []any{&noOutput{}, &omitted{}, Object{}, map[string]any{}, map[string]string(nil)} {
		for _, output := range allOutputs {
			var b bytes.Buffer
			if err := Render(&b, v, Options{Output: output, Title: "EnableKey"}); err != nil {
				t.Fatalf("%T %s: %v", v, output, err)
			}
			if b.Len() != 0 {
				t.Errorf("%T as %q printed %q, want nothing", v, output, b.String())
			}
		}
	}
}

func TestEmptyListAndFalsyResults(t *testing.T) {
	v := Object{{"Keys", []any{}}}
	tests := []struct{ output, want string }{
		{"json", "{\n    \"Keys\": []\n}\n"},
		{"text", ""},
		{"table", "-------------\n| ListKeys  |\n+-----------+\n"}, // the title alone
		{"yaml", "Keys: []\n"},
		{"yaml-stream", "- Keys: []\n"},
	}
	for _, tt := range tests {
		if got := renderString(t, v, Options{Output: tt.output, Title: "ListKeys"}); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.output, got, tt.want)
		}
	}
}

func TestUnknownOutput(t *testing.T) {
	err := Render(&bytes.Buffer{}, Object{{"a", "b"}}, Options{Output: "xml"})
	var ue *UnknownOutputError
	if !errors.As(err, &ue) || ue.Output != "xml" {
		t.Fatalf("got %v, want *UnknownOutputError", err)
	}
}

type failingWriter struct{}

var errWrite = errors.New("broken pipe")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriterError(t *testing.T) {
	if err := Render(failingWriter{}, Object{{"a", "b"}}, Options{}); !errors.Is(err, errWrite) {
		t.Fatalf("got %v, want the writer's error", err)
	}
}

func TestRenderErrorKeepsPartialText(t *testing.T) {
	// The AWS CLI prints the first line, then fails on the list mixing an
	// object with a number.
	v := Object{{"A", "x"}, {"L", []any{Object{{"k", "v"}}, int64(1)}}}
	var b bytes.Buffer
	err := Render(&b, v, Options{Output: "text"})
	var re *RenderError
	if !errors.As(err, &re) || re.Msg != "'int' object has no attribute 'items'" {
		t.Fatalf("got %v, want RenderError", err)
	}
	if b.String() != "x\n" {
		t.Errorf("partial output %q, want %q", b.String(), "x\n")
	}
}
