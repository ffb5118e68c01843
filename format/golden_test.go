package format

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Two kinds of expected output live in testdata:
//
//   - testdata/reference: responses of real AWS KMS calls as the real AWS
//     CLI formatters printed them. They are the specification and are never
//     rewritten by -update.
//   - testdata/golden: this package's own output for cases the reference
//     does not cover (yaml, iso8601). -update rewrites these only.
var update = flag.Bool("update", false, "rewrite testdata/golden files (never testdata/reference)")

func renderString(t *testing.T, v any, opts Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, v, opts); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b.String()
}

// checkReference compares got with a transcribed reference file.
func checkReference(t *testing.T, file, got string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("testdata", "reference", file))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the AWS CLI reference:\n%s", file, lineDiff(string(want), got))
	}
}

// checkGolden compares got with testdata/golden/file, rewriting it with
// -update.
func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", file)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n%s", file, lineDiff(string(want), got))
	}
}

// lineDiff shows the first differing line of two outputs, quoted so tabs
// and trailing spaces are visible.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g || i >= len(wl) || i >= len(gl) {
			return "line " + itoa(i+1) + ":\nwant " + quote(w) + "\ngot  " + quote(g) + "\n--- got in full ---\n" + got
		}
	}
	return "(identical lines; differing line endings)"
}

func itoa(i int) string { return string(appendJSON(nil, int64(i), 0)) }

func quote(s string) string { return string(appendJSONString(nil, s)) }

// TestRealShapeReferences renders every response of testdata/reference
// (real AWS KMS responses) as json and text with wire timestamps and requires
// the AWS CLI's bytes exactly; tables must show the same title, keys and
// values as the CLI's.
func TestRealShapeReferences(t *testing.T) {
	for _, c := range referenceCases() {
		t.Run(c.name+".table", func(t *testing.T) {
			got := renderString(t, c.value, Options{Output: "table", Title: c.title, TimestampFormat: TimestampWire})
			checkTableShape(t, got)
			want, err := os.ReadFile(filepath.Join("testdata", "reference", c.name+".table"))
			if err != nil {
				t.Fatal(err)
			}
			gotCells := tableCells(got)
			for cell := range tableCells(string(want)) {
				if !gotCells[cell] {
					t.Errorf("%q is in the AWS CLI's table but not in pkms's:\n%s", cell, got)
				}
			}
		})
		for _, output := range []string{"json", "text"} {
			t.Run(c.name+"."+output, func(t *testing.T) {
				got := renderString(t, c.value, Options{Output: output, Title: c.title, TimestampFormat: TimestampWire})
				checkReference(t, c.name+"."+output, got)
			})
		}
	}
}

// TestRealShapeGoldens covers the v2-only renderings of the same responses
// (iso8601 timestamps, yaml, yaml-stream), which the reference lacks.
func TestRealShapeGoldens(t *testing.T) {
	utc := time.UTC
	for _, c := range referenceCases() {
		for _, output := range []string{"json", "yaml", "yaml-stream"} {
			t.Run(c.name+"."+output, func(t *testing.T) {
				got := renderString(t, c.value, Options{Output: output, Title: c.title, Location: utc})
				checkGolden(t, c.name+".iso8601."+output, got)
			})
		}
	}
}
