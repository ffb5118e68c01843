package vault

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// rec is one logical record, as exported.
type rec struct {
	Bucket, ID string
	Value      []byte
}

// sampleRecords are records that stress the export encoding: an id that is
// not UTF-8, an empty value, JSON and HTML metacharacters, binary values.
func sampleRecords(n int) []rec {
	out := []rec{
		{"keys", "\xff\xfe not utf-8", []byte("binary id")},
		{"keys", "empty value", []byte{}},
		{"aliases", `alias/"quoted" <tag> & \ é`, []byte("{\"json\":\"inside\"}\n")},
		{"grants", "bin", []byte{0, 1, 2, 0xff, '\n'}},
	}
	for i := range n {
		out = append(out, rec{[]string{"keys", "aliases", "audit"}[i%3], fmt.Sprintf("id-%05d", i), []byte(fmt.Sprintf("value %d", i))})
	}
	return out
}

// fillRecords creates a vault (passphrase "pw") holding recs.
func fillRecords(t testing.TB, recs []rec) (string, *Vault) {
	t.Helper()
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	if err := v.Update(func(tx *Tx) error {
		for _, r := range recs {
			if err := tx.Put(r.Bucket, r.ID, r.Value); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return path, v
}

func recordSet(recs []rec) map[string]string {
	m := map[string]string{}
	for _, r := range recs {
		m[r.Bucket+"\x00"+r.ID] = string(r.Value)
	}
	return m
}

// parsePlain parses an export plaintext with the package's parser.
func parsePlain(plain []byte) (*ExportHeader, []rec, error) {
	var recs []rec
	hdr, err := readExport(bytes.NewReader(plain), func(b, id string, v []byte) error {
		recs = append(recs, rec{b, id, v})
		return nil
	})
	return hdr, recs, err
}

// encodePlain writes an export plaintext with the encoders Export uses.
func encodePlain(t testing.TB, hdr ExportHeader, recs []rec) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(hdr); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := writeExportRecord(enc, r.Bucket, r.ID, r.Value); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func encryptTo(t testing.TB, plain []byte, r age.Recipient) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The stock age tool (Debian's age 1.1, X25519 only) decrypts an export,
// binary or armored, and the plaintext is the documented format.
func TestExportStockAge(t *testing.T) {
	const ageBin = "/usr/bin/age"
	if _, err := os.Stat(ageBin); err != nil {
		t.Skip("no", ageBin)
	}
	recs := sampleRecords(20)
	_, v := fillRecords(t, recs)
	x := newX25519(t)
	dir := t.TempDir()
	idFile := filepath.Join(dir, "identity.txt")
	if err := os.WriteFile(idFile, []byte(x.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, armored := range []bool{false, true} {
		t.Run(fmt.Sprintf("armor=%v", armored), func(t *testing.T) {
			var out bytes.Buffer
			if err := v.Export(&out, []age.Recipient{x.Recipient()}, armored); err != nil {
				t.Fatalf("Export: %v", err)
			}
			if got := bytes.HasPrefix(out.Bytes(), []byte(armor.Header)); got != armored {
				t.Fatalf("armored = %v, want %v", got, armored)
			}
			file := filepath.Join(dir, fmt.Sprintf("backup-%v.age", armored))
			if err := os.WriteFile(file, out.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd := exec.Command(ageBin, "-d", "-i", idFile, file)
			cmd.Stderr = &stderr
			plain, err := cmd.Output()
			if err != nil {
				t.Fatalf("age -d: %v: %s", err, stderr.String())
			}
			first, _, _ := bytes.Cut(plain, []byte("\n"))
			var hdr map[string]any
			if err := json.Unmarshal(first, &hdr); err != nil {
				t.Fatalf("first line %q: %v", first, err)
			}
			created, _ := time.Parse(time.RFC3339, fmt.Sprint(hdr["created"]))
			if hdr["format"] != "pkms-vault-export" || hdr["version"] != 1.0 || hdr["vault_id"] != hex.EncodeToString(v.ID()) ||
				hdr["records"] != float64(len(recs)) || time.Since(created) > time.Hour || len(hdr) != 5 {
				t.Errorf("header = %v", hdr)
			}
			if n := bytes.Count(plain, []byte("\n")); n != len(recs)+1 {
				t.Errorf("%d lines, want %d", n, len(recs)+1)
			}
			_, got, err := parsePlain(plain)
			if err != nil {
				t.Fatalf("parsing the plaintext: %v", err)
			}
			if !reflect.DeepEqual(recordSet(got), recordSet(recs)) {
				t.Errorf("exported records differ")
			}
			if !bytes.Contains(plain, []byte(`"id_base64":"//4gbm90IHV0Zi04"`)) || !bytes.Contains(plain, []byte(`"id":"alias/\"quoted\" <tag> & \\ é"`)) {
				t.Errorf("ids not encoded as documented:\n%s", plain[:min(len(plain), 600)])
			}
		})
	}
}

func TestExportImport(t *testing.T) {
	recs := sampleRecords(2500) // more than one import batch
	_, v := fillRecords(t, recs)
	x, z := newX25519(t), newX25519(t)
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		to      []age.Recipient
		with    age.Identity
		armored bool
	}{
		{"x25519", []age.Recipient{x.Recipient(), z.Recipient()}, x, false},
		{"x25519 armored", []age.Recipient{x.Recipient()}, x, true},
		{"post-quantum", []age.Recipient{pq.Recipient()}, pq, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := v.Export(&out, tc.to, tc.armored); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "restored.pkms")
			hdr, err := Import(path, &out, []age.Identity{tc.with}, InitOptions{
				Passphrase: []byte("new"), ScryptWorkFactor: testWF, Recipients: []string{z.Recipient().String()}, NoSync: true})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if hdr.Records != len(recs) || hdr.VaultID != hex.EncodeToString(v.ID()) {
				t.Errorf("header %+v", hdr)
			}
			for _, creds := range []Credentials{{Passphrase: passFn("new")}, {Identities: []age.Identity{z}}} {
				w, err := Unlock(path, creds, testOpts)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Equal(w.ID(), v.ID()) {
					t.Error("the restored vault has the old id")
				}
				for _, r := range recs {
					if got, err := get(w, r.Bucket, r.ID); err != nil || got != string(r.Value) {
						t.Fatalf("Get %s %q = %q, %v", r.Bucket, r.ID, got, err)
					}
				}
				rep, err := w.Verify(nil)
				if err != nil || !rep.OK() || rep.Records != len(recs) {
					t.Errorf("Verify = %+v, %v", rep, err)
				}
				w.Close()
			}
		})
	}
}

func TestImportRejects(t *testing.T) {
	x, other := newX25519(t), newX25519(t)
	recs := sampleRecords(3)
	_, v := fillRecords(t, recs)
	var good bytes.Buffer
	if err := v.Export(&good, []age.Recipient{x.Recipient()}, false); err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	hdr := ExportHeader{Format: ExportFormat, Version: ExportVersion, VaultID: strings.Repeat("ab", 16), Created: time.Now().UTC().Truncate(time.Second), Records: 2}
	two := []rec{{"keys", "a", []byte("1")}, {"keys", "b", []byte("2")}}
	plain := encodePlain(t, hdr, two)
	headerLine, _, _ := bytes.Cut(plain, []byte("\n"))
	line := func(s string) string { return string(headerLine) + "\n" + s + "\n" }
	withHdr := func(edit func(h *ExportHeader)) []byte {
		h := hdr
		edit(&h)
		return encodePlain(t, h, two)
	}
	enc := func(p []byte) []byte { return encryptTo(t, p, x.Recipient()) }
	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }

	tests := []struct {
		name    string
		input   []byte
		invalid bool   // ErrInvalidExport (the plaintext decrypted)
		msg     string // in the error
	}{
		{name: "flipped payload byte", input: flip(g, len(g)-20)},
		{name: "flipped header byte", input: flip(g, 40)},
		{name: "truncated to half", input: g[:len(g)/2]},
		{name: "truncated by one byte", input: g[:len(g)-1]},
		{name: "empty", input: nil},
		{name: "not age", input: []byte("hello\n")},
		{name: "not an export", input: enc([]byte("hello\n")), invalid: true, msg: "not a pkms vault export"},
		{name: "empty plaintext", input: enc(nil), invalid: true, msg: "empty stream"},
		{name: "newer version", input: enc(withHdr(func(h *ExportHeader) { h.Version = 2 })), invalid: true, msg: "export version 2 is not supported"},
		{name: "other format", input: enc(withHdr(func(h *ExportHeader) { h.Format = "something-else" })), invalid: true, msg: "not a pkms vault export"},
		{name: "bad vault id", input: enc(withHdr(func(h *ExportHeader) { h.VaultID = "zz" })), invalid: true, msg: "vault_id"},
		{name: "count too high", input: enc(withHdr(func(h *ExportHeader) { h.Records = 3 })), invalid: true, msg: "announces 3 records, the stream holds 2"},
		{name: "count too low", input: enc(withHdr(func(h *ExportHeader) { h.Records = 1 })), invalid: true, msg: "more records than the 1"},
		{name: "negative count", input: enc(withHdr(func(h *ExportHeader) { h.Records = -1 })), invalid: true, msg: "invalid records count"},
		{name: "unknown header field", input: enc(bytes.Replace(plain, []byte(`"records":2`), []byte(`"records":2,"extra":1`), 1)), invalid: true, msg: "unknown field \"extra\""},
		{name: "duplicate record", input: enc(encodePlain(t, hdr, []rec{two[0], two[0]})), invalid: true, msg: "duplicate record"},
		{name: "duplicate binary id", input: enc(encodePlain(t, hdr, []rec{{"k", "\xff", []byte{}}, {"k", "\xff", []byte("x")}})), invalid: true, msg: "duplicate record"},
		{name: "malformed record", input: enc([]byte(line(`{"bucket":`) + "x\n")), invalid: true, msg: "malformed JSON"},
		{name: "unknown record field", input: enc([]byte(line(`{"bucket":"k","id":"a","value":"","x":1}`) + `{"bucket":"k","id":"b","value":""}` + "\n")), invalid: true, msg: "unknown field \"x\""},
		{name: "id and id_base64", input: enc([]byte(line(`{"bucket":"k","id":"a","id_base64":"YQ==","value":""}`) + `{"bucket":"k","id":"b","value":""}` + "\n")), invalid: true, msg: "exactly one of"},
		{name: "no id", input: enc([]byte(line(`{"bucket":"k","value":""}`) + `{"bucket":"k","id":"b","value":""}` + "\n")), invalid: true, msg: "exactly one of"},
		{name: "empty id", input: enc([]byte(line(`{"bucket":"k","id":"","value":""}`) + `{"bucket":"k","id":"b","value":""}` + "\n")), invalid: true, msg: "invalid record id"},
		{name: "null value", input: enc([]byte(line(`{"bucket":"k","id":"a","value":null}`) + `{"bucket":"k","id":"b","value":""}` + "\n")), invalid: true, msg: "no \"value\""},
		{name: "bad base64", input: enc([]byte(line(`{"bucket":"k","id":"a","value":"!!"}`) + `{"bucket":"k","id":"b","value":""}` + "\n")), invalid: true, msg: "malformed JSON"},
		{name: "invalid bucket", input: enc([]byte(line(`{"bucket":"a\u0007b","id":"a","value":""}`) + `{"bucket":"k","id":"b","value":""}` + "\n")), invalid: true, msg: "invalid bucket name"},
		{name: "not UTF-8", input: enc([]byte(line("{\"bucket\":\"k\",\"id\":\"\xff\",\"value\":\"\"}") + `{"bucket":"k","id":"b","value":""}` + "\n")), invalid: true, msg: "not valid UTF-8"},
		{name: "trailing data on a line", input: enc([]byte(line(`{"bucket":"k","id":"a","value":""} {}`) + `{"bucket":"k","id":"b","value":""}` + "\n")), invalid: true, msg: "data after the JSON object"},
		{name: "no final newline", input: enc(plain[:len(plain)-1]), invalid: true, msg: "incomplete"},
		{name: "data after the records", input: enc(append(bytes.Clone(plain), "\n"...)), invalid: true, msg: "more records than the 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "restored.pkms")
			_, err := Import(path, bytes.NewReader(tc.input), []age.Identity{x}, InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: testWF, NoSync: true})
			if err == nil {
				t.Fatal("Import accepted it")
			}
			if errors.Is(err, ErrInvalidExport) != tc.invalid || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v; want ErrInvalidExport: %v, with %q", err, tc.invalid, tc.msg)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a failed Import left %v", entries)
			}
		})
	}
	// The good export imports, but not with another identity or over an
	// existing file.
	dir := t.TempDir()
	path := filepath.Join(dir, "v.pkms")
	opts := InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: testWF, NoSync: true}
	if _, err := Import(path, bytes.NewReader(g), []age.Identity{other}, opts); err == nil || errors.Is(err, ErrInvalidExport) {
		t.Errorf("Import with the wrong identity: %v", err)
	}
	if _, err := Import(path, bytes.NewReader(g), []age.Identity{x}, opts); err != nil {
		t.Fatal(err)
	}
	before := fileHash(t, path)
	if _, err := Import(path, bytes.NewReader(g), []age.Identity{x}, opts); !errors.Is(err, ErrExists) {
		t.Errorf("Import over a vault: %v", err)
	}
	if fileHash(t, path) != before {
		t.Error("existing vault changed")
	}
}

// A vault with a damaged record does not export: the error names the
// record, and what was written is not a decryptable backup.
func TestExportDamaged(t *testing.T) {
	path, v := fillRecords(t, sampleRecords(10))
	rk := v.recordKey("keys", "id-00000")
	marker := v.marker("keys", rk)
	v.Close()
	flipInFile(t, path, storedValue(t, path, "keys", rk))
	v = mustUnlock(t, path, "pw")
	x := newX25519(t)
	var out bytes.Buffer
	err := v.Export(&out, []age.Recipient{x.Recipient()}, false)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), marker) {
		t.Fatalf("Export = %v, want ErrCorrupt naming %s", err, marker)
	}
	r, err := age.Decrypt(&out, x)
	if err == nil {
		_, err = io.ReadAll(r)
	}
	if err == nil {
		t.Fatal("the unfinished export decrypts")
	}
	if err := v.Export(&out, nil, false); err == nil {
		t.Error("Export without recipients succeeded")
	}
}

func FuzzImportStream(f *testing.F) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hdr := ExportHeader{Format: ExportFormat, Version: ExportVersion, VaultID: strings.Repeat("0f", 16), Created: created}
	valid := func(recs []rec) []byte {
		h := hdr
		h.Records = len(recs)
		return encodePlain(f, h, recs)
	}
	seeds := [][]byte{
		valid(sampleRecords(2)),
		valid(nil),
		valid([]rec{{"keys", "a", []byte("x")}, {"keys", "a", []byte("y")}}),
		valid(sampleRecords(0))[:40],
		[]byte("{}\n"),
		[]byte(`{"format":"pkms-vault-export","version":2}` + "\n"),
		nil,
	}
	// The valid seeds must parse, or the target proves little.
	if _, got, err := parsePlain(seeds[0]); err != nil || len(got) != 6 {
		f.Fatalf("valid seed: %d records, %v", len(got), err)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, recs, err := parsePlain(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidExport) {
				t.Fatalf("error is not ErrInvalidExport: %v", err)
			}
			return
		}
		if h.Records != len(recs) {
			t.Fatalf("header says %d records, parsed %d", h.Records, len(recs))
		}
		seen := map[string]bool{}
		for _, r := range recs {
			if validBucket(r.Bucket) != nil || validID(r.ID) != nil || seen[r.Bucket+"\x00"+r.ID] {
				t.Fatalf("accepted record %q %q", r.Bucket, r.ID)
			}
			seen[r.Bucket+"\x00"+r.ID] = true
		}
		// What was accepted survives re-encoding unchanged.
		h2, recs2, err := parsePlain(encodePlain(t, *h, recs))
		if err != nil || !reflect.DeepEqual(h2, h) || len(recs2) != len(recs) || !reflect.DeepEqual(recordSet(recs2), recordSet(recs)) {
			t.Fatalf("re-encoded stream differs: %v", err)
		}
	})
}
