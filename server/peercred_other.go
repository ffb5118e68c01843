//go:build !linux && !darwin && !freebsd

package server

import (
	"errors"
	"net"
)

// peerUID is implemented on Linux (SO_PEERCRED), macOS and FreeBSD
// (LOCAL_PEERCRED); elsewhere the agent cannot tell who connects, so it
// refuses every connection.
func peerUID(*net.UnixConn) (int, error) {
	return -1, errors.New("peer credentials are not supported on this OS")
}

// HardenProcess is not supported on this OS.
func HardenProcess() error { return errors.New("not supported on this OS") }
