package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestManPages builds the manual pages and checks that there is one per
// visible command and that encrypt's page holds its name line, its
// options and the pointer to the parent page.
func TestManPages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man")
	r := runReal(map[string]string{"SOURCE_DATE_EPOCH": "0"}, "man", dir)
	if r.code != 0 {
		t.Fatalf("pkms man: exit %d\n%s", r.code, r.stderr)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	root := newRoot(newGlobals(&env{getenv: os.Getenv}), "")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		want++
		for _, s := range c.Commands() {
			if s.IsAvailableCommand() && !s.IsAdditionalHelpTopicCommand() {
				walk(s)
			}
		}
	}
	walk(root)
	if len(pages) != want {
		t.Errorf("%d pages, want one per command: %d", len(pages), want)
	}
	encrypt, _, err := root.Find([]string{"encrypt"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "pkms-encrypt.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`.TH "PKMS" "1"`,
		"pkms-encrypt - " + encrypt.Short,
		`\fB--key-id\fP`,
		`\fB--encryption-algorithm\fP`,
		`\fBpkms(1)\fP`,
	} {
		if !strings.Contains(string(page), s) {
			t.Errorf("pkms-encrypt.1 lacks %q:\n%s", s, page)
		}
	}
	if r := runReal(map[string]string{}, "man"); r.code != 252 {
		t.Errorf("pkms man without DIR: exit %d", r.code)
	}
}
