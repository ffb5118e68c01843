package secmem

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// mapping returns the /proc/self/maps line of the mapping holding addr
// ("" if none).
func mapping(t *testing.T, addr uintptr) string {
	t.Helper()
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skip("no /proc/self/maps on this OS")
	}
	for _, l := range strings.Split(string(maps), "\n") {
		var lo, hi uintptr
		if _, err := fmt.Sscanf(l, "%x-%x", &lo, &hi); err == nil && lo <= addr && addr < hi {
			return l
		}
	}
	return ""
}

func TestBuffer(t *testing.T) {
	for _, size := range []int{1, 100, 4096, 5000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			b, err := New(size)
			if err != nil {
				t.Fatal(err)
			}
			mem := b.Bytes()
			if len(mem) != size || cap(mem) != size {
				t.Fatalf("len %d cap %d, want %d", len(mem), cap(mem), size)
			}
			for i := range mem {
				if mem[i] != 0 {
					t.Fatal("new buffer not zeroed")
				}
				mem[i] = 0xA5
			}
			addr := uintptr(unsafe.Pointer(&mem[0]))
			page := uintptr(os.Getpagesize())
			if os.Geteuid() == 0 && b.LockError() != nil {
				t.Errorf("root could not lock the buffer: %v", b.LockError())
			}
			if l := mapping(t, addr); !strings.Contains(l, " rw-p ") {
				t.Errorf("buffer mapping %q, want rw-p", l)
			}
			// Guard pages on both sides.
			for _, g := range []uintptr{addr - 1, addr + (uintptr(size)+page-1)/page*page} {
				if l := mapping(t, g); !strings.Contains(l, " ---p ") {
					t.Errorf("guard page at %#x: mapping %q, want ---p", g, l)
				}
			}
			b.Destroy()
			b.Destroy() // idempotent
			if b.Bytes() != nil {
				t.Error("Bytes after Destroy is not nil")
			}
			if l := mapping(t, addr); l != "" {
				t.Errorf("buffer still mapped after Destroy: %q", l)
			}
		})
	}
	if _, err := New(0); err == nil {
		t.Error("New(0) succeeded")
	}
}
