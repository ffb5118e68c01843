package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/server"
)

// `pkms exec -- CMD` is the agent for one script: unlock once, serve a
// private agent on a fresh socket for exactly as long as CMD runs, and
// exit with CMD's status. Nothing outlives the script.

// exitStatus makes pkms exit with a code and no message (CMD's own).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func newCmdExec(g *globals) *cobra.Command {
	f := &agentFlags{}
	c := &cobra.Command{
		Use:   "exec [flags] -- COMMAND [ARGS...]",
		Short: "Unlock once and run a command with a private agent that stops when it exits",
		Long: `Unlock the vault once, start a private agent on a fresh socket, run
COMMAND with PKMS_AGENT_SOCK set, stop the agent when COMMAND exits, and
exit with COMMAND's status. SIGTERM and SIGHUP are passed on to COMMAND.`,
		Example: `  # sign every file of a release with one unlock: each pkms inside uses the private agent
  K=$(pkms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
  mkdir dist && echo one > dist/a.txt && echo two > dist/b.txt
  pkms exec -- sh -c 'for f in dist/*.txt; do
      pkms sign --key-id "$0" --message fileb://$f --signing-algorithm ECDSA_SHA_256 \
          --query Signature --output text > $f.sig
    done' "$K"
  ls dist`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return g.runExec(c.Context(), f, args) },
	}
	f.bind(c, 0, false)
	c.Flags().SetInterspersed(false)
	return c
}

func (g *globals) runExec(ctx context.Context, f *agentFlags, args []string) error {
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintf(g.env.stderr, "pkms exec: %s: command not found\n", args[0])
		return exitStatus(127)
	}
	g.hardenProcess() // CMD, once exec'd, is dumpable again
	v, err := g.unlockVault()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "pkms-exec-")
	if err != nil {
		v.Close()
		return err
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "agent.sock")
	l, err := server.ListenAgent(sock)
	if err != nil {
		v.Close()
		return &vaultError{err: err}
	}
	graceful.Store(true) // Ctrl-C reaches CMD too; pkms waits for it
	agentCtx, stopAgent := context.WithCancel(context.Background())
	agentDone := make(chan error, 1)
	go func() { agentDone <- g.serveAgent(agentCtx, v, l, f) }()
	defer func() {
		stopAgent()
		<-agentDone
	}()

	child := exec.Command(path, args[1:]...)
	child.Args[0] = args[0]
	child.Env = append(os.Environ(), "PKMS_AGENT_SOCK="+sock)
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, g.env.stdout, g.env.stderr
	if err := child.Start(); err != nil {
		fmt.Fprintf(g.env.stderr, "pkms exec: %s: %v\n", args[0], err)
		return exitStatus(126)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	waited := make(chan error, 1)
	go func() { waited <- child.Wait() }()
	for {
		select {
		case s := <-sigs:
			_ = child.Process.Signal(s)
		case err := <-waited:
			return childStatus(err)
		}
	}
}

// childStatus is the exit status a shell would report for the child:
// its exit code, or 128+N when signal N killed it.
func childStatus(err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return exitStatus(128 + int(ws.Signal()))
		}
		return exitStatus(ee.ExitCode())
	}
	return err
}
