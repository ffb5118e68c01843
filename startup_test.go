package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every pkms command is a new process, and a script calls pkms hundreds of
// times, so what the binary does before main (the package initialisation of
// everything linked) is paid by every call. TestStartupInit keeps that
// work from growing unnoticed. It counts bytes allocated, not time, so that
// it gives the same answer on a loaded machine.

// startupUnlinked are packages the binary must not link: their
// initialisation cost every process for a feature that does not need them
// (blackfriday and the Markdown-to-roff converter came with cobra's
// man-page generator; pkms man writes its own roff).
var startupUnlinked = []string{
	"github.com/spf13/cobra/doc",
	"github.com/russross/blackfriday/v2",
	"github.com/cpuguy83/go-md2man/v2/md2man",
}

// startupOwnBudget is what one of pkms's own packages may allocate at
// initialisation; kms builds its registry of operations then, by design.
// Anything else (a compiled regexp, a table) is built on first use.
var startupOwnBudget = map[string]int{mod + "/kms": 48 << 10, "": 12 << 10}

// startupDepBudget is what a dependency may allocate at initialisation:
// a larger allocation is fresh memory, one page fault per 4 KiB, each an
// exit to the hypervisor on a virtual machine. The exception is
// tablewriter's width package, whose every release since v1.1.2 makes an
// 8,192-entry cache at start-up (about 650 KB, 2 ms here); the releases
// before it print tabs inside cells raw and measure some emoji wrongly.
var startupDepBudget = map[string]int{"github.com/olekukonko/tablewriter/pkg/twwidth": 1 << 20, "": 256 << 10}

var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, \d+ allocs`)

func TestStartupInit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range startupUnlinked {
		if strings.Contains("\n"+string(deps), "\n"+p+"\n") {
			t.Errorf("the binary links %s", p)
		}
	}

	bin := filepath.Join(t.TempDir(), "pkms")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	c := exec.Command(bin, "--version")
	c.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("pkms --version: %v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(string(out), "\n") {
		m := initLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seen++
		pkg := m[1]
		bytes, _ := strconv.Atoi(m[2])
		budget := startupDepBudget
		if pkg == mod || strings.HasPrefix(pkg, mod+"/") {
			budget = startupOwnBudget
		}
		limit, ok := budget[pkg]
		if !ok {
			limit = budget[""]
		}
		if bytes > limit {
			t.Errorf("%s allocates %d bytes at initialisation, more than %d", pkg, bytes, limit)
		}
	}
	if seen == 0 {
		t.Fatalf("no inittrace lines in:\n%s", out)
	}
}
