package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar shows long vault work (rekey, verify) on stderr. It draws
// only on a terminal, and only once the work has run for progressDelay
// since its first report, so small vaults and scripts (stderr in a file or
// pipe) see nothing.
type progressBar struct {
	w     io.Writer
	label string
	width int
	start time.Time // the first report
	now   func() time.Time
	drawn bool
}

const progressDelay = 300 * time.Millisecond

// update is a vault progress callback.
func (p *progressBar) update(done, total int) {
	if p == nil {
		return
	}
	if p.start.IsZero() {
		p.start = p.now()
	}
	if !p.drawn && p.now().Sub(p.start) < progressDelay {
		return
	}
	p.drawn = true
	fmt.Fprint(p.w, "\r"+renderBar(p.label, done, total, p.width))
}

// finish clears the bar's line if one was drawn.
func (p *progressBar) finish() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.width-1)+"\r")
	}
}

// renderBar is one line of at most width-1 columns:
// "pkms: resealing records [=====>    ]  52% 5200/10000".
func renderBar(label string, done, total, width int) string {
	if total <= 0 {
		total, done = 1, 1
	}
	done = min(max(done, 0), total)
	pct := done * 100 / total
	counts := fmt.Sprintf(" %3d%% %d/%d", pct, done, total)
	head := "pkms: " + label + " ["
	cells := width - 1 - len(head) - 1 - len(counts)
	if cells < 10 {
		return strings.TrimSpace(head[:len(head)-1]) + counts
	}
	fill := done * cells / total
	bar := strings.Repeat("=", fill)
	if fill < cells {
		bar += ">" + strings.Repeat(" ", cells-fill-1)
	}
	return head + bar + "]" + counts
}
