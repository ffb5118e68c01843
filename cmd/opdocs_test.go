package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/pocketkms/pkms/kms"
)

// TestOperationHelpIsPlainText: every operation command's summary and the
// help of each of its options is plain text (no HTML or markdown left from
// a documentation source), and every member of every operation's input,
// AWS's or pkms's own, has help of its own rather than its bare name.
func TestOperationHelpIsPlainText(t *testing.T) {
	markup := []string{"<p>", "<code>", "</", "<a ", "`", "**", "&lt;", "&gt;", "&amp;"}
	check := func(where, text string) {
		t.Helper()
		for _, m := range markup {
			if strings.Contains(text, m) {
				t.Errorf("%s holds %q: %q", where, m, text)
			}
		}
	}
	root := newRoot(newGlobals(&env{getenv: func(string) string { return "" }}), "")
	for _, op := range kms.Operations() {
		c, _, err := root.Find([]string{kebab(op.Name)})
		if err != nil || c.Name() != kebab(op.Name) {
			t.Errorf("no command for %s", op.Name)
			continue
		}
		check(c.Name()+" summary", c.Short)
		docs := memberDocs(op.Name)
		for i := range op.Input.NumField() {
			name := jsonName(op.Input.Field(i))
			if docs[name] == "" {
				t.Errorf("%s: member %s has no help", op.Name, name)
			}
			f := c.Flags().Lookup(kebab(name))
			if f == nil {
				t.Errorf("%s: no option for %s", c.Name(), name)
				continue
			}
			check(c.Name()+" --"+f.Name, f.Usage)
		}
		c.Flags().VisitAll(func(f *pflag.Flag) { check(c.Name()+" --"+f.Name, f.Usage) })
	}
}
