package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// DeriveKeyTo and HMACSHA256 must give exactly what the standard library's
// HKDF and HMAC give: vaults written before them must still open.
func TestDeriveKeyMatchesHKDF(t *testing.T) {
	for _, tc := range []struct {
		name  string
		root  []byte
		label string
	}{
		{"vault key", bytes.Repeat([]byte{7}, 32), "record id"},
		{"bucket", bytes.Repeat([]byte{0xfe}, 32), "record keys"},
		{"empty label", []byte("0123456789abcdef0123456789abcdef"), ""},
		{"short root", []byte{1}, "check"},
		{"long label", bytes.Repeat([]byte{3}, 32), strings.Repeat("x", 200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := hkdf.Key(sha256.New, tc.root, nil, "pkms v1 "+tc.label, KeySize)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DeriveKey(tc.root, tc.label)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("DeriveKey = %x, HKDF = %x", got, want)
			}
		})
	}
	if err := DeriveKeyTo(make([]byte, 16), []byte{1}, "x"); err == nil {
		t.Error("DeriveKeyTo accepted a 16-byte destination")
	}
}

func TestHMACSHA256MatchesHMAC(t *testing.T) {
	for _, tc := range []struct {
		name  string
		key   []byte
		parts [][]byte
	}{
		{"32-byte key", bytes.Repeat([]byte{9}, 32), [][]byte{[]byte("keys"), {0}, []byte("id")}},
		{"block key", bytes.Repeat([]byte{1}, 64), [][]byte{[]byte("m")}},
		{"long key", bytes.Repeat([]byte{2}, 100), [][]byte{[]byte("m")}},
		{"empty", nil, nil},
		{"two blocks of message", []byte("k"), [][]byte{bytes.Repeat([]byte("z"), 150)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := hmac.New(sha256.New, tc.key)
			m.Write(bytes.Join(tc.parts, nil))
			if got, want := HMACSHA256(tc.key, tc.parts...), m.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("HMACSHA256 = %x, want %x", got, want)
			}
		})
	}
}

// scrub must reach every object that holds a key: if a Go release adds a
// pointer to one of these types, scrub would silently skip it, so the test
// fails instead.
func TestScrubClearsKeyedObjects(t *testing.T) {
	key := bytes.Repeat([]byte{0x5a}, KeySize)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	h.Write(key)
	for _, tc := range []struct {
		name string
		obj  any
	}{{"AES block", block}, {"GCM", aead}, {"SHA-256", h}} {
		t.Run(tc.name, func(t *testing.T) {
			v := reflect.ValueOf(tc.obj)
			mem := unsafe.Slice((*byte)(v.UnsafePointer()), v.Type().Elem().Size())
			if bytes.Count(mem, []byte{0}) == len(mem) {
				t.Fatal("the object is all zeros before scrub")
			}
			if !scrub(tc.obj) {
				t.Fatalf("scrub refused %T", tc.obj)
			}
			if n := len(mem) - bytes.Count(mem, []byte{0}); n != 0 {
				t.Errorf("%d bytes of %T not cleared", n, tc.obj)
			}
		})
	}
	type withPointer struct {
		n int
		p *int
	}
	x := 1
	wp := &withPointer{n: 5, p: &x}
	if scrub(wp) || wp.n != 5 {
		t.Error("scrub overwrote a value holding pointers")
	}
}
