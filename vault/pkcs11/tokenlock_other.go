//go:build cgo && !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package pkcs11

// lockTokens does nothing where there is no flock.
func lockTokens() func() { return func() {} }
