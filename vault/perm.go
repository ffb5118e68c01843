package vault

import (
	"io/fs"
	"os"
)

// OpenToOthers returns the permission bits of the vault file at path when
// they let anyone but its owner at it (group or other bits set); zero when
// they do not or the file cannot be examined. The file is encrypted, but whoever can
// copy it can try passphrases offline, and whoever can write it can damage
// it: callers warn, as ssh does about a private key file. Init creates the
// file 0600.
func OpenToOthers(path string) fs.FileMode {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return perm
	}
	return 0
}
