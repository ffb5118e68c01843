//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package vault

import (
	"os"
	"syscall"
)

// releaseFlock drops bbolt's flock on f. Closing f alone is not enough after
// bbolt panicked inside Open: its memory mapping keeps the open file (and so
// the lock) alive.
func releaseFlock(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
