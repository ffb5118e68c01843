package param

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParamfileBound: file:// and fileb:// stop reading past MaxFileSize,
// on an endless device as on a large regular file, with a clear error.
func TestParamfileBound(t *testing.T) {
	dir := t.TempDir()
	sized := func(name string, n int64) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(n); err != nil { // sparse: zero bytes
			t.Fatal(err)
		}
		f.Close()
		return p
	}
	atLimit := sized("at-limit", MaxFileSize)
	over := sized("over", MaxFileSize+1)
	huge := sized("huge", 8<<30) // 8 GiB, sparse
	tests := []struct {
		value   string
		wantLen int
		wantErr string
	}{
		{"fileb:///dev/zero", 0, "Error parsing parameter '--p': Unable to load paramfile fileb:///dev/zero: larger than 4 MiB, the limit for a parameter file"},
		{"file:///dev/zero", 0, "Unable to load paramfile file:///dev/zero: larger than 4 MiB"},
		{"file:///dev/urandom", 0, "Unable to load paramfile file:///dev/urandom: larger than 4 MiB"},
		{"fileb://" + over, 0, "larger than 4 MiB"},
		{"file://" + huge, 0, "larger than 4 MiB"},
		{"fileb://" + atLimit, MaxFileSize, ""},
		{"file://" + dir, 0, "[Errno 21] Is a directory: '" + dir + "'"},
	}
	for _, tt := range tests {
		data, _, err := LoadValue("--p", tt.value)
		if tt.wantErr == "" {
			if err != nil || len(data) != tt.wantLen {
				t.Errorf("%s: %d bytes, %v; want %d bytes", tt.value, len(data), err, tt.wantLen)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want one containing %q", tt.value, err, tt.wantErr)
		}
	}
}
