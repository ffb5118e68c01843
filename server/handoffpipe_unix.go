//go:build linux || darwin || freebsd

package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// A locked agent is unlocked with a vault handoff, which is as secret as
// the vault key. Sent inside the request body it would stay behind in the
// HTTP server's read buffer, which the agent cannot wipe. So `pkms agent
// unlock` writes it into a named pipe in a fresh 0700 directory and sends
// only the pipe's path: the agent reads the handoff from the kernel's pipe
// buffer straight into locked memory.

// handoffPipeTimeout bounds how long the agent waits for the handoff.
const handoffPipeTimeout = 5 * time.Second

// Unlock hands a locked agent a vault handoff through a named pipe. The
// handoff stays the caller's to clear.
func (c *Client) Unlock(ctx context.Context, handoff []byte) error {
	dir, err := os.MkdirTemp("", "pkms-unlock-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "handoff")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		return err
	}
	// Read-write: the open does not wait for a reader, and the pipe (with
	// the handoff in it) lives until the agent has answered.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(handoff); err != nil {
		return err
	}
	return c.Control(ctx, "Unlock", UnlockInput{HandoffPipe: path}, nil)
}

// openHandoffPipe opens the named pipe of an Unlock request for reading,
// with a deadline; anything but a named pipe is refused.
func openHandoffPipe(path string) (*os.File, error) {
	if !filepath.IsAbs(path) {
		return nil, errors.New("the handoff pipe must be an absolute path")
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, errors.New("cannot open the handoff pipe")
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		f.Close()
		return nil, errors.New("the handoff path is not a named pipe")
	}
	if err := f.SetReadDeadline(time.Now().Add(handoffPipeTimeout)); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
