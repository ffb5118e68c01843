package cmd

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	const rev = "29bebec99c86cc68ddfe87f1e6bc6cbb7d017e46"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name     string
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"a release tag", "v1.2.3", vcs("false"), "1.2.3"},
		{"a pseudo-version with changes", "v0.0.0-20261205222149-29bebec99c86+dirty", vcs("true"), "0.0.0-20261205222149-29bebec99c86+dirty"},
		{"no module version, a clean revision", "(devel)", vcs("false"), "dev-29bebec99c86"},
		{"no module version, a changed tree", "(devel)", vcs("true"), "dev-29bebec99c86-dirty"},
		{"no VCS information", "(devel)", nil, "dev"},
		{"nothing at all", "", nil, "dev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/pocketkms/pkms", Version: tc.version}, Settings: tc.settings}
			if got := versionOf(bi); got != tc.want {
				t.Errorf("versionOf = %q, want %q", got, tc.want)
			}
		})
	}
}
