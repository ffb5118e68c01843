package cmd

import (
	"runtime/debug"
	"strings"
)

// buildVersion is the version the Go toolchain stamped into the binary: the
// module version (a release tag, or a pseudo-version naming the commit,
// "+dirty" when the tree had changes), else the VCS revision alone (short,
// "-dirty" likewise), else "dev" for a build without VCS information (go
// build -buildvcs=false, a linked git worktree, a source tree outside git).
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return strings.TrimPrefix(v, "v")
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 { // as pseudo-versions shorten it
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "dev-" + rev
}
