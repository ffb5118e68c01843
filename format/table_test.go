package format

import "testing"

// Expected outputs were produced by awscli.table (AWS CLI 1.45.11) with the
// same terminal widths.
func TestTableWidth(t *testing.T) {
	tests := []struct {
		name  string
		value any
		title string
		width int
		want  string
	}{
		{"narrow single row stays horizontal", Object{{"Name", "short"}, {"Value", "x"}}, "T", 80, `--------------------
|         T        |
+--------+---------+
|  Name  |  Value  |
+--------+---------+
|  short |  x      |
+--------+---------+
`},
		{"wide value at width 80 turns vertical", Object{{"Name", "short"}, {"Value", repeat("v", 90)}}, "T", 80, `---------------------------------------------------------------------------------------------------------
|                                                   T                                                   |
+-------+-----------------------------------------------------------------------------------------------+
|  Name |  short                                                                                        |
|  Value|  vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv   |
+-------+-----------------------------------------------------------------------------------------------+
`},
		{"wide value on a wide terminal stays horizontal", Object{{"Name", "short"}, {"Value", repeat("v", 90)}}, "T", 200, `---------------------------------------------------------------------------------------------------------
|                                                   T                                                   |
+-------+-----------------------------------------------------------------------------------------------+
| Name  |                                             Value                                             |
+-------+-----------------------------------------------------------------------------------------------+
|  short|  vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv   |
+-------+-----------------------------------------------------------------------------------------------+
`},
		{"long title scales the columns", Object{{"Items", []any{
			Object{{"A", "a"}, {"B", "bb"}, {"C", "c"}},
			Object{{"A", "aaa"}, {"B", "b"}, {"C", "cc"}},
		}}}, "AVeryLongTitleThatForcesColumnScaling", 0, `---------------------------------------
|AVeryLongTitleThatForcesColumnScaling|
+-------------------------------------+
||               Items               ||
|+-----------+-----------+-----------+|
||     A     |     B     |     C     ||
|+-----------+-----------+-----------+|
||  a        |  bb       |  c        ||
||  aaa      |  b        |  cc       ||
|+-----------+-----------+-----------+|
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderString(t, tt.value, Options{Output: "table", Title: tt.title, Width: tt.width})
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestColumnScalingRoundsHalfToEven(t *testing.T) {
	// 3 columns of natural width 5 scaled to 22: 22/15*5 = 7.33 each,
	// rounded to 7+7+7 = 21, the missing column goes to the last one.
	s := &section{maxWidths: []int{1, 1, 1}}
	if got := s.columnWidths(22); !equalInts(got, []int{7, 7, 8}) {
		t.Errorf("columnWidths(22) = %v", got)
	}
	// Natural widths 4, 4, 8 scaled to 10: 2.5, 2.5, 5 round half to
	// even to 2, 2, 5 (Python's round), and the missing column is added
	// from the right; rounding half up would give 2, 3, 5.
	s = &section{maxWidths: []int{0, 0, 4}}
	if got := s.columnWidths(10); !equalInts(got, []int{2, 2, 6}) {
		t.Errorf("columnWidths(10) = %v", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
