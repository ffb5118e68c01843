package crypto

import (
	"bytes"
	"crypto/aes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// kwpTestKEK returns a KEK of n bytes (0x00, 0x01, …).
func kwpTestKEK(n int) []byte {
	k := make([]byte, n)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

// kwpTestKey returns n bytes of key data with no zero bytes, so that a
// wrongly trimmed or extended result is visible.
func kwpTestKey(n int) []byte {
	k := make([]byte, n)
	for i := range k {
		k[i] = byte(0x11*i+0x5a) | 1
	}
	return k
}

// TestKeyWrapPadRFC5649Vectors checks RFC 5649 §6 (both vectors) and the
// RFC 3394 §4.1 vector for the shared wrapping core.
func TestKeyWrapPadRFC5649Vectors(t *testing.T) {
	kek := unhex(t, "5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8")
	for _, tc := range []struct{ name, key, wrapped string }{
		{"20 octets", "c37b7e6492584340 bed1220780894115 5068f738", "138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a"},
		{"7 octets", "466f7250617369", "afbeb0f07dfbf541 9200f2ccb50bb24f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, want := unhex(t, tc.key), unhex(t, tc.wrapped)
			got, err := KeyWrapPad(kek, key)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("KeyWrapPad = %x, %v; want %x", got, err, want)
			}
			back, err := KeyUnwrapPad(kek, want)
			if err != nil || !bytes.Equal(back, key) {
				t.Fatalf("KeyUnwrapPad = %x, %v; want %x", back, err, key)
			}
		})
	}
	t.Run("RFC 3394 core", func(t *testing.T) {
		block, _ := aes.NewCipher(unhex(t, "000102030405060708090A0B0C0D0E0F"))
		data := unhex(t, "00112233445566778899AABBCCDDEEFF")
		want := unhex(t, "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5")
		iv := [8]byte{0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6}
		if got := kwpWrapRaw(block, iv, data); !bytes.Equal(got, want) {
			t.Fatalf("wrap = %x, want %x", got, want)
		}
		if gotIV, got := kwpUnwrapRaw(block, want); gotIV != iv || !bytes.Equal(got, data) {
			t.Fatalf("unwrap = %x %x", gotIV, got)
		}
		// An RFC 3394 wrap is not an RFC 5649 wrap.
		_, err := KeyUnwrapPad(unhex(t, "000102030405060708090A0B0C0D0E0F"), want)
		wantErr(t, "KeyUnwrapPad(RFC 3394 output)", err, ErrAuth)
	})
}

// TestKeyWrapPadRoundTrip wraps 1..70 bytes under 128/192/256-bit KEKs and
// checks the output size, the unwrap, that every single-bit flip and every
// truncation fails, and that extending the value fails.
func TestKeyWrapPadRoundTrip(t *testing.T) {
	for _, kekLen := range []int{16, 24, 32} {
		kek := kwpTestKEK(kekLen)
		otherKEK := bytes.Clone(kek)
		otherKEK[0] ^= 0x80
		for n := 1; n <= 70; n++ {
			t.Run(fmt.Sprintf("kek%d/len%d", kekLen*8, n), func(t *testing.T) {
				key := kwpTestKey(n)
				w, err := KeyWrapPad(kek, key)
				if err != nil {
					t.Fatal(err)
				}
				if want := (n+7)/8*8 + 8; len(w) != want {
					t.Fatalf("wrapped length %d, want %d", len(w), want)
				}
				if w2, _ := KeyWrapPad(kek, key); !bytes.Equal(w, w2) {
					t.Fatal("KeyWrapPad is not deterministic")
				}
				got, err := KeyUnwrapPad(kek, w)
				if err != nil || !bytes.Equal(got, key) {
					t.Fatalf("KeyUnwrapPad = %x, %v; want %x", got, err, key)
				}
				for bit := range 8 * len(w) {
					c := bytes.Clone(w)
					c[bit/8] ^= 1 << (bit % 8)
					if got, err := KeyUnwrapPad(kek, c); !errors.Is(err, ErrAuth) {
						t.Fatalf("bit %d flipped: KeyUnwrapPad = %x, %v; want ErrAuth", bit, got, err)
					}
				}
				for l := range len(w) {
					if got, err := KeyUnwrapPad(kek, w[:l]); !errors.Is(err, ErrAuth) {
						t.Fatalf("truncated to %d: KeyUnwrapPad = %x, %v; want ErrAuth", l, got, err)
					}
				}
				for _, ext := range [][]byte{append(bytes.Clone(w), make([]byte, 8)...), append(make([]byte, 8), w...)} {
					if got, err := KeyUnwrapPad(kek, ext); !errors.Is(err, ErrAuth) {
						t.Fatalf("extended: KeyUnwrapPad = %x, %v; want ErrAuth", got, err)
					}
				}
				if got, err := KeyUnwrapPad(otherKEK, w); !errors.Is(err, ErrAuth) {
					t.Fatalf("other KEK: KeyUnwrapPad = %x, %v; want ErrAuth", got, err)
				}
			})
		}
	}
}

// TestKeyUnwrapPadIntegrityChecks forges wraps with chosen initial values
// and padding (through the raw core, which has no checks) so that each RFC
// 5649 check is shown to reject on its own, for the single-block and the
// RFC 3394 paths, and accepts at the edges of the valid MLI range.
func TestKeyUnwrapPadIntegrityChecks(t *testing.T) {
	kek := kwpTestKEK(32)
	block, _ := aes.NewCipher(kek)
	for _, blocks := range []int{1, 3} {
		total := 8 * blocks
		for _, tc := range []struct {
			name    string
			magic   uint32
			mli     int
			nonzero int // index of a non-zero byte in the padded plaintext, -1 for none
			want    error
		}{
			{"valid, no padding", kwpMagic, total, -1, nil},
			{"valid, 7 padding octets", kwpMagic, total - 7, -1, nil},
			{"valid, 3 padding octets", kwpMagic, total - 3, -1, nil},
			{"wrong constant", kwpMagic ^ 1, total, -1, ErrAuth},
			{"RFC 3394 constant", 0xA6A6A6A6, total, -1, ErrAuth},
			{"MLI 0", kwpMagic, 0, -1, ErrAuth},
			{"MLI one block short", kwpMagic, total - 8, -1, ErrAuth},
			{"MLI one past", kwpMagic, total + 1, -1, ErrAuth},
			{"MLI one block past", kwpMagic, total + 8, -1, ErrAuth},
			{"MLI max", kwpMagic, 0xFFFFFFFF, -1, ErrAuth},
			{"non-zero last padding octet", kwpMagic, total - 3, total - 1, ErrAuth},
			{"non-zero first padding octet", kwpMagic, total - 3, total - 3, ErrAuth},
			{"non-zero octet of a 7-octet padding", kwpMagic, total - 7, total - 4, ErrAuth},
			{"data octet before the padding may be non-zero", kwpMagic, total - 3, total - 4, nil},
		} {
			t.Run(fmt.Sprintf("%d blocks/%s", blocks, tc.name), func(t *testing.T) {
				padded := make([]byte, total)
				dataLen := min(max(tc.mli, 0), total)
				copy(padded, kwpTestKey(dataLen))
				if tc.nonzero >= 0 {
					padded[tc.nonzero] = 0x80
				}
				var aiv [8]byte
				binary.BigEndian.PutUint32(aiv[:4], tc.magic)
				binary.BigEndian.PutUint32(aiv[4:], uint32(tc.mli))
				got, err := KeyUnwrapPad(kek, kwpWrapRaw(block, aiv, padded))
				wantErr(t, "KeyUnwrapPad", err, tc.want)
				if tc.want == nil && !bytes.Equal(got, padded[:tc.mli]) {
					t.Fatalf("KeyUnwrapPad = %x, want %x", got, padded[:tc.mli])
				}
			})
		}
	}
}

func TestKeyWrapPadErrors(t *testing.T) {
	for _, n := range []int{0, 8, 15, 31, 33, 64} {
		_, err := KeyWrapPad(make([]byte, n), []byte("key"))
		wantErr(t, fmt.Sprintf("KeyWrapPad(%d-byte KEK)", n), err, ErrInvalidKey)
		_, err = KeyUnwrapPad(make([]byte, n), make([]byte, 16))
		wantErr(t, fmt.Sprintf("KeyUnwrapPad(%d-byte KEK)", n), err, ErrInvalidKey)
	}
	_, err := KeyWrapPad(kwpTestKEK(32), nil)
	wantErr(t, "KeyWrapPad(empty key)", err, ErrMessageLength)
	for _, w := range [][]byte{nil, make([]byte, 8), make([]byte, 15), make([]byte, 17), make([]byte, 23)} {
		_, err := KeyUnwrapPad(kwpTestKEK(32), w)
		wantErr(t, fmt.Sprintf("KeyUnwrapPad(%d bytes)", len(w)), err, ErrAuth)
	}
}

// TestOpenSSLKeyWrapPad compares KeyWrapPad with `openssl enc
// -id-aesN-wrap-pad -iv A65959A6` byte for byte, and has openssl unwrap
// what pkms wrapped.
func TestOpenSSLKeyWrapPad(t *testing.T) {
	o := newOpenSSL(t)
	for _, kekLen := range []int{16, 24, 32} {
		cipherName := fmt.Sprintf("-id-aes%d-wrap-pad", kekLen*8)
		kek := kwpTestKEK(kekLen)
		for _, n := range []int{1, 7, 8, 9, 16, 20, 31, 32, 33, 64, 70} {
			key := kwpTestKey(n)
			o.file("key.bin", key)
			o.must("enc", cipherName, "-K", hex.EncodeToString(kek), "-iv", "A65959A6", "-in", "key.bin", "-out", "wrapped.bin")
			want := o.read("wrapped.bin")
			got, err := KeyWrapPad(kek, key)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s, %d bytes: KeyWrapPad = %x, %v; openssl %x", cipherName, n, got, err, want)
			}
			o.file("ours.bin", got)
			o.must("enc", "-d", cipherName, "-K", hex.EncodeToString(kek), "-iv", "A65959A6", "-in", "ours.bin", "-out", "back.bin")
			if back := o.read("back.bin"); !bytes.Equal(back, key) {
				t.Fatalf("%s, %d bytes: openssl unwrapped %x, want %x", cipherName, n, back, key)
			}
		}
	}
}

// FuzzKeyUnwrapPad: arbitrary bytes never panic, and unwrap under a fixed
// KEK only if they are the (deterministic) wrap of what they unwrap to.
func FuzzKeyUnwrapPad(f *testing.F) {
	kek := kwpTestKEK(32)
	for _, n := range []int{1, 7, 8, 9, 20, 32, 64} {
		w, err := KeyWrapPad(kek, kwpTestKey(n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(w)
	}
	f.Add(unhex(f, "afbeb0f07dfbf541 9200f2ccb50bb24f")) // RFC 5649 vector, another KEK
	f.Add([]byte{})
	f.Add(make([]byte, 15))
	f.Add(make([]byte, 16))
	f.Add(make([]byte, 24))
	f.Fuzz(func(t *testing.T, wrapped []byte) {
		key, err := KeyUnwrapPad(kek, wrapped)
		if err != nil {
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("error %v, want ErrAuth", err)
			}
			return
		}
		again, err := KeyWrapPad(kek, key)
		if err != nil || !bytes.Equal(again, wrapped) {
			t.Fatalf("%x unwrapped to %x, which wraps to %x, %v", wrapped, key, again, err)
		}
	})
}
