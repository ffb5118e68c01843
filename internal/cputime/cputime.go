// Package cputime measures the CPU time this process has used, for
// benchmarks that compare two configurations on a shared machine: the wall
// clock moves with whatever else the machine runs, the process's own CPU
// time per operation much less.
package cputime

import (
	"syscall"
	"time"
)

// Used is the user and system CPU time of the whole process so far.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Since is the CPU time used since start (a value of Used).
func Since(start time.Duration) time.Duration { return Used() - start }
