package server

import "errors"

// HardenProcess is not implemented on FreeBSD (procctl PROC_TRACE_CTL is
// not in golang.org/x/sys/unix); the agent says so when it starts.
func HardenProcess() error { return errors.New("not supported on this OS") }
