//go:build cgo && (linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package pkcs11

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Some modules do not survive several processes discovering and logging in
// to tokens at the same moment: SoftHSM2 then reports a present token as
// absent (measured: 8 of 100 `pkms encrypt` processes, 20 at a time, with a
// key in a custom key store). Opening a key store token is therefore
// serialised between the processes of a user with a lock file; what follows
// (encrypting in an open session) runs in parallel. The agent and
// `pkms serve` open the session once, so only one-shot commands wait.

// lockTokens takes the user's token-opening lock and returns its release.
// Locking is best effort: if the lock file cannot be used, nothing waits.
func lockTokens() func() {
	name := filepath.Join(os.TempDir(), fmt.Sprintf("pkms-pkcs11-%d.lock", os.Getuid()))
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return func() {}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}
