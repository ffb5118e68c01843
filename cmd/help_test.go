package cmd

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pocketkms/pkms/completions"
	"github.com/pocketkms/pkms/kms"
)

func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	r := runWith(t, &recorder{}, nil, args...)
	if r.code != 0 {
		t.Fatalf("pkms %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// TestUnsupportedSaysSoFirst: the first line of an operation's help says
// that pkms does not support it exactly when kms has not implemented it,
// and the command list marks it too.
func TestUnsupportedSaysSoFirst(t *testing.T) {
	list := helpOf(t, "--help")
	for _, op := range kms.Operations() {
		name := kebab(op.Name)
		out := helpOf(t, name, "--help")
		first, _, _ := strings.Cut(out, "\n")
		if got := first == unsupportedLine; got != !op.Implemented {
			t.Errorf("%s (implemented %v): first help line %q", name, op.Implemented, first)
		}
		listed := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + ` +\(not supported yet\) `).MatchString(list)
		if listed != !op.Implemented {
			t.Errorf("%s (implemented %v): marked unsupported in pkms --help: %v", name, op.Implemented, listed)
		}
		if !strings.Contains(out, "pkms help differences") {
			t.Errorf("%s: help does not point at pkms help differences", name)
		}
		for _, n := range memberNotes {
			_, has := op.Input.FieldByName(n.member)
			if shown := strings.Contains(strings.Join(strings.Fields(out), " "), n.note); shown != has {
				t.Errorf("%s: note on %s shown %v, the operation has the member: %v", name, n.member, shown, has)
			}
		}
	}
}

// TestFlagHelp: every option of every operation has a description of its
// own (not the member name), every enum option lists its values, and every
// structure, map or list of structures shows its shorthand and JSON syntax.
func TestFlagHelp(t *testing.T) {
	g := newGlobals(&env{getenv: func(string) string { return "" }})
	root := newRoot(g, "")
	for _, op := range kms.Operations() {
		c, _, err := root.Find([]string{kebab(op.Name)})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < op.Input.NumField(); i++ {
			f := op.Input.Field(i)
			flag := c.Flags().Lookup(kebab(jsonName(f)))
			if flag == nil {
				t.Errorf("%s: no option for %s", c.Name(), jsonName(f))
				continue
			}
			desc, _, _ := strings.Cut(flag.Usage, "\n")
			if strings.TrimSuffix(desc, " (required)") == jsonName(f) {
				t.Errorf("%s --%s: the description is the member name %q", c.Name(), flag.Name, desc)
			}
			if vals := completions.ForType(f.Type); vals != nil {
				_, after, ok := strings.Cut(flag.Usage, "Possible values:\n")
				if !ok {
					t.Errorf("%s --%s: no Possible values", c.Name(), flag.Name)
				}
				listed := strings.Fields(strings.ReplaceAll(after, "|", " "))
				if strings.Join(listed, " ") != strings.Join(vals, " ") {
					t.Errorf("%s --%s: lists %v, the enum has %v", c.Name(), flag.Name, listed, vals)
				}
			}
			switch kindOf(f.Type) {
			case kindMap, kindStruct, kindStructList:
				if !strings.Contains(flag.Usage, "\nShorthand Syntax:\n") || !strings.Contains(flag.Usage, "\nJSON Syntax:\n") {
					t.Errorf("%s --%s: no shorthand and JSON syntax:\n%s", c.Name(), flag.Name, flag.Usage)
				}
			}
		}
	}
}

// TestSyntaxTemplates: the templates read as the AWS CLI's help shows them.
func TestSyntaxTemplates(t *testing.T) {
	in, _ := kms.LookupOperation("CreateGrant")
	createKey, _ := kms.LookupOperation("CreateKey")
	f := func(op *kms.Operation, member string) string {
		sf, ok := op.Input.FieldByName(member)
		if !ok {
			t.Fatalf("no member %s", member)
		}
		return memberHelp(sf.Type)
	}
	tests := []struct{ got, want string }{
		{f(in, "Constraints"), `
Shorthand Syntax:
  EncryptionContextSubset={KeyName1=string,KeyName2=string},EncryptionContextEquals={KeyName1=string,KeyName2=string}
JSON Syntax:
  {
    "EncryptionContextSubset": {"string": "string"
      ...},
    "EncryptionContextEquals": {"string": "string"
      ...}
  }`},
		{f(createKey, "Tags"), `
Shorthand Syntax:
  TagKey=string,TagValue=string ...
JSON Syntax:
  [
    {
      "TagKey": "string",
      "TagValue": "string"
    }
    ...
  ]`},
		{f(createKey, "Description"), ""},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got:\n%s\nwant:\n%s", tc.got, tc.want)
		}
	}
}

// TestHelpAsLastWord: a trailing help shows the help, as `aws` does,
// unless it is the value of an option.
func TestHelpAsLastWord(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string // in stdout, or stderr when code != 0
	}{
		{[]string{"encrypt", "help"}, 0, "Usage:\n  pkms encrypt [flags]"},
		{[]string{"encrypt", "--key-id", "k", "help"}, 0, "Usage:\n  pkms encrypt [flags]"},
		{[]string{"vault", "slots", "help"}, 0, "Usage:\n  pkms vault slots [flags]"},
		{[]string{"help", "encrypt"}, 0, "Usage:\n  pkms encrypt [flags]"},
		{[]string{"help", "vault", "slots"}, 0, "Usage:\n  pkms vault slots [flags]"},
		{[]string{"help", "no-such-thing"}, exitUsage, `no command or help topic "no-such-thing"`},
		{[]string{"encrypt", "help", "--key-id", "k"}, exitUsage, "Unknown options: help"},
	}
	for _, tc := range tests {
		r := runWith(t, &recorder{}, nil, tc.args...)
		got := r.stdout
		if tc.code != 0 {
			got = r.stderr
		}
		if r.code != tc.code || !strings.Contains(got, tc.want) {
			t.Errorf("pkms %s: exit %d, want %d with %q:\n%s%s", strings.Join(tc.args, " "), r.code, tc.code, tc.want, r.stdout, r.stderr)
		}
	}
	// The value of an option is not the help word.
	rec := &recorder{}
	if r := runWith(t, rec, nil, "update-key-description", "--key-id", "k", "--description", "help"); r.code != 0 || len(rec.inputs) != 1 {
		t.Errorf("--description help: exit %d, %d calls: %s", r.code, len(rec.inputs), r.stderr)
	} else if in := rec.inputs[0].(*kms.UpdateKeyDescriptionInput); in.Description != "help" {
		t.Errorf("--description help sent %q", in.Description)
	}
}

// TestHelpCompletion: pkms help completes topics and commands.
func TestHelpCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"help", "ex"}, []string{"exit-codes", "exec", "export-key-material"}},
		{[]string{"help", "vault", "sl"}, []string{"slots"}},
		{[]string{"help", "un"}, []string{"unlocking", "untag-resource"}},
	}
	for _, tc := range tests {
		r := runWith(t, &recorder{}, nil, append([]string{cobra.ShellCompRequestCmd}, tc.args...)...)
		got := strings.Fields(strings.Split(r.stdout, ":")[0])
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("complete pkms %s: %v, want %v (%s)", strings.Join(tc.args, " "), got, tc.want, r.stderr)
		}
	}
}

// TestHelpTopics: every topic has its page, listed in pkms --help; every
// option, command and environment variable a page names exists, and every
// "--option (default X)" is that option's default.
func TestHelpTopics(t *testing.T) {
	root := newRoot(newGlobals(&env{getenv: func(string) string { return "" }}), "")
	root.InitDefaultHelpCmd()
	flags := map[string][]*pflag.Flag{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) { flags[f.Name] = append(flags[f.Name], f) }
		c.Flags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	source := cmdSource(t)
	list := helpOf(t, "--help")
	for _, want := range []string{"unlocking", "vault", "agent", "serve", "differences", "exit-codes"} {
		if _, ok := lookupTopic(want); !ok {
			t.Errorf("no help topic %s", want)
		}
	}
	for _, topic := range helpTopics {
		out := helpOf(t, "help", topic.Name)
		if !strings.HasPrefix(out, topic.Text()) || len(out) < 200 {
			t.Errorf("pkms help %s printed:\n%s", topic.Name, out)
		}
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(topic.Name) + ` +\S`).MatchString(list) {
			t.Errorf("pkms --help does not list the topic %s", topic.Name)
		}
		for _, m := range regexp.MustCompile(`--([a-z0-9-]+)(?: \(default ([^)]+)\))?`).FindAllStringSubmatch(out, -1) {
			if m[1] == "help" {
				continue
			}
			if len(flags[m[1]]) == 0 {
				t.Errorf("help %s names --%s, which no command has", topic.Name, m[1])
			} else if m[2] != "" && !hasDefault(flags[m[1]], m[2]) {
				t.Errorf("help %s says --%s defaults to %s; no command's does", topic.Name, m[1], m[2])
			}
		}
		// Command lines (indented, as examples are) name real commands.
		for _, m := range regexp.MustCompile(`(?m)^ +(?:eval "\$\(|[A-Z_]+=\S+ )?pkms ((?:[a-z][a-z0-9|-]* ?)+)`).FindAllStringSubmatch(out, -1) {
			if err := commandPath(root, strings.Fields(m[1])); err != "" {
				t.Errorf("help %s: pkms %s: %s", topic.Name, m[1], err)
			}
		}
		for _, v := range regexp.MustCompile(`PKMS_[A-Z0-9_]+`).FindAllString(out, -1) {
			if !strings.Contains(source, v) {
				t.Errorf("help %s names %s, which pkms never reads or sets", topic.Name, v)
			}
		}
	}
}

// hasDefault reports whether one of the flags defaults to def (durations
// compared as durations: 8h is 8h0m0s).
func hasDefault(fs []*pflag.Flag, def string) bool {
	for _, f := range fs {
		if f.DefValue == def {
			return true
		}
		a, err1 := time.ParseDuration(f.DefValue)
		b, err2 := time.ParseDuration(def)
		if err1 == nil && err2 == nil && a == b {
			return true
		}
	}
	return false
}

// commandPath checks that words (alternatives separated by |) lead from
// root through subcommands; words after a command without subcommands are
// its arguments.
func commandPath(c *cobra.Command, words []string) string {
	if len(words) == 0 || !c.HasSubCommands() {
		return ""
	}
	for _, alt := range strings.Split(words[0], "|") {
		var next *cobra.Command
		for _, sub := range c.Commands() {
			if sub.Name() == alt {
				next = sub
			}
		}
		if next == nil {
			return fmt.Sprintf("%s has no subcommand %q", c.CommandPath(), alt)
		}
		if err := commandPath(next, words[1:]); err != "" {
			return err
		}
	}
	return ""
}

// cmdSource is this package's code without tests and without the topic
// texts themselves.
func cmdSource(t *testing.T) string {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") && n != "topics.go" {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(data)
		}
	}
	return b.String()
}

// TestExitCodesTopic: the page lists every exit code of the table, and the
// README's table has the same codes.
func TestExitCodesTopic(t *testing.T) {
	page := topicExitCodes()
	readme := readmeText(t)
	section := readmeTable(t, readme, "| exit code | meaning |")
	var codes []string
	for _, e := range exitCodes {
		codes = append(codes, strconv.Itoa(e.Code))
		if !regexp.MustCompile(`(?m)^  ` + strconv.Itoa(e.Code) + ` +\S`).MatchString(page) {
			t.Errorf("exit-codes page lacks %d", e.Code)
		}
	}
	var readmeCodes []string
	for _, row := range section {
		readmeCodes = append(readmeCodes, row[0])
	}
	if strings.Join(codes, " ") != strings.Join(readmeCodes, " ") {
		t.Errorf("README's exit codes %v, the code's %v", readmeCodes, codes)
	}
}

// TestDifferencesTopic: the page's items are the README's "Where pkms
// differs from AWS on purpose" list, item for item.
func TestDifferencesTopic(t *testing.T) {
	readme := readmeText(t)
	_, section, ok := strings.Cut(readme, "### Where pkms differs from AWS on purpose\n")
	if !ok {
		t.Fatal("README has no section \"Where pkms differs from AWS on purpose\"")
	}
	if i := strings.Index(section, "\n#"); i >= 0 {
		section = section[:i]
	}
	var items []string
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "- "):
			items = append(items, strings.TrimPrefix(line, "- "))
		case strings.HasPrefix(line, "  ") && len(items) > 0:
			items[len(items)-1] += " " + strings.TrimSpace(line)
		}
	}
	plain := func(s string) string {
		return strings.Join(strings.Fields(strings.NewReplacer("`", "", "**", "").Replace(s)), " ")
	}
	if len(items) != len(differences) {
		t.Fatalf("README lists %d differences, pkms help differences %d", len(items), len(differences))
	}
	for i := range items {
		if plain(items[i]) != plain(differences[i]) {
			t.Errorf("difference %d:\nREADME: %s\nhelp:   %s", i+1, plain(items[i]), plain(differences[i]))
		}
	}
	page := topicDifferences()
	for _, d := range differences {
		if !strings.Contains(plain(page), plain(d)) {
			t.Errorf("the page lacks %q", d)
		}
	}
}

// TestReadmeCommandTable: the README's feature table has one row per
// operation, in order, and says "not yet" exactly for the operations kms
// does not implement; its list of help topics is the code's.
func TestReadmeCommandTable(t *testing.T) {
	readme := readmeText(t)
	rows := readmeTable(t, readme, "| command | status |")
	var names []string
	status := map[string]string{}
	for _, row := range rows {
		n := strings.Trim(row[0], "`")
		names = append(names, n)
		status[n] = row[1]
	}
	var want []string
	for _, op := range kms.Operations() {
		if op.Name == "ExportKeyMaterial" {
			continue // pkms only; the README describes it below the table
		}
		n := kebab(op.Name)
		want = append(want, n)
		if s, ok := status[n]; ok && strings.HasPrefix(s, "not yet") != !op.Implemented {
			t.Errorf("README says %q for %s; implemented: %v", s, n, op.Implemented)
		}
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("README's table lists\n%v\nthe operations are\n%v", names, want)
	}
	m := regexp.MustCompile("(?m)^Help topics \\(`pkms help TOPIC`\\): (.*)$").FindStringSubmatch(readme)
	if m == nil {
		t.Fatal("README has no line \"Help topics (`pkms help TOPIC`): ...\"")
	}
	var topics []string
	for _, t := range helpTopics {
		topics = append(topics, "`"+t.Name+"`")
	}
	if got := strings.TrimSuffix(m[1], "."); got != strings.Join(topics, ", ") {
		t.Errorf("README's help topics %q, the code's %q", got, strings.Join(topics, ", "))
	}
}

func readmeText(t *testing.T) string {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readmeTable returns the cells of the markdown table under header.
func readmeTable(t *testing.T, readme, header string) [][]string {
	_, rest, ok := strings.Cut(readme, header+"\n")
	if !ok {
		t.Fatalf("README has no table %q", header)
	}
	var rows [][]string
	for i, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		if i == 0 {
			continue // the | --- | line
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), " | ") {
			cells = append(cells, strings.TrimSpace(c))
		}
		rows = append(rows, cells)
	}
	return rows
}

// TestSyntaxIsAccepted: the shorthand and JSON templates the help shows
// for each structure, map or list of structures are accepted by the
// option they describe (with "..." left out and an enum's first value).
func TestSyntaxIsAccepted(t *testing.T) {
	alternatives := regexp.MustCompile(`("[^"]*")(\|"[^"]*")+`)
	n := 0
	for _, op := range kms.Operations() {
		for i := 0; i < op.Input.NumField(); i++ {
			f := op.Input.Field(i)
			k := kindOf(f.Type)
			if k != kindMap && k != kindStruct && k != kindStructList {
				continue
			}
			short := strings.ReplaceAll(shorthandSyntax(f.Type, true), " ...", "")
			js := alternatives.ReplaceAllString(strings.ReplaceAll(jsonSyntax(f.Type), "...", ""), "$1")
			for _, value := range []string{short, js} {
				m := &member{field: f, flag: kebab(jsonName(f)), kind: k}
				m.raw.words = []string{value}
				in := reflect.New(op.Input).Elem()
				if err := m.apply(in, "base64"); err != nil {
					t.Errorf("%s --%s %s: %v", op.Name, m.flag, value, err)
				} else if in.FieldByIndex(f.Index).IsZero() {
					t.Errorf("%s --%s %s: nothing set", op.Name, m.flag, value)
				}
				n++
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d templates checked", n)
	}
}
