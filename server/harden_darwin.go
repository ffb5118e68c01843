package server

import "golang.org/x/sys/unix"

// hardenProcess refuses debuggers and other processes of the same uid
// attaching to the agent (PT_DENY_ATTACH), macOS's counterpart of Linux's
// PR_SET_DUMPABLE=0.
func hardenProcess() error { return unix.PtraceDenyAttach() }
