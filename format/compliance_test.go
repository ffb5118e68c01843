package format

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJMESPathCompliance runs the JMESPath specification's compliance
// suite (testdata/jmespath, vendored unchanged) through CompileQuery and
// the search: every case must give its result or its kind of error, as
// with jmespath.py, which the AWS CLI runs.
func TestJMESPathCompliance(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "jmespath", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no compliance files: %v", err)
	}
	total := 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var suites []struct {
			Given json.RawMessage `json:"given"`
			Cases []struct {
				Expression string          `json:"expression"`
				Result     json.RawMessage `json:"result"`
				Error      string          `json:"error"`
				Bench      string          `json:"bench"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(raw, &suites); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		base := strings.TrimSuffix(filepath.Base(file), ".json")
		for si, s := range suites {
			for ci, c := range s.Cases {
				total++
				t.Run(fmt.Sprintf("%s/%d/%d", base, si, ci), func(t *testing.T) {
					given := mustDecode(t, s.Given)
					q, cerr := CompileQuery(c.Expression)
					var got any
					var serr error
					if cerr == nil {
						got, serr = q.search(given)
					}
					switch {
					case c.Error != "":
						checkComplianceError(t, c.Expression, c.Error, cerr, serr)
					case cerr != nil || serr != nil:
						t.Fatalf("%s: compile %v, search %v", c.Expression, cerr, serr)
					case c.Bench != "":
						// A benchmark case only has to run.
					default:
						want := mustDecode(t, c.Result)
						if !sameJSON(got, want) {
							t.Errorf("%s:\n got  %s\n want %s", c.Expression, renderJSON(got), renderJSON(want))
						}
					}
				})
			}
		}
	}
	if total < 800 {
		t.Errorf("only %d compliance cases loaded", total)
	}
}

func checkComplianceError(t *testing.T, expr, kind string, cerr, serr error) {
	t.Helper()
	var qe *QueryError
	var ee *QueryEvalError
	switch {
	case kind == "syntax":
		if !errors.As(cerr, &qe) {
			t.Fatalf("%s: want a syntax error when compiling, got compile %v, search %v", expr, cerr, serr)
		}
	case cerr != nil:
		t.Fatalf("%s: want a %s error from the search, got compile error %v", expr, kind, cerr)
	case !errors.As(serr, &ee):
		t.Fatalf("%s: want a %s error, got %v", expr, kind, serr)
	case kind == "unknown-function" && !strings.HasPrefix(serr.Error(), "Unknown function: "):
		t.Fatalf("%s: got %q, want jmespath.py's \"Unknown function: f()\"", expr, serr)
	case kind == "invalid-arity" && !strings.HasPrefix(serr.Error(), "Expected "):
		t.Fatalf("%s: got %q, want jmespath.py's arity message", expr, serr)
	}
}

// mustDecode decodes JSON into the tree form (see decodeOrdered).
func mustDecode(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	v, err := decodeOrdered(raw)
	if err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

// sameJSON compares two trees as JSON values: objects regardless of member
// order, numbers by value.
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case Object:
		y, ok := b.(Object)
		if !ok || len(x) != len(y) {
			return false
		}
		for _, f := range x {
			v, ok := lookup(y, f.Name)
			if !ok || !sameJSON(f.Value, v) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case int64:
		return sameNumber(float64(x), b)
	case float64:
		return sameNumber(x, b)
	}
	return a == b
}

func sameNumber(f float64, b any) bool {
	switch y := b.(type) {
	case int64:
		return f == float64(y)
	case float64:
		return f == y
	}
	return false
}
