//go:build linux || darwin || freebsd

package server

import "net"

// peerUID returns the uid of the process at the other end of a unix socket
// connection, as the kernel reports it (socketPeerUID), not from anything
// the peer sent.
func peerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	uid, serr := -1, error(nil)
	if err := raw.Control(func(fd uintptr) { uid, serr = socketPeerUID(int(fd)) }); err != nil {
		return -1, err
	}
	if serr != nil {
		return -1, serr
	}
	return uid, nil
}
