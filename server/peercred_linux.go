package server

import "golang.org/x/sys/unix"

// socketPeerUID is the peer's uid by SO_PEERCRED.
func socketPeerUID(fd int) (int, error) {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}

// HardenProcess keeps the process's memory out of core dumps and away from
// ptrace and /proc/PID/mem of other processes of the same uid
// (PR_SET_DUMPABLE=0). Call it before the process holds a key.
func HardenProcess() error { return unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }
