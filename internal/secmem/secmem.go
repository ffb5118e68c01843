// Package secmem keeps secrets (the vault key and the keys derived from it)
// in memory that the Go runtime never manages: pages mapped on their own,
// locked against swapping (mlock), excluded from core dumps
// (MADV_DONTDUMP) and fenced by inaccessible guard pages. The garbage
// collector never copies or frees them, so one Destroy overwrites the only
// copy; a []byte from make would be moved, duplicated by append and left
// in freed heap memory until reused.
//
// The system calls come from github.com/awnumar/memcall, the layer under
// the memguard library; memguard itself is not used because it panics when
// mlock fails (RLIMIT_MEMLOCK), and pkms must report that, not crash.
package secmem

import (
	"errors"
	"os"
	"sync"

	"github.com/awnumar/memcall"
)

// Buffer is a fixed-size block of locked memory. Its zero value is not
// usable; see New. Bytes must not be used after Destroy.
type Buffer struct {
	mu      sync.Mutex
	all     []byte // guard page ‖ inner pages ‖ guard page
	inner   []byte // the usable pages
	size    int
	lockErr error
}

// New maps size bytes (rounded up to whole pages) between two guard pages.
// When the memory cannot be locked (RLIMIT_MEMLOCK, an OS without mlock)
// the buffer is still returned and usable, and LockError says why.
func New(size int) (*Buffer, error) {
	if size <= 0 {
		return nil, errors.New("secmem: size must be positive")
	}
	page := os.Getpagesize()
	n := (size + page - 1) / page * page
	all, err := memcall.Alloc(n + 2*page)
	if err != nil {
		return nil, err
	}
	b := &Buffer{all: all, inner: all[page : page+n : page+n], size: size}
	b.lockErr = memcall.Lock(b.inner)
	if err := errors.Join(memcall.Protect(all[:page], memcall.NoAccess()),
		memcall.Protect(all[page+n:], memcall.NoAccess())); err != nil {
		_ = memcall.Free(all)
		return nil, err
	}
	return b, nil
}

// Bytes is the buffer's memory, size bytes long.
func (b *Buffer) Bytes() []byte { return b.inner[:b.size:b.size] }

// LockError is nil if the buffer is locked in RAM, else why it is not.
func (b *Buffer) LockError() error { return b.lockErr }

// Destroy overwrites the buffer, unlocks and unmaps it. It is idempotent.
func (b *Buffer) Destroy() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.all == nil {
		return
	}
	clear(b.inner)
	if b.lockErr == nil {
		_ = memcall.Unlock(b.inner)
	}
	_ = memcall.Free(b.all) // makes the guard pages writable, wipes, unmaps
	b.all, b.inner, b.size = nil, nil, 0
}
