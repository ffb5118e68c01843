package format

import (
	"sync"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// Table cells are measured as terminals print them: East Asian Wide and
// Fullwidth characters (CJK, emoji) take two columns, combining marks none,
// and characters of ambiguous width (é, ±, box drawing) one, as outside CJK
// locales. tablewriter keeps this setting process-wide and would otherwise
// guess it from the locale, and guess the width of a tab from the
// environment and the working directory's .editorconfig; both are fixed
// here so that a table prints the same everywhere.
var configureWidth = sync.OnceFunc(func() {
	twwidth.SetOptions(twwidth.Options{EastAsianWidth: false, ForceNarrowBorders: true})
	twwidth.SetTabWidth(8)
})

// textWidth is the number of terminal columns s takes in a table.
func textWidth(s string) int {
	configureWidth()
	return twwidth.Width(s)
}
