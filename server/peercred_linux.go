//go:build linux

package server

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerUID returns the uid of the process at the other end of a unix socket
// connection, from the kernel (SO_PEERCRED), not from anything it sent.
func peerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	var cred *unix.Ucred
	var serr error
	if err := raw.Control(func(fd uintptr) {
		cred, serr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return -1, err
	}
	if serr != nil {
		return -1, serr
	}
	return int(cred.Uid), nil
}

// hardenProcess keeps the agent's memory out of core dumps and away from
// ptrace by other processes of the same uid (PR_SET_DUMPABLE=0).
func hardenProcess() error { return unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }

// LockMemory keeps b out of swap where the OS allows it (RLIMIT_MEMLOCK).
func LockMemory(b []byte) error { return unix.Mlock(b) }
