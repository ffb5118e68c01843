package crypto

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpen(t *testing.T) {
	key := testKey(1)
	sealed, err := Seal(rand.Reader, key, []byte("record"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		key    []byte
		sealed []byte
		aad    []byte
		ok     bool
	}{
		{"intact", key, sealed, []byte("aad"), true},
		{"other key", testKey(2), sealed, []byte("aad"), false},
		{"other aad", key, sealed, []byte("aae"), false},
		{"truncated", key, sealed[:len(sealed)-1], []byte("aad"), false},
		{"too short", key, sealed[:5], []byte("aad"), false},
		{"empty", key, nil, []byte("aad"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := Open(tc.key, tc.sealed, tc.aad)
			if tc.ok {
				if err != nil || string(pt) != "record" {
					t.Fatalf("Open = %q, %v", pt, err)
				}
				return
			}
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("Open = %q, %v; want ErrAuth", pt, err)
			}
		})
	}
	if _, err := Seal(rand.Reader, []byte("short"), nil, nil); err == nil {
		t.Fatal("Seal accepted a 5-byte key")
	}
}

func TestEncryptionContextAAD(t *testing.T) {
	a := EncryptionContextAAD(map[string]string{"purpose": "demo", "stage": "test"})
	b := EncryptionContextAAD(map[string]string{"stage": "test", "purpose": "demo"})
	if !bytes.Equal(a, b) {
		t.Fatal("order of pairs changes the encoding")
	}
	distinct := []map[string]string{
		nil,
		{"a": ""},
		{"": "a"},
		{"ab": "c"},
		{"a": "bc"},
		{"a": "b", "c": "d"},
		{"a": "b,c=d"},
		{"A": "b"},
	}
	seen := map[string]int{}
	for i, c := range distinct {
		enc := string(EncryptionContextAAD(c))
		if j, dup := seen[enc]; dup {
			t.Errorf("contexts %v and %v encode the same", distinct[j], c)
		}
		seen[enc] = i
	}
	if !bytes.Equal(EncryptionContextAAD(nil), EncryptionContextAAD(map[string]string{})) {
		t.Error("nil and empty contexts differ")
	}
}

func testBlob(t *testing.T) ([]byte, []byte, [MaterialIDSize]byte) {
	t.Helper()
	var mid [MaterialIDSize]byte
	mid[0] = 7
	key := testKey(3)
	blob, err := EncryptBlob(rand.Reader, key, "1234abcd-12ab-34cd-56ef-1234567890ab", mid, []byte("secret"), map[string]string{"p": "q"})
	if err != nil {
		t.Fatal(err)
	}
	return blob, key, mid
}

func TestBlobRoundTrip(t *testing.T) {
	blob, key, mid := testBlob(t)
	b, err := ParseBlob(blob)
	if err != nil {
		t.Fatal(err)
	}
	if b.KeyID != "1234abcd-12ab-34cd-56ef-1234567890ab" || b.MaterialID != mid {
		t.Fatalf("parsed %q %x", b.KeyID, b.MaterialID)
	}
	pt, err := b.Decrypt(key, map[string]string{"p": "q"})
	if err != nil || string(pt) != "secret" {
		t.Fatalf("Decrypt = %q, %v", pt, err)
	}
	if len(blob) != len("secret")+BlobOverhead(len(b.KeyID)) {
		t.Fatalf("blob is %d bytes, overhead formula says %d", len(blob), len("secret")+BlobOverhead(len(b.KeyID)))
	}
	for _, ctx := range []map[string]string{nil, {"p": "r"}, {"p": "q", "x": "y"}} {
		if _, err := b.Decrypt(key, ctx); !errors.Is(err, ErrAuth) {
			t.Errorf("context %v decrypted: %v", ctx, err)
		}
	}
}

// TestBlobEveryBitFlip flips each bit of a blob in turn: a flip in the
// header (magic, version, key id, material id, header check) fails to parse,
// so it is never looked up as another key; any other flip fails to
// authenticate. Nothing decrypts.
func TestBlobEveryBitFlip(t *testing.T) {
	blob, key, _ := testBlob(t)
	hdrEnd := 6 + int(blob[5]) + MaterialIDSize + headerCheckSize
	for i := range blob {
		for bit := 0; bit < 8; bit++ {
			c := append([]byte(nil), blob...)
			c[i] ^= 1 << bit
			b, err := ParseBlob(c)
			if i < hdrEnd {
				if !errors.Is(err, ErrMalformedBlob) {
					t.Fatalf("flipping bit %d of header byte %d parses (key id %q): %v", bit, i, b.KeyID, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("flipping bit %d of byte %d after the header: ParseBlob %v", bit, i, err)
			}
			if pt, err := b.Decrypt(key, map[string]string{"p": "q"}); !errors.Is(err, ErrAuth) {
				t.Fatalf("flipping bit %d of byte %d: Decrypt = %q, %v", bit, i, pt, err)
			}
		}
	}
}

// blobV1Vector is a version 1 blob as pkms wrote it before version 2: key
// bytes 0x00..0x1f, material id 0xa0..0xbf, key id
// 1234abcd-12ab-34cd-56ef-1234567890ab, context purpose=compat.
const blobV1Vector = "504b4d53012431323334616263642d313261622d333463642d353665662d313233343536373839306162" +
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf" +
	"e347d235414344c4b317c638e7bae40bbbbb7e539a6001ffd567ca5b60092943f0a291ef5ad30bd9f23c6f97a4cc"

// TestBlobVersion1StillDecrypts: ciphertexts made before the header check
// existed still parse and decrypt, and are still authenticated.
func TestBlobVersion1StillDecrypts(t *testing.T) {
	v1, err := hex.DecodeString(blobV1Vector)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, KeySize)
	var mid [MaterialIDSize]byte
	for i := range key {
		key[i], mid[i] = byte(i), byte(0xa0+i)
	}
	b, err := ParseBlob(v1)
	if err != nil {
		t.Fatal(err)
	}
	if b.KeyID != "1234abcd-12ab-34cd-56ef-1234567890ab" || b.MaterialID != mid {
		t.Fatalf("parsed key id %q, material %x", b.KeyID, b.MaterialID)
	}
	pt, err := b.Decrypt(key, map[string]string{"purpose": "compat"})
	if err != nil || string(pt) != "pkms v1 ciphertext" {
		t.Fatalf("Decrypt = %q, %v", pt, err)
	}
	if _, err := b.Decrypt(key, nil); !errors.Is(err, ErrAuth) {
		t.Fatalf("decrypted without its context: %v", err)
	}
	// Rewriting a version 2 blob as version 1 (dropping its check) does not
	// make it decrypt: the version byte is part of the additional data.
	v2, key2, _ := testBlob(t)
	n := int(v2[5])
	down := append(append([]byte(nil), v2[:6+n+MaterialIDSize]...), v2[6+n+MaterialIDSize+headerCheckSize:]...)
	down[4] = 1
	if b, err := ParseBlob(down); err == nil {
		if _, err := b.Decrypt(key2, map[string]string{"p": "q"}); !errors.Is(err, ErrAuth) {
			t.Fatalf("a version 2 blob rewritten as version 1 decrypts: %v", err)
		}
	}
}

func TestParseBlobRejects(t *testing.T) {
	blob, _, _ := testBlob(t)
	badCheck := append([]byte(nil), blob...)
	badCheck[6+int(blob[5])+MaterialIDSize] ^= 0x80
	tests := map[string][]byte{
		"empty":        nil,
		"magic":        append([]byte("XKMS"), blob[4:]...),
		"version":      append(append([]byte("PKMS"), 3), blob[5:]...),
		"zero id len":  append(append([]byte("PKMS\x02"), 0), blob[6:]...),
		"id too long":  append(append([]byte("PKMS\x02"), 255), blob[6:]...),
		"short":        blob[:40],
		"ctl in id":    append(append([]byte("PKMS\x02\x01"), 0x01), blob[7:]...),
		"header check": badCheck,
	}
	for name, b := range tests {
		if _, err := ParseBlob(b); !errors.Is(err, ErrMalformedBlob) {
			t.Errorf("%s: ParseBlob = %v, want ErrMalformedBlob", name, err)
		}
	}
}

func TestDeriveKeySeparatesLabels(t *testing.T) {
	root := testKey(9)
	a, _ := DeriveKey(root, "record keys")
	b, _ := DeriveKey(root, "record aliases")
	a2, _ := DeriveKey(root, "record keys")
	if bytes.Equal(a, b) || !bytes.Equal(a, a2) || len(a) != KeySize {
		t.Fatal("DeriveKey is not a deterministic per-label KDF")
	}
}

// FuzzParseBlob: no input makes the ciphertext parser panic, and whatever
// parses does not decrypt under an unrelated key.
func FuzzParseBlob(f *testing.F) {
	var mid [MaterialIDSize]byte
	good, _ := EncryptBlob(rand.Reader, testKey(3), "k", mid, []byte("x"), nil)
	f.Add(good)
	if v1, err := hex.DecodeString(blobV1Vector); err == nil {
		f.Add(v1)
	}
	f.Add([]byte("PKMS\x01"))
	f.Add([]byte{})
	f.Add(append([]byte("PKMS\x01\xff"), make([]byte, 300)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		blob, err := ParseBlob(b)
		if err != nil {
			return
		}
		if len(blob.KeyID) == 0 || len(blob.KeyID) > 255 {
			t.Fatalf("parsed key id of length %d", len(blob.KeyID))
		}
		if _, err := blob.Decrypt(testKey(4), nil); err == nil {
			t.Fatal("decrypted under an unrelated key")
		}
	})
}

func BenchmarkEncryptBlob(b *testing.B) {
	var mid [MaterialIDSize]byte
	key := testKey(3)
	pt := make([]byte, 1024)
	ctx := map[string]string{"purpose": "bench"}
	for b.Loop() {
		if _, err := EncryptBlob(rand.Reader, key, "1234abcd-12ab-34cd-56ef-1234567890ab", mid, pt, ctx); err != nil {
			b.Fatal(err)
		}
	}
}
