package format

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestZZSlowCorpus(t *testing.T) {
	dir := os.Getenv("FZDIR")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.Split(string(b), "\n")
		doc, _ := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "string("), ")"))
		q, _ := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[2], "string("), ")"))
		w, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(lines[3], "int("), ")"))
		start := time.Now()
		done := make(chan bool)
		go func() {
			input, err := decodeOrdered([]byte(doc))
			if err == nil {
				opts := Options{Title: "Fuzz", Width: w % 300}
				if q != "" {
					opts.Query, err = CompileQuery(q)
				}
				if err == nil {
					for _, o := range []string{"json", "text", "table", "yaml", "yaml-stream"} {
						opts.Output = o
						render(input, opts)
					}
				}
			}
			done <- true
		}()
		select {
		case <-done:
			if d := time.Since(start); d > 100*time.Millisecond {
				t.Logf("slow %v: %q %q %d", d, doc, q, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("hang: %q %q %d", doc, q, w)
		}
	}
}
