package format

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Table output is a port of awscli/formatter.py TableFormatter (which turns
// the result into sections) and awscli/table.py MultiTable/Section (which
// lays the sections out). Names follow the Python code so the two can be
// read side by side.

// defaultTableWidth is what awscli assumes when stdout is not a terminal.
const defaultTableWidth = 80

// renderTable returns nil (no output) for results Python considers false:
// null, false, 0, "", [] and {}.
func renderTable(v any, title string, terminalWidth int) ([]byte, error) {
	if terminalWidth <= 0 {
		terminalWidth = defaultTableWidth
	}
	t := &multiTable{terminalWidth: terminalWidth}
	built, err := t.buildTable(&title, v, 0)
	if err != nil || !built {
		return nil, err
	}
	var b bytes.Buffer
	t.render(&b)
	return b.Bytes(), nil
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

// ---- TableFormatter: result -> sections --------------------------------

// buildTable is _build_table; title nil is Python's None.
func (t *multiTable) buildTable(title *string, current any, indent int) (bool, error) {
	if !pyTruthy(current) {
		return false, nil
	}
	if title != nil {
		t.newSection(title, indent)
	}
	switch x := current.(type) {
	case []any:
		if _, ok := x[0].(Object); ok {
			if err := t.buildSubTableFromList(x, indent, title); err != nil {
				return false, err
			}
			break
		}
		for _, item := range x {
			var err error
			switch it := item.(type) {
			case Object:
				// Iterating a dict yields its keys, all scalars.
				row := make([]any, len(it))
				for i, f := range it {
					row[i] = f.Name
				}
				err = t.addRow(row)
			case []any:
				if allScalars(it) {
					err = t.addRow(it)
				} else {
					_, err = t.buildTable(nil, it, 0)
				}
			default:
				err = t.addRow([]any{item})
			}
			if err != nil {
				return false, err
			}
		}
	case Object:
		if err := t.buildSubTableFromDict(x, indent); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (t *multiTable) buildSubTableFromDict(current Object, indent int) error {
	headers, more := groupScalarKeys(current)
	switch {
	case len(headers) == 1:
		v, _ := lookup(current, headers[0])
		if err := t.addRow([]any{headers[0], v}); err != nil {
			return err
		}
	case len(headers) > 1:
		t.addRowHeader(headers)
		row := make([]any, len(headers))
		for i, k := range headers {
			row[i], _ = lookup(current, k)
		}
		if err := t.addRow(row); err != nil {
			return err
		}
	}
	for _, k := range more {
		v, _ := lookup(current, k)
		if _, err := t.buildTable(&k, v, indent+1); err != nil {
			return err
		}
	}
	return nil
}

func (t *multiTable) buildSubTableFromList(current []any, indent int, title *string) error {
	headers, more, err := groupScalarKeysFromList(current)
	if err != nil {
		return err
	}
	t.addRowHeader(headers)
	for i, e := range current {
		// groupScalarKeysFromList let through only objects and empty
		// strings or lists, which have no keys.
		element, _ := e.(Object)
		if element == nil && len(headers) > 0 {
			return tableError("'" + pyTypeName(e) + "' object has no attribute 'get'")
		}
		if i > 0 && len(more) > 0 {
			t.newSection(title, indent)
			t.addRowHeader(headers)
		}
		row := make([]any, len(headers))
		for j, h := range headers {
			v, ok := lookup(element, h)
			if !ok {
				v = ""
			}
			row[j] = v
		}
		if err := t.addRow(row); err != nil {
			return err
		}
		for _, k := range more {
			if v, ok := lookup(element, k); ok {
				if _, err := t.buildTable(&k, v, indent+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func allScalars(list []any) bool {
	for _, e := range list {
		if !isScalar(e) {
			return false
		}
	}
	return true
}

// groupScalarKeys splits an object's keys into sorted scalar-valued and
// sorted other keys.
func groupScalarKeys(obj Object) (headers, more []string) {
	for _, f := range obj {
		if isScalar(f.Value) {
			headers = append(headers, f.Name)
		} else {
			more = append(more, f.Name)
		}
	}
	sort.Strings(headers)
	sort.Strings(more)
	return headers, more
}

// groupScalarKeysFromList is _group_scalar_keys_from_list. Python runs
// "for k in element: element[k]" on every element, which fails for any
// element that is not a dict, except an empty string or list.
func groupScalarKeysFromList(list []any) (headers, more []string, err error) {
	hs, ms := map[string]bool{}, map[string]bool{}
	for _, e := range list {
		obj, ok := e.(Object)
		if !ok {
			switch x := e.(type) {
			case string:
				if x != "" {
					return nil, nil, tableError("string indices must be integers, not 'str'")
				}
			case []any:
				if len(x) > 0 {
					return nil, nil, tableError("list indices must be integers or slices, not " + pyTypeName(x[0]))
				}
			default:
				return nil, nil, tableError("'" + pyTypeName(e) + "' object is not iterable")
			}
			continue
		}
		h, m := groupScalarKeys(obj)
		for _, k := range h {
			hs[k] = true
		}
		for _, k := range m {
			ms[k] = true
		}
	}
	return sortedKeys(hs), sortedKeys(ms), nil
}

func sortedKeys(set map[string]bool) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func tableError(msg string) error { return &RenderError{Output: OutputTable, Msg: msg} }

// ---- MultiTable: sections -> text --------------------------------------

type multiTable struct {
	terminalWidth int
	sections      []*section
	current       *section
}

type section struct {
	title     string
	titleNone bool // Python None title: not printed, but str(None) counts for width
	headers   []string
	rows      [][]string
	indent    int
	numCols   int // -1 until the first header or row fixes it
	maxWidths []int
}

func (t *multiTable) newSection(title *string, indent int) {
	s := &section{indent: indent, numCols: -1}
	if title == nil {
		s.titleNone = true
	} else {
		s.title = *title
	}
	t.sections = append(t.sections, s)
	t.current = s
}

func (t *multiTable) addRowHeader(headers []string) {
	if t.current == nil {
		t.newSection(nil, 0)
	}
	t.current.addHeader(headers)
}

func (t *multiTable) addRow(row []any) error {
	if t.current == nil {
		t.newSection(nil, 0)
	}
	cells := make([]string, len(row))
	for i, v := range row {
		cells[i] = pyStr(v)
	}
	return t.current.addRow(cells)
}

func (s *section) addHeader(headers []string) {
	s.updateMaxWidths(headers)
	if s.numCols < 0 {
		s.numCols = len(headers)
	}
	s.headers = headers
}

func (s *section) addRow(row []string) error {
	if s.numCols < 0 {
		s.numCols = len(row)
	}
	if len(row) != s.numCols {
		return tableError(fmt.Sprintf("Row should have %d elements, instead it has %d", s.numCols, len(row)))
	}
	s.rows = append(s.rows, row)
	s.updateMaxWidths(row)
	return nil
}

func (s *section) updateMaxWidths(row []string) {
	if len(s.maxWidths) == 0 {
		s.maxWidths = make([]int, len(row))
		for i, el := range row {
			s.maxWidths[i] = textWidth(el)
		}
		return
	}
	for i, el := range row {
		if i < len(s.maxWidths) {
			s.maxWidths[i] = max(s.maxWidths[i], textWidth(el))
		}
	}
}

func (s *section) titleWidth() int {
	if s.titleNone {
		return len("None")
	}
	return textWidth(s.title)
}

// columnWidths is calculate_column_widths(padding=4, max_width): the
// natural widths scaled to exactly maxWidth, Python rounding included.
func (s *section) columnWidths(maxWidth int) []int {
	const padding = 4
	unscaled := make([]int, len(s.maxWidths))
	sum := 0
	for i, w := range s.maxWidths {
		unscaled[i] = w + padding
		sum += unscaled[i]
	}
	if len(unscaled) == 0 || sum == 0 {
		return unscaled
	}
	scale := float64(maxWidth) / float64(sum)
	scaled := make([]int, len(unscaled))
	total := 0
	for i, w := range unscaled {
		scaled[i] = int(math.RoundToEven(scale * float64(w)))
		total += scaled[i]
	}
	offBy := total - maxWidth
	for offBy != 0 {
		for k := range scaled {
			i := k
			if offBy < 0 {
				i = len(scaled) - 1 - k
			}
			if offBy > 0 {
				scaled[i]--
				offBy--
			} else {
				scaled[i]++
				offBy++
			}
			if offBy == 0 {
				break
			}
		}
	}
	return scaled
}

// totalWidth is total_width(padding=4, with_border=True,
// outer_padding=indent).
func (s *section) totalWidth() int {
	total := 0
	for _, w := range s.maxWidths {
		total += w + 4
	}
	total += 2 + 2*s.indent
	return max(s.titleWidth()+2+2*s.indent, total)
}

func (t *multiTable) maxWidth() int {
	w := 0
	for _, s := range t.sections {
		w = max(w, s.totalWidth())
	}
	return w
}

func (t *multiTable) render(b *bytes.Buffer) {
	maxWidth := t.maxWidth()
	if maxWidth > t.terminalWidth {
		t.convertToVertical()
		maxWidth = t.maxWidth()
	}
	b.WriteString(strings.Repeat("-", maxWidth) + "\n")
	for _, s := range t.sections {
		t.renderSection(b, s, maxWidth)
	}
}

// convertToVertical turns every section with headers and exactly one row
// into "header | value" rows (convert_to_vertical_table).
func (t *multiTable) convertToVertical() {
	for i, s := range t.sections {
		if len(s.rows) != 1 || len(s.headers) == 0 {
			continue
		}
		ns := &section{title: s.title, titleNone: s.titleNone, indent: s.indent, numCols: -1}
		for j, h := range s.headers {
			if j < len(s.rows[0]) {
				_ = ns.addRow([]string{h, s.rows[0][j]}) // always two columns
			}
		}
		t.sections[i] = ns
	}
}

func (t *multiTable) renderSection(b *bytes.Buffer, s *section, maxWidth int) {
	bars := strings.Repeat("|", s.indent)
	line := func(text string) { b.WriteString(bars + text + bars + "\n") }
	maxWidth -= 2 * s.indent

	if s.title != "" && !s.titleNone {
		line(centerText(s.title, maxWidth, "|", "|"))
		if len(s.headers) == 0 && len(s.rows) == 0 {
			line("+" + repeat("-", maxWidth-2) + "+")
		}
	}
	if len(s.headers) > 0 {
		widths := s.columnWidths(maxWidth)
		var cur strings.Builder
		for i := 0; i < len(widths) && i < len(s.headers); i++ {
			cur.WriteString(centerText(s.headers[i], widths[i], leftEdge(i), "|"))
		}
		line(lineBreak(widths))
		line(cur.String())
	}
	if len(s.rows) > 0 {
		widths := s.columnWidths(maxWidth)
		if len(widths) == 0 {
			return
		}
		line(lineBreak(widths))
		for _, row := range s.rows {
			var cur strings.Builder
			for i := 0; i < len(widths) && i < len(row); i++ {
				cur.WriteString(alignLeft(row[i], widths[i], leftEdge(i), "|"))
			}
			line(cur.String())
		}
		line(lineBreak(widths))
	}
}

func leftEdge(i int) string {
	if i == 0 {
		return "|"
	}
	return ""
}

// repeat is strings.Repeat that, like Python's str * n, yields "" for n < 0.
func repeat(s string, n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(s, n)
}

// lineBreak is _write_line_break: +-----+------+.
func lineBreak(widths []int) string {
	var b strings.Builder
	for i, w := range widths {
		if i == 0 {
			b.WriteString("+" + repeat("-", w-2) + "+")
		} else {
			b.WriteString(repeat("-", w-1) + "+")
		}
	}
	return b.String()
}

// centerText is table.py center_text.
func centerText(text string, length int, left, right string) string {
	tl := textWidth(text)
	charStart := floorDiv(length, 2) - floorDiv(tl, 2) - 1
	out := left + repeat(" ", charStart) + text
	soFar := len(left) + charStart + tl
	return out + repeat(" ", length-len(right)-soFar) + right
}

// alignLeft is table.py align_left with left_padding=2.
func alignLeft(text string, length int, left, right string) string {
	tl := textWidth(text)
	padding := 2
	if length-(tl+2+len(left)+len(right)) < 0 {
		padding = 0
	}
	soFar := len(left) + padding + tl
	return left + repeat(" ", padding) + text + repeat(" ", length-soFar-len(right)) + right
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
