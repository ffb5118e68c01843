package format

import (
	"bytes"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Table output keeps the look of the AWS CLI's tables, drawn with
// tablewriter: a title line (the operation name), then one section per
// object or list in the result, nested sections indented between bars.
// An object's scalar members are a two-column key/value section (keys
// sorted), a list of objects is a section with a column per scalar member,
// a list of scalars is a one-column section; members that are objects or
// lists follow as sections of their own, titled with their key. People read
// tables and scripts do not, so only the look is the AWS CLI's, not every
// character.

// defaultTableWidth is the terminal width assumed when stdout is not a
// terminal.
const defaultTableWidth = 80

// renderTable prints nothing for results Python considers false (null,
// false, 0, "", [] and {}), as the AWS CLI does.
func renderTable(v any, title string, terminalWidth int) []byte {
	if !pyTruthy(v) {
		return nil
	}
	if terminalWidth <= 0 {
		terminalWidth = defaultTableWidth
	}
	var b tableBuilder
	b.add(title, v, 0)
	return b.render(terminalWidth)
}

// pyTruthy is Python's bool(v).
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case Object:
		return len(x) > 0
	}
	return true
}

// tableSection is one titled grid. A section without cells prints its
// title alone.
type tableSection struct {
	title   string
	indent  int
	headers []string
	rows    [][]string
}

type tableBuilder struct{ sections []*tableSection }

func (b *tableBuilder) section(title string, indent int) *tableSection {
	s := &tableSection{title: title, indent: indent}
	b.sections = append(b.sections, s)
	return s
}

// add appends the sections for v, titled title.
func (b *tableBuilder) add(title string, v any, indent int) {
	switch x := v.(type) {
	case Object:
		s := b.section(title, indent)
		var nested Object
		for _, f := range sortedFields(x) {
			if isScalar(f.Value) {
				s.rows = append(s.rows, []string{f.Name, pyStr(f.Value)})
			} else {
				nested = append(nested, f)
			}
		}
		b.addNested(nested, indent+1)
	case []any:
		b.addList(title, x, indent)
	default:
		b.section(title, indent).rows = [][]string{{pyStr(x)}}
	}
}

// addNested adds a section for each non-empty member.
func (b *tableBuilder) addNested(members Object, indent int) {
	for _, f := range members {
		if pyTruthy(f.Value) {
			b.add(f.Name, f.Value, indent)
		}
	}
}

// addList adds a list: scalars and lists of scalars as rows of one
// section, objects as a section with column headers, other lists nested.
func (b *tableBuilder) addList(title string, list []any, indent int) {
	var objects []Object
	var rows [][]string
	var deeper []any
	for _, e := range list {
		switch x := e.(type) {
		case Object:
			objects = append(objects, x)
		case []any:
			if allScalars(x) {
				rows = append(rows, cellTexts(x))
			} else {
				deeper = append(deeper, x)
			}
		default:
			rows = append(rows, []string{pyStr(x)})
		}
	}
	if len(rows) > 0 || len(objects) == 0 {
		b.section(title, indent).rows = squareRows(rows)
	}
	if len(objects) > 0 {
		b.addObjectList(title, objects, indent)
	}
	for _, l := range deeper {
		b.add("", l, indent+1)
	}
}

// addObjectList gives a list of objects one column per scalar member
// (sorted, "" where an object lacks it). When the objects have members
// that are objects or lists, each object gets its own section followed by
// those members' sections.
func (b *tableBuilder) addObjectList(title string, objects []Object, indent int) {
	scalarKeys, nestedKeys := map[string]bool{}, map[string]bool{}
	for _, o := range objects {
		for _, f := range o {
			if isScalar(f.Value) {
				scalarKeys[f.Name] = true
			} else {
				nestedKeys[f.Name] = true
			}
		}
	}
	headers := sortedSet(scalarKeys)
	row := func(o Object) []string {
		r := make([]string, len(headers))
		for i, h := range headers {
			if v, ok := lookup(o, h); ok && isScalar(v) {
				r[i] = pyStr(v)
			}
		}
		return r
	}
	if len(nestedKeys) == 0 {
		s := b.section(title, indent)
		s.headers = headers
		for _, o := range objects {
			s.rows = append(s.rows, row(o))
		}
		return
	}
	nested := sortedSet(nestedKeys)
	for _, o := range objects {
		s := b.section(title, indent)
		if len(headers) > 0 {
			s.headers, s.rows = headers, [][]string{row(o)}
		}
		var members Object
		for _, k := range nested {
			if v, ok := lookup(o, k); ok && !isScalar(v) {
				members = append(members, Field{k, v})
			}
		}
		b.addNested(members, indent+1)
	}
}

func allScalars(list []any) bool {
	for _, e := range list {
		if !isScalar(e) {
			return false
		}
	}
	return true
}

func cellTexts(list []any) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = pyStr(e)
	}
	return out
}

// squareRows pads rows with empty cells to the longest one.
func squareRows(rows [][]string) [][]string {
	n := 0
	for _, r := range rows {
		n = max(n, len(r))
	}
	for i, r := range rows {
		for len(r) < n {
			r = append(r, "")
		}
		rows[i] = r
	}
	return rows
}

func sortedSet(set map[string]bool) []string {
	out := make(Object, 0, len(set))
	for k := range set {
		out = append(out, Field{Name: k})
	}
	names := make([]string, len(out))
	for i, f := range sortedFields(out) {
		names[i] = f.Name
	}
	return names
}

// cellPadding is the blank around a cell's text: two spaces before it, as
// the AWS CLI prints, and one after.
var cellPadding = tw.Padding{Left: "  ", Right: " ", Overwrite: true}

// cellPaddingWidth is the columns cellPadding takes.
const cellPaddingWidth = 3

// columnWidths is the natural width of each column, padding included.
func (s *tableSection) columnWidths() []int {
	var widths []int
	measure := func(cells []string) {
		for i, c := range cells {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			for _, line := range strings.Split(c, "\n") {
				widths[i] = max(widths[i], textWidth(line)+cellPaddingWidth)
			}
		}
	}
	measure(s.headers)
	for _, r := range s.rows {
		measure(r)
	}
	return widths
}

// gridWidth is the width of the section's grid, outer borders included.
func gridWidth(widths []int) int {
	w := len(widths) + 1
	for _, c := range widths {
		w += c
	}
	return w
}

// width is what the section needs, its indentation bars included.
func (s *tableSection) width() int {
	need := textWidth(s.title) + 2 + cellPaddingWidth
	if widths := s.columnWidths(); len(widths) > 0 {
		need = max(need, gridWidth(widths))
	}
	return need + 2*s.indent
}

func (b *tableBuilder) width() int {
	w := 0
	for _, s := range b.sections {
		w = max(w, s.width())
	}
	return w
}

// render lays every section out at the same width. When that is wider
// than the terminal, a section of one row under column headers turns into
// key/value rows, which are narrower.
func (b *tableBuilder) render(terminalWidth int) []byte {
	total := b.width()
	if total > terminalWidth {
		for _, s := range b.sections {
			if len(s.headers) > 0 && len(s.rows) == 1 {
				kv := make([][]string, len(s.headers))
				for i, h := range s.headers {
					kv[i] = []string{h, s.rows[0][i]}
				}
				s.headers, s.rows = nil, kv
			}
		}
		total = b.width()
	}
	var out bytes.Buffer
	out.WriteString(strings.Repeat("-", total) + "\n")
	for _, s := range b.sections {
		bars := strings.Repeat("|", s.indent)
		inner := total - 2*s.indent
		line := func(text string) { out.WriteString(bars + text + bars + "\n") }
		if s.title != "" {
			line("|" + center(s.title, inner-2) + "|")
		}
		if len(s.columnWidths()) == 0 { // nothing but the title
			line("+" + strings.Repeat("-", inner-2) + "+")
			continue
		}
		for _, l := range s.grid(inner) {
			line(l)
		}
	}
	return out.Bytes()
}

// grid draws the section's headers and rows with tablewriter, its columns
// stretched evenly so that the grid is width columns wide.
func (s *tableSection) grid(width int) []string {
	configureWidth()
	widths := s.columnWidths()
	extra := width - gridWidth(widths)
	for i := range widths {
		widths[i] += extra / len(widths)
	}
	widths[len(widths)-1] += extra % len(widths)
	perColumn := tw.NewMapper[int, int]()
	for i, w := range widths {
		perColumn.Set(i, w)
	}
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithColumnWidths(perColumn),
		tablewriter.WithPadding(cellPadding),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	if len(s.headers) > 0 {
		t.Header(s.headers)
	}
	for _, r := range s.rows {
		_ = t.Append(r) // a []string row always converts
	}
	_ = t.Render() // writes to a bytes.Buffer, which cannot fail
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

// center places text in the middle of width columns.
func center(text string, width int) string {
	gap := max(width-textWidth(text), 0)
	return strings.Repeat(" ", gap/2) + text + strings.Repeat(" ", gap-gap/2)
}
