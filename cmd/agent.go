package cmd

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/server"
	"github.com/pocketkms/pkms/vault"
)

// The agent unlocks the vault once and performs operations for the shell
// scripts of one user, as ssh-agent does for signatures: it never hands
// out the vault key or key material. `pkms agent` unlocks in the
// foreground, where the terminal is, then hands the unlocked vault to a
// detached copy of itself over a pipe and prints the shell lines that
// announce it.

type agentFlags struct {
	socket     string
	idle       time.Duration
	lifetime   time.Duration
	foreground bool
	handoffFD  int // hidden: the detached agent reads its vault from here
	readyFD    int // hidden: and reports "ok" or an error here
}

// bind adds the lifetime flags; exec has no idle timeout by default (the
// script decides how long the agent lives), the agent 15 minutes.
func (f *agentFlags) bind(c *cobra.Command, idle time.Duration, withSocket bool) {
	fl := c.Flags()
	idleUsage := "stop after this long without a request"
	if idle == 0 {
		idleUsage += " (default: none)"
	}
	durationVar(c, &f.idle, "idle-timeout", idle, idleUsage)
	durationVar(c, &f.lifetime, "max-lifetime", 8*time.Hour, "stop this long after starting, busy or not")
	if withSocket {
		fl.StringVar(&f.socket, "socket", "", "socket path (default $XDG_RUNTIME_DIR/pkms/agent-<vault-id>.sock)")
	}
}

func newCmdAgent(g *globals) *cobra.Command {
	f := &agentFlags{handoffFD: -1, readyFD: -1}
	c := &cobra.Command{
		Use:   "agent",
		Short: "Unlock the vault once and serve pkms commands from a background agent",
		Long: `Unlock the vault once and keep it unlocked in a background agent that
performs operations for your shell scripts. Prints shell commands that
set PKMS_AGENT_SOCK; every pkms command run with it set goes through the
agent, with the same output and exit codes.

The agent listens on a unix socket in a 0700 directory, admits only your
uid, never returns the vault key, and stops after --idle-timeout without a
request or after --max-lifetime.`,
		Example: `  # unlock once, encrypt many files through the agent, then stop it
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  echo one > a.env && echo two > b.env
  eval "$(pkms agent)"
  for f in *.env; do
    pkms encrypt --key-id "$K" --plaintext fileb://$f --query CiphertextBlob --output text > $f.enc
  done
  eval "$(pkms agent stop)"`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return g.runAgentCommand(c.Context(), f) },
	}
	f.bind(c, 15*time.Minute, true)
	c.Flags().BoolVar(&f.foreground, "foreground", false, "stay in the foreground (for service managers); stop with Ctrl-C or SIGTERM")
	c.Flags().IntVar(&f.handoffFD, "handoff-fd", -1, "")
	c.Flags().IntVar(&f.readyFD, "ready-fd", -1, "")
	_ = c.Flags().MarkHidden("handoff-fd")
	_ = c.Flags().MarkHidden("ready-fd")
	c.AddCommand(newCmdAgentStop(g), newCmdAgentLock(g), newCmdAgentUnlock(g), newCmdAgentStatus(g))
	return c
}

// runAgentCommand is `pkms agent`: the foreground unlock and the detach,
// or, in the detached copy, the agent itself.
func (g *globals) runAgentCommand(ctx context.Context, f *agentFlags) error {
	if f.handoffFD >= 0 {
		return g.runDetachedAgent(ctx, f)
	}
	g.hardenProcess()
	v, err := g.unlockVault()
	if err != nil {
		return err
	}
	sock := f.socket
	if sock == "" {
		if sock, err = g.defaultAgentSocket(v.ID()); err != nil {
			v.Close()
			return err
		}
	}
	if f.foreground {
		l, err := server.ListenAgent(sock)
		if err != nil {
			v.Close()
			return &vaultError{err: err}
		}
		g.printAgentEnv(sock, os.Getpid())
		return g.serveAgent(withSignals(ctx), v, l, f)
	}
	pid, err := g.detachAgent(v, sock, f)
	if err != nil {
		return err
	}
	g.printAgentEnv(sock, pid)
	return nil
}

// printAgentEnv prints the Bourne shell lines that announce an agent.
func (g *globals) printAgentEnv(sock string, pid int) {
	fmt.Fprintf(g.env.stdout, "PKMS_AGENT_SOCK=%s; export PKMS_AGENT_SOCK;\nPKMS_AGENT_PID=%d; export PKMS_AGENT_PID;\n", shellQuote(sock), pid)
	fmt.Fprintf(g.env.stderr, "pkms agent: pid %d, socket %s\n", pid, sock)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// defaultAgentSocket is $XDG_RUNTIME_DIR/pkms/agent-<vault id>.sock, else
// $TMPDIR/pkms-<uid>/agent-<vault id>.sock: one agent per vault.
func (g *globals) defaultAgentSocket(id []byte) (string, error) {
	return filepath.Join(g.agentDir(), "agent-"+hex.EncodeToString(id[:min(len(id), 8)])+".sock"), nil
}

// detachAgent starts the background copy of pkms, hands it the unlocked
// vault over a pipe and waits until it listens. The vault is closed here
// before the child opens it.
func (g *globals) detachAgent(v *vault.Vault, sock string, f *agentFlags) (int, error) {
	handoff, err := v.Handoff()
	path := v.Path()
	v.Close()
	if err != nil {
		return 0, &vaultError{err: err}
	}
	defer clear(handoff)
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	hr, hw, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	rr, rw, err := os.Pipe()
	if err != nil {
		hr.Close()
		hw.Close()
		return 0, err
	}
	args := []string{"agent", "--vault", path, "--socket", sock, "--handoff-fd", "3", "--ready-fd", "4",
		"--idle-timeout", f.idle.String(), "--max-lifetime", f.lifetime.String(), "--region", g.regionName()}
	child := exec.Command(exe, args...)
	child.ExtraFiles = []*os.File{hr, rw}
	child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	child.Dir = "/"
	err = child.Start()
	hr.Close()
	rw.Close()
	if err != nil {
		hw.Close()
		rr.Close()
		return 0, err
	}
	_, werr := hw.Write(handoff)
	hw.Close()
	line, _ := bufio.NewReader(io.LimitReader(rr, 4096)).ReadString('\n')
	rr.Close()
	if werr != nil || strings.TrimSpace(line) != "ok" {
		_ = child.Process.Kill()
		_ = child.Wait()
		msg := strings.TrimSpace(strings.TrimPrefix(line, "error: "))
		if msg == "" {
			msg = "the agent exited before it was ready"
		}
		return 0, &vaultError{err: errors.New("pkms agent: " + msg)}
	}
	pid := child.Process.Pid
	_ = child.Process.Release()
	return pid, nil
}

// runDetachedAgent is the background agent: it reads the vault from the
// handoff descriptor, listens, reports ready, and serves.
func (g *globals) runDetachedAgent(ctx context.Context, f *agentFlags) error {
	ready := os.NewFile(uintptr(f.readyFD), "ready")
	fail := func(err error) error {
		if ready != nil {
			fmt.Fprintf(ready, "error: %v\n", err)
			ready.Close()
		}
		return err
	}
	// Undumpable before the key arrives: from here on no other process of
	// this uid can read this one's memory or attach to it.
	g.hardenProcess()
	hf := os.NewFile(uintptr(f.handoffFD), "handoff")
	if hf == nil {
		return fail(errors.New("no handoff descriptor"))
	}
	path, err := g.vaultPath()
	if err != nil {
		hf.Close()
		return fail(err)
	}
	v, err := vault.ResumeFrom(path, hf, vault.Options{})
	hf.Close()
	if err != nil {
		return fail(err)
	}
	l, err := server.ListenAgent(f.socket)
	if err != nil {
		v.Close()
		return fail(err)
	}
	if ready != nil {
		fmt.Fprintln(ready, "ok")
		ready.Close()
	}
	return g.serveAgent(withSignals(ctx), v, l, f)
}

// hardenProcess makes this process undumpable before it holds the vault
// key (see server.HardenProcess); failing that it says so and goes on.
func (g *globals) hardenProcess() {
	if err := server.HardenProcess(); err != nil {
		fmt.Fprintf(g.env.stderr, "pkms: cannot make the process undumpable: %v\n", err)
	}
}

// newAgentServer builds the server over an unlocked vault; it owns v.
func (g *globals) newAgentServer(v *vault.Vault) *server.Server {
	if err := v.MemoryError(); err != nil {
		g.debugf("cannot lock the vault key in memory: %v", err)
	}
	s := server.New(g.backend(v))
	s.Region = g.regionName()
	s.IsVaultError = isVaultError
	s.Logf = func(format string, args ...any) { fmt.Fprintf(g.env.stderr, format+"\n", args...) }
	if g.debug {
		s.LogRequest = func(l server.RequestLog) { g.debugf("%s", l) }
	}
	s.Hooks = server.Control{
		VaultPath: v.Path(),
		Resume: func(r io.Reader) (*server.Backend, error) {
			nv, err := vault.ResumeFrom(v.Path(), r, vault.Options{})
			if err != nil {
				return nil, err
			}
			return g.backend(nv), nil
		},
	}
	return s
}

func (g *globals) backend(v *vault.Vault) *server.Backend {
	opts := g.serviceOptions()
	opts.GroupCommit = true // a long-lived server: concurrent writes share their commits
	svc := kms.New(kms.VaultStore(v), opts)
	return &server.Backend{Service: svc, Close: func() error {
		_ = svc.Close() // token sessions of custom key stores
		return v.Close()
	}}
}

// serveAgent serves until stopped and says why on stderr.
func (g *globals) serveAgent(ctx context.Context, v *vault.Vault, l *net.UnixListener, f *agentFlags) error {
	s := g.newAgentServer(v)
	err := server.ServeAgent(ctx, s, l, server.AgentOptions{IdleTimeout: f.idle, MaxLifetime: f.lifetime})
	switch {
	case err == nil, errors.Is(err, server.ErrStopped), errors.Is(err, context.Canceled):
		return nil
	case errors.Is(err, server.ErrIdle), errors.Is(err, server.ErrLifetime):
		fmt.Fprintf(g.env.stderr, "pkms agent: stopped: %v\n", err)
		return nil
	}
	return err
}

// controlClient returns a client for the agent named by --socket or
// PKMS_AGENT_SOCK.
func (g *globals) controlClient(socket string) (*server.Client, error) {
	if socket == "" {
		socket = g.agentSocket()
	}
	if socket == "" {
		return nil, &vaultError{err: errors.New("no agent: PKMS_AGENT_SOCK is not set"), hints: []string{"start one with: eval \"$(pkms agent)\""}}
	}
	return server.NewClient(socket, g.regionName()), nil
}

// agentSubcommand builds one of the commands that talk to a running
// agent (stop, lock, unlock, status): --socket, the client, the error
// mapping.
func agentSubcommand(g *globals, use, short, example string, run func(ctx context.Context, cl *server.Client) error) *cobra.Command {
	var socket string
	c := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cl, err := g.controlClient(socket)
			if err != nil {
				return err
			}
			if err := run(c.Context(), cl); err != nil {
				return agentError("PkmsAgent."+use, err)
			}
			return nil
		},
	}
	c.Flags().StringVar(&socket, "socket", "", "the agent's socket (default PKMS_AGENT_SOCK)")
	return c
}

var noInput = struct{}{}

func newCmdAgentStop(g *globals) *cobra.Command {
	return agentSubcommand(g, "stop", "Stop the agent: it forgets the vault key and removes its socket", `  # stop the agent and unset PKMS_AGENT_SOCK and PKMS_AGENT_PID
  eval "$(pkms agent)"
  pkms agent status
  eval "$(pkms agent stop)"`,
		func(ctx context.Context, cl *server.Client) error {
			if err := cl.Control(ctx, "Stop", noInput, nil); err != nil {
				return err
			}
			fmt.Fprint(g.env.stdout, "unset PKMS_AGENT_SOCK;\nunset PKMS_AGENT_PID;\n")
			return nil
		})
}

func newCmdAgentLock(g *globals) *cobra.Command {
	return agentSubcommand(g, "lock", "Make the agent forget the vault key (and release the vault file) until pkms agent unlock", `  # forget the vault key (the agent keeps running); unlock it again later
  eval "$(pkms agent)"
  pkms agent lock
  pkms agent status --query Locked
  pkms agent unlock
  eval "$(pkms agent stop)"`,
		func(ctx context.Context, cl *server.Client) error { return cl.Control(ctx, "Lock", noInput, nil) })
}

func newCmdAgentUnlock(g *globals) *cobra.Command {
	return agentSubcommand(g, "unlock", "Unlock a locked agent: unlocks the vault here and hands it to the agent", `  # unlock a locked agent: the passphrase is asked here (or read from
  # PKMS_PASSPHRASE_FILE) and the unlocked vault handed to the agent
  eval "$(pkms agent)"
  pkms agent lock
  pkms agent unlock
  pkms list-keys
  eval "$(pkms agent stop)"`,
		func(ctx context.Context, cl *server.Client) error {
			var st server.StatusOutput
			if err := cl.Control(ctx, "Status", noInput, &st); err != nil {
				return err
			}
			if g.vault == "" && st.Vault != "" {
				g.vault = st.Vault
			}
			v, err := g.unlockVault()
			if err != nil {
				return err
			}
			h, err := v.Handoff()
			v.Close()
			if err != nil {
				return &vaultError{err: err}
			}
			defer clear(h)
			return cl.Unlock(ctx, h)
		})
}

func newCmdAgentStatus(g *globals) *cobra.Command {
	return agentSubcommand(g, "status", "Show the agent's pid, vault and whether it is locked", `  # is an agent running, for which vault, and is it locked?
  eval "$(pkms agent)"
  pkms agent status
  eval "$(pkms agent stop)"`,
		func(ctx context.Context, cl *server.Client) error {
			var st server.StatusOutput
			if err := cl.Control(ctx, "Status", noInput, &st); err != nil {
				return err
			}
			return g.render("AgentStatus", st)
		})
}
