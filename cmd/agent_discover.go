package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pocketkms/pkms/server"
)

// An agent (or pkms serve) holds the vault file locked for as long as it
// runs, so a command that opens the vault itself would only wait for the
// lock. Instead a command without PKMS_AGENT_SOCK looks for the agent that
// holds its vault, in the one place agents listen by default (the agent
// directory, where each socket is named after its vault's id), and uses it.
// Only a directory and sockets owned by this uid with no access for others
// are considered, and each agent is asked which vault it holds: the answer
// must be the same file (device and inode), and the agent must be unlocked,
// since a locked agent has released the file. Discovery never unlocks and
// never prompts, so completion uses it too.

// discoverTimeout bounds the question asked of each candidate agent: a
// stuck agent must not stall a command or a TAB.
const discoverTimeout = 500 * time.Millisecond

// agentFinder is the agent-finding concern of a command line: which agent
// (if any) the command goes through, looked for at most once per command.
// globals embeds it; it needs only the environment, where the vault file
// is, and a debug log.
type agentFinder struct {
	getenv    func(string) string
	vaultFile func() (string, error) // the command's vault file
	logf      func(format string, args ...any)

	looked bool   // discoverAgent has run
	found  string // the agent it found for this vault, or ""
}

// agentSocket is the agent the command goes through: PKMS_AGENT_SOCK, else
// the running agent found for this vault, else "" (open the vault).
func (a *agentFinder) agentSocket() string {
	if s := a.getenv("PKMS_AGENT_SOCK"); s != "" {
		return s
	}
	if !a.looked {
		a.looked = true
		a.found = a.discoverAgent(context.Background())
		if a.found != "" {
			a.logf("using the agent at %s, which holds this vault (export PKMS_AGENT_SOCK=%s)", a.found, shellQuote(a.found))
		}
	}
	return a.found
}

// agentDir is where agents listen by default: $XDG_RUNTIME_DIR/pkms, else
// $TMPDIR/pkms-<uid>.
func (a *agentFinder) agentDir() string {
	if rt := a.getenv("XDG_RUNTIME_DIR"); rt != "" {
		return filepath.Join(rt, "pkms")
	}
	return filepath.Join(os.TempDir(), "pkms-"+strconv.Itoa(os.Getuid()))
}

// discoverAgent returns the socket of an unlocked agent of this uid that
// holds this command's vault file, or "".
func (a *agentFinder) discoverAgent(ctx context.Context) string {
	path, err := a.vaultFile()
	if err != nil {
		return ""
	}
	vfi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	dir := a.agentDir()
	if !ownPrivate(dir, true) {
		return ""
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "agent-") || !strings.HasSuffix(name, ".sock") {
			continue
		}
		sock := filepath.Join(dir, name)
		if !ownPrivate(sock, false) {
			continue
		}
		if holdsVault(ctx, sock, vfi) {
			return sock
		}
	}
	return ""
}

// holdsVault asks the agent at sock which vault it holds and whether it is
// unlocked.
func holdsVault(ctx context.Context, sock string, vfi os.FileInfo) bool {
	ctx, cancel := context.WithTimeout(ctx, discoverTimeout)
	defer cancel()
	var st server.StatusOutput
	if err := server.NewClient(sock, "").Control(ctx, "Status", noInput, &st); err != nil || st.Locked || st.Vault == "" {
		return false
	}
	fi, err := os.Stat(st.Vault)
	return err == nil && os.SameFile(fi, vfi)
}

// ownPrivate reports whether path is owned by this uid and closed to
// others: a 0700 directory, or a socket.
func ownPrivate(path string, dir bool) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Getuid() {
		return false
	}
	if dir {
		return fi.IsDir() && fi.Mode().Perm()&0o077 == 0
	}
	return fi.Mode()&os.ModeSocket != 0
}
