//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package vault

import (
	"io"
	"os"
	"syscall"
)

// mapFile returns a reader over a read-only mapping of f's first size
// bytes, so that the page check costs no system call per page. A file
// truncated under the mapping faults when read: callers run with
// debug.SetPanicOnFault and recover, as for bbolt's own mapping.
func mapFile(f *os.File, size int64) (io.ReaderAt, func(), error) {
	if size <= 0 || int64(int(size)) != size {
		return f, func() {}, nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return f, func() {}, nil // fall back to reading the file
	}
	return mappedFile(data), func() { _ = syscall.Munmap(data) }, nil
}

type mappedFile []byte

func (m mappedFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(m)) {
		return 0, io.EOF
	}
	n := copy(p, m[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
