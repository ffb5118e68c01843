package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
		`.TH "PKMS\-ENCRYPT" 1 "1970\-01\-01"`,
		`pkms\-encrypt \- ` + roffEscape(encrypt.Short),
		`\fB\-\-key\-id\fP \fIstring\fP`,
		`\fB\-\-encryption\-algorithm\fP`,
		`\fBpkms\fP(1)`,
	} {
		if !strings.Contains(string(page), s) {
			t.Errorf("pkms-encrypt.1 lacks %q:\n%s", s, page)
		}
	}
	if r := runReal(map[string]string{}, "man"); r.code != 252 {
		t.Errorf("pkms man without DIR: exit %d", r.code)
	}
	r = runReal(map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, "man", dir)
	if r.code == 0 || strings.Contains(r.stderr, "strconv") || !strings.Contains(r.stderr, "SOURCE_DATE_EPOCH") {
		t.Errorf("pkms man with a bad SOURCE_DATE_EPOCH: exit %d\n%s", r.code, r.stderr)
	}
}

// TestManPagesRender formats every page with groff, which must not warn,
// and checks that what a reader sees is --help's text: each line of the
// description and of every option's help as laid out in --help, the
// option lines, the examples character for character (dashes, quotes,
// backslashes), and the date from SOURCE_DATE_EPOCH.
func TestManPagesRender(t *testing.T) {
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff is not installed")
	}
	dir := t.TempDir()
	if r := runReal(map[string]string{"SOURCE_DATE_EPOCH": "86400"}, "man", dir); r.code != 0 {
		t.Fatalf("pkms man: exit %d\n%s", r.code, r.stderr)
	}
	render := func(page string) string {
		t.Helper()
		// A wide line so that filled text stays on one line; no bold or
		// underlining in the output.
		c := exec.Command(groff, "-man", "-Tutf8", "-ww", "-rLL=400n", "-P-cbou", page)
		var stderr strings.Builder
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil || stderr.Len() > 0 {
			t.Errorf("groff %s: %v\n%s", filepath.Base(page), err, stderr.String())
		}
		return string(out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	for _, p := range pages {
		render(p)
	}
	root := newRoot(newGlobals(&env{getenv: os.Getenv}), "")
	for _, path := range [][]string{{"encrypt"}, {"vault", "init"}, {"man"}, {}} {
		c, _, err := root.Find(path)
		if err != nil {
			t.Fatal(err)
		}
		c.InitDefaultHelpFlag()
		page := render(filepath.Join(dir, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1"))
		lines := map[string]bool{}
		for _, l := range strings.Split(page, "\n") {
			lines[strings.TrimSpace(l)] = true
		}
		// want are lines as laid out, prose is text that groff fills (and
		// may put two spaces after a full stop).
		if !strings.Contains(page, "1970-01-02") {
			t.Errorf("%s: the page is not dated SOURCE_DATE_EPOCH's day:\n%s", c.CommandPath(), page)
		}
		want := []string{c.UseLine()}
		want = append(want, strings.Split(c.Example, "\n")...)
		var prose []string
		text := func(s string) {
			for _, para := range helpParagraphs(s) {
				if isProse(para) {
					prose = append(prose, strings.Join(para, " "))
				} else {
					want = append(want, para...)
				}
			}
		}
		text(c.Long)
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			names, value, usage := flagHelp(f)
			want = append(want, strings.Join(names, ", ")+value)
			text(usage)
		})
		for _, w := range want {
			if w = strings.TrimSpace(w); w != "" && !lines[w] {
				t.Errorf("%s: the rendered page lacks the line %q", c.CommandPath(), w)
			}
		}
		words := strings.Join(strings.Fields(page), " ")
		for _, p := range prose {
			if !strings.Contains(words, p) {
				t.Errorf("%s: the rendered page lacks the text %q", c.CommandPath(), p)
			}
		}
	}
}
