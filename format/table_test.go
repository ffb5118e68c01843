package format

import (
	"strings"
	"testing"
)

// checkTableShape fails unless out is a well-formed table: a top rule, then
// lines that all take the same number of terminal columns and are closed
// on both sides by a border.
func checkTableShape(t *testing.T, out string) {
	t.Helper()
	if out == "" {
		return
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("table does not end with a newline:\n%s", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	width := textWidth(lines[0])
	if lines[0] != strings.Repeat("-", width) {
		t.Fatalf("first line is not a rule: %q", lines[0])
	}
	for i, l := range lines[1:] {
		if w := textWidth(l); w != width {
			t.Fatalf("line %d takes %d columns, the table %d:\n%s", i+2, w, width, out)
		}
		if !strings.ContainsAny(l[:1], "|+") || !strings.ContainsAny(l[len(l)-1:], "|+") {
			t.Fatalf("line %d is not closed by borders: %q", i+2, l)
		}
	}
}

// tableCells is the set of cell texts in a table: what lies between bars,
// trimmed, without the border lines.
func tableCells(out string) map[string]bool {
	cells := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		if strings.Trim(l, "-+|") == "" {
			continue
		}
		for _, c := range strings.Split(l, "|") {
			if c = strings.TrimSpace(c); c != "" {
				cells[c] = true
			}
		}
	}
	return cells
}

// TestTableLook pins the AWS look: a title line, key/value sections for
// objects, column headers for lists of objects, one-column sections for
// lists of scalars, nested sections between bars, all of one width.
func TestTableLook(t *testing.T) {
	tests := []struct {
		name  string
		value any
		width int
		want  string
	}{
		{"object with a nested list", Object{
			{"KeyMetadata", Object{{"KeyId", "k1"}, {"Enabled", true}, {"EncryptionAlgorithms", []any{"SYMMETRIC_DEFAULT"}}}},
		}, 80, `-----------------------------
|            Op             |
+---------------------------+
||       KeyMetadata       ||
|+-------------+-----------+|
||  Enabled    |  True     ||
||  KeyId      |  k1       ||
|+-------------+-----------+|
||| EncryptionAlgorithms  |||
||+-----------------------+||
|||  SYMMETRIC_DEFAULT    |||
||+-----------------------+||
`},
		{"list of objects under column headers", Object{{"Keys", []any{
			Object{{"KeyId", "k1"}, {"KeyArn", "a1"}},
			Object{{"KeyId", "k2"}, {"KeyArn", "a2"}},
		}}}, 80, `----------------------
|         Op         |
+--------------------+
||       Keys       ||
|+---------+--------+|
||  KeyArn |  KeyId ||
|+---------+--------+|
||  a1     |  k1    ||
||  a2     |  k2    ||
|+---------+--------+|
`},
		{"scalar result", "just text", 80, `--------------
|     Op     |
+------------+
|  just text |
+------------+
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderString(t, tt.value, Options{Output: "table", Title: "Op", Width: tt.width})
			checkTableShape(t, got)
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestTableWideCharacters checks that CJK, emoji, combining marks, text of
// ambiguous width and multi-line values keep every line of a table the
// same width.
func TestTableWideCharacters(t *testing.T) {
	values := []any{
		Object{{"Description", "日本語のテキスト"}, {"Tag", "é😀x"}, {"Combining", "e\u0301te\u0301"}},
		Object{{"Tags", []any{Object{{"TagKey", "名前"}, {"TagValue", "値"}}, Object{{"TagKey", "k"}, {"TagValue", "ｆｕｌｌ"}}}}},
		Object{{"Policy", "{\n  \"Statement\" : [ ]\n}"}, {"Tab", "a\tb"}},
		Object{{"日本語のタイトル", []any{"值", "x"}}},
	}
	for _, v := range values {
		got := renderString(t, v, Options{Output: "table", Title: "Op"})
		checkTableShape(t, got)
		if !strings.Contains(got, "日本語") && !strings.Contains(got, "名前") && !strings.Contains(got, "Statement") {
			t.Errorf("value missing from:\n%s", got)
		}
	}
	if w := textWidth("日本語"); w != 6 {
		t.Errorf("textWidth(日本語) = %d, want 6", w)
	}
}

// TestTableNarrowTerminal checks that a one-row section under column
// headers turns into key/value rows when it is wider than the terminal.
func TestTableNarrowTerminal(t *testing.T) {
	v := Object{{"Aliases", []any{Object{{"AliasName", "alias/app"}, {"AliasArn", "arn:aws:kms:us-east-1:111122223333:alias/app"},
		{"TargetKeyId", "1234abcd-12ab-34cd-56ef-1234567890ab"}}}}}
	wide := renderString(t, v, Options{Output: "table", Title: "ListAliases", Width: 200})
	narrow := renderString(t, v, Options{Output: "table", Title: "ListAliases", Width: 80})
	checkTableShape(t, wide)
	checkTableShape(t, narrow)
	if !strings.Contains(wide, "AliasArn") || strings.Contains(wide, "|  AliasArn ") {
		t.Errorf("on a wide terminal the keys are column headers:\n%s", wide)
	}
	if !strings.Contains(narrow, "||  AliasArn    |  arn:aws:kms:us-east-1:111122223333:alias/app") {
		t.Errorf("on an 80-column terminal the row turns into key/value rows:\n%s", narrow)
	}
	if textWidth(strings.SplitN(narrow, "\n", 2)[0]) > 80 {
		t.Errorf("narrow table still wider than 80:\n%s", narrow)
	}
}

func TestTableFalsyPrintsNothing(t *testing.T) {
	for _, v := range []any{nil, false, int64(0), "", []any{}, Object{}} {
		if got := renderString(t, v, Options{Output: "table", Title: "Op"}); got != "" {
			t.Errorf("%#v: got %q, want no output", v, got)
		}
	}
}
