package param

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

func TestBlobBase64(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // "" with wantErr
		wantErr  string
	}{
		{name: "padded", in: "aGVsbG8=", want: "hello"},
		{name: "no padding needed", in: "aGVsbG8h", want: "hello!"},
		{name: "double padding", in: "YQ==", want: "a"},
		{name: "empty", in: "", want: ""},
		{name: "unpadded", in: "aGVsbG8", wantErr: `Invalid base64: "aGVsbG8"`},
		{name: "one char too many", in: "abcde", wantErr: `Invalid base64: "abcde"`},
		{name: "plain text", in: "hello", wantErr: `Invalid base64: "hello"`},
		{name: "spaces and newline dropped", in: "aGV sbG8=\n", want: "hello"},
		{name: "non-alphabet dropped", in: "aGVs-bG8*=", want: "hello"},
		{name: "urlsafe chars dropped", in: "_-YQ==", want: "a"},
		{name: "data after padding ignored", in: "YQ==YQ==", want: "a"},
		{name: "padding in the middle", in: "ab=c=", want: "i\xb7"},
		{name: "only padding", in: "====", want: ""},
		{name: "binary result", in: "AP8Q", want: "\x00\xff\x10"},
		{name: "non-ASCII", in: "héllo", wantErr: "string argument should contain only ASCII characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, format := range []string{FormatBase64, ""} {
				got, err := Blob("--plaintext", tt.in, format)
				if tt.wantErr != "" {
					if err == nil || err.Error() != tt.wantErr {
						t.Fatalf("Blob(%q, %q) = %q, %v; want error %q", tt.in, format, got, err, tt.wantErr)
					}
					continue
				}
				if err != nil || !bytes.Equal(got, []byte(tt.want)) {
					t.Fatalf("Blob(%q, %q) = %q, %v; want %q", tt.in, format, got, err, tt.want)
				}
			}
		})
	}
}

func TestBlobRaw(t *testing.T) {
	got, err := Blob("--plaintext", "héllo wörld", FormatRawInBase64Out)
	want := []byte{0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f, 0x20, 0x77, 0xc3, 0xb6, 0x72, 0x6c, 0x64}
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("raw: got % x, %v; want % x", got, err, want)
	}
	// v2 never fetches URLs: the value is the text itself.
	got, err = Blob("--plaintext", "https://example.com/x", FormatRawInBase64Out)
	if err != nil || string(got) != "https://example.com/x" {
		t.Errorf("https value: got %q, %v", got, err)
	}
	// Base64 text is not decoded in raw mode.
	got, err = Blob("--plaintext", "aGVsbG8=", FormatRawInBase64Out)
	if err != nil || string(got) != "aGVsbG8=" {
		t.Errorf("raw base64 text: got %q, %v", got, err)
	}
	_, err = Blob("--plaintext", "x", "hex")
	if err == nil {
		t.Error("unknown binary format accepted")
	}
}

func TestBlobFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	binary := "\x00\xff\xfe\r\n\x80binary"
	writeFile(t, "ct.bin", binary)
	writeFile(t, "plain.txt", "line1\nline2\n")
	writeFile(t, "crlf.txt", "a\r\nb\rc")
	writeFile(t, "b64.txt", "aGVsbG8=\n")
	writeFile(t, "bad.txt", "caf\xe9")
	if err := os.Mkdir("d", 0o700); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, "x.bin"), "\x01\x02")
	t.Setenv("HOME", home)
	t.Setenv("PKMS_TEST_DIR", dir)

	tests := []struct {
		name, in, format, want, wantErr string
	}{
		{name: "fileb binary, base64 mode", in: "fileb://ct.bin", format: FormatBase64, want: binary},
		{name: "fileb binary, raw mode", in: "fileb://ct.bin", format: FormatRawInBase64Out, want: binary},
		{name: "fileb absolute", in: "fileb://" + filepath.Join(dir, "ct.bin"), format: FormatBase64, want: binary},
		{name: "file text keeps newlines", in: "file://plain.txt", format: FormatRawInBase64Out, want: "line1\nline2\n"},
		{name: "file text universal newlines", in: "file://crlf.txt", format: FormatRawInBase64Out, want: "a\nb\nc"},
		{name: "file base64 text decoded", in: "file://b64.txt", format: FormatBase64, want: "hello"},
		{name: "file text not base64", in: "file://plain.txt", format: FormatBase64,
			wantErr: "Invalid base64: \"line1\nline2\n\""},
		{name: "tilde", in: "fileb://~/x.bin", format: FormatBase64, want: "\x01\x02"},
		{name: "$VAR", in: "fileb://$PKMS_TEST_DIR/home/x.bin", format: FormatBase64, want: "\x01\x02"},
		{name: "${VAR}", in: "fileb://${PKMS_TEST_DIR}/home/x.bin", format: FormatBase64, want: "\x01\x02"},
		{name: "file invalid UTF-8", in: "file://bad.txt", format: FormatRawInBase64Out,
			wantErr: "Error parsing parameter '--plaintext': Unable to load paramfile (bad.txt), text contents " +
				"could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of " +
				"the file:// prefix."},
		{name: "file invalid UTF-8 expanded path", in: "file://~/../bad.txt", format: FormatBase64,
			wantErr: "Error parsing parameter '--plaintext': Unable to load paramfile (" + home + "/../bad.txt), " +
				"text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix " +
				"instead of the file:// prefix."},
		{name: "missing fileb", in: "fileb://no-such-file.bin", format: FormatBase64,
			wantErr: "Error parsing parameter '--plaintext': Unable to load paramfile fileb://no-such-file.bin: " +
				"[Errno 2] No such file or directory: 'no-such-file.bin'"},
		{name: "missing file with $HOME", in: "file://$HOME/nope", format: FormatBase64,
			wantErr: "Error parsing parameter '--plaintext': Unable to load paramfile file://$HOME/nope: " +
				"[Errno 2] No such file or directory: '" + home + "/nope'"},
		{name: "unset variable kept", in: "fileb://$PKMS_UNSET_VAR_X/a", format: FormatBase64,
			wantErr: "Error parsing parameter '--plaintext': Unable to load paramfile fileb://$PKMS_UNSET_VAR_X/a: " +
				"[Errno 2] No such file or directory: '$PKMS_UNSET_VAR_X/a'"},
		{name: "directory", in: "fileb://d", format: FormatBase64,
			wantErr: "Error parsing parameter '--plaintext': Unable to load paramfile fileb://d: " +
				"[Errno 21] Is a directory: 'd'"},
		{name: "empty path", in: "fileb://", format: FormatBase64,
			wantErr: "Error parsing parameter '--plaintext': Unable to load paramfile fileb://: " +
				"[Errno 2] No such file or directory: ''"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Blob("--plaintext", tt.in, tt.format)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Blob(%q) = %q, %v\nwant error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, []byte(tt.want)) {
				t.Fatalf("Blob(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestLoadValue(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "p.json", "{\"a\": 1}\n")
	tests := []struct {
		in, want string
		isFileb  bool
	}{
		{"plain", "plain", false},
		{"", "", false},
		{"file://p.json", "{\"a\": 1}\n", false},
		{"fileb://p.json", "{\"a\": 1}\n", true},
		{"FILE://p.json", "FILE://p.json", false},
		{"http://example.com/p.json", "http://example.com/p.json", false},
		{" file://p.json", " file://p.json", false},
	}
	for _, tt := range tests {
		got, isFileb, err := LoadValue("--policy", tt.in)
		if err != nil || string(got) != tt.want || isFileb != tt.isFileb {
			t.Errorf("LoadValue(%q) = %q, %v, %v; want %q, %v", tt.in, got, isFileb, err, tt.want, tt.isFileb)
		}
	}
}

func TestExpandVars(t *testing.T) {
	t.Setenv("PKMS_A", "x")
	t.Setenv("PKMS_EMPTY", "")
	tests := []struct{ in, want string }{
		{"no vars", "no vars"},
		{"$PKMS_A/y", "x/y"},
		{"${PKMS_A}y", "xy"},
		{"$PKMS_Ay", "$PKMS_Ay"},
		{"$PKMS_EMPTY/y", "/y"},
		{"$ $/ ${} ${PKMS_A", "$ $/ ${} ${PKMS_A"},
		{"$PKMS_A$PKMS_A", "xx"},
		{"a$", "a$"},
	}
	for _, tt := range tests {
		if got := expandVars(tt.in); got != tt.want {
			t.Errorf("expandVars(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	t.Setenv("HOME", "/home/u/")
	for in, want := range map[string]string{"~": "/home/u", "~/x": "/home/u/x", "a/~": "a/~", "~no-such-user-pkms/x": "~no-such-user-pkms/x"} {
		if got := expandUser(in); got != want {
			t.Errorf("expandUser(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzBlobBase64(f *testing.F) {
	for _, s := range []string{"aGVsbG8=", "aGVsbG8", "YQ==YQ==", "ab=c=", "héllo", "", "====", "AP8Q\n", "a b c d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if isParamfile(s) {
			t.Skip()
		}
		got, err := Blob("--plaintext", s, FormatBase64)
		if err != nil && err.Error() == "" {
			t.Fatal("empty error text")
		}
		if err == nil && isCanonicalBase64(s) {
			want, _ := base64.StdEncoding.DecodeString(s)
			if !bytes.Equal(got, want) {
				t.Fatalf("Blob(%q) = %x, encoding/base64 says %x", s, got, want)
			}
		}
		// Any bytes survive a round trip through their base64 text.
		enc := base64.StdEncoding.EncodeToString([]byte(s))
		if back, err := Blob("--plaintext", enc, FormatBase64); err != nil || !bytes.Equal(back, []byte(s)) {
			t.Fatalf("round trip of %q: %x, %v", s, back, err)
		}
		if raw, err := Blob("--plaintext", s, FormatRawInBase64Out); err != nil || string(raw) != s {
			t.Fatalf("raw %q: %q, %v", s, raw, err)
		}
	})
}

func isParamfile(s string) bool {
	return len(s) >= 7 && (s[:7] == "file://" || (len(s) >= 8 && s[:8] == "fileb://"))
}

// isCanonicalBase64 reports whether encoding/base64 and Python agree on s by
// construction: only alphabet characters and padding at the very end.
func isCanonicalBase64(s string) bool {
	_, err := base64.StdEncoding.Strict().DecodeString(s)
	return err == nil
}

// TestErrorKinds: AWS CLI v2 exits 252 for its parameter errors and 255 for
// a value it cannot convert; Usage tells the two apart.
func TestErrorKinds(t *testing.T) {
	_, b64 := Blob("--plaintext", "aGVsbG8", FormatBase64)
	_, ascii := Blob("--plaintext", "héllo", FormatBase64)
	_, notInt := Int("1.5")
	_, _, file := LoadValue("--plaintext", "fileb:///nonexistent/file")
	tests := []struct {
		name  string
		err   error
		usage bool
	}{
		{"invalid base64", b64, false},
		{"non-ASCII blob", ascii, false},
		{"int()", notInt, false},
		{"unreadable paramfile", file, true},
		{"parameter validation", validationError("--tags", []string{"x"}), true},
	}
	for _, tt := range tests {
		pe, ok := tt.err.(*Error)
		if !ok {
			t.Fatalf("%s: %T %v, want *Error", tt.name, tt.err, tt.err)
		}
		if pe.Usage() != tt.usage {
			t.Errorf("%s: Usage() = %v, want %v", tt.name, pe.Usage(), tt.usage)
		}
	}
}
