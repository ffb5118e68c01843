package server

import "golang.org/x/sys/unix"

// HardenProcess refuses debuggers and other processes of the same uid
// attaching to the agent (PT_DENY_ATTACH), macOS's counterpart of Linux's
// PR_SET_DUMPABLE=0.
func HardenProcess() error { return unix.PtraceDenyAttach() }
