//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package vault

import "os"

// releaseFlock is a no-op where bbolt does not lock with flock; closing the
// file is all that can be done.
func releaseFlock(*os.File) {}
