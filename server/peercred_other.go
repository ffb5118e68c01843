//go:build !linux

package server

import (
	"errors"
	"net"
)

// peerUID is only implemented on Linux; elsewhere the agent relies on its
// socket's 0700 directory and 0600 mode alone, and says so.
func peerUID(*net.UnixConn) (int, error) {
	return -1, errors.New("peer credentials are not supported on this OS")
}

func hardenProcess() error { return errors.New("not supported on this OS") }

// LockMemory is not supported on this OS.
func LockMemory([]byte) error { return errors.New("not supported on this OS") }
