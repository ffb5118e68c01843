package vault

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/armor"
	bolt "go.etcd.io/bbolt"
)

// Export stream format (see the package documentation).
const (
	ExportFormat  = "pkms-vault-export"
	ExportVersion = 1

	// maxExportValue bounds a record value in an export (and so the memory
	// a hostile stream can make Import use for one line).
	maxExportValue = 32 << 20
	maxExportLine  = (maxExportValue+2)/3*4 + 64<<10
	importBatch    = 1024 // records per write transaction while importing
)

// ExportHeader is the first line of an export's plaintext.
type ExportHeader struct {
	Format  string    `json:"format"`   // always ExportFormat
	Version int       `json:"version"`  // ExportVersion
	VaultID string    `json:"vault_id"` // the exported vault's id, hex
	Created time.Time `json:"created"`  // when the export was made, UTC
	Records int       `json:"records"`  // the number of record lines that follow
}

// exportRecord is one record line. Exactly one of ID (a record id that is
// valid UTF-8) and IDBase64 (any other id) is present.
type exportRecord struct {
	Bucket   string  `json:"bucket"`
	ID       *string `json:"id,omitempty"`
	IDBase64 *[]byte `json:"id_base64,omitempty"`
	Value    *[]byte `json:"value"`
}

// Export writes every record of the vault as one age file encrypted to
// recipients (ASCII-armored if armored), which the stock age tool can
// decrypt; the plaintext is the versioned format of the package
// documentation. It reads one consistent snapshot (a read transaction) and
// never writes the vault. A record that does not open stops the export
// with ErrCorrupt; w then holds an unfinished age file that fails to
// decrypt, never a silently partial backup. It is refused, before any
// record is written, while a key slot fails its MAC (ErrSlotTampered) or a
// bucket differs from the content summary (ErrCorrupt). Plugin recipients
// run their plugin before the vault is read.
func (v *Vault) Export(w io.Writer, recipients []age.Recipient, armored bool) error {
	if len(recipients) == 0 {
		return errors.New("vault: export needs at least one recipient")
	}
	out := w
	var aw io.WriteCloser
	if armored {
		aw = armor.NewWriter(w)
		out = aw
	}
	ew, err := age.Encrypt(out, recipients...)
	if err != nil {
		return fmt.Errorf("vault: export: %w", pluginError(err))
	}
	bw := bufio.NewWriterSize(ew, 64<<10)
	err = v.runRaw(false, func(btx *bolt.Tx) (*userPanic, error) {
		if err := v.checkSlots(btx); err != nil {
			return nil, err
		}
		if err := v.checkSummary(btx); err != nil {
			return nil, fmt.Errorf("vault: export refused: %w", err)
		}
		data := btx.Bucket(bucketData)
		if data == nil {
			return nil, corruptf(v.path, "no data bucket")
		}
		hdr := ExportHeader{Format: ExportFormat, Version: ExportVersion, VaultID: hex.EncodeToString(v.id),
			Created: time.Now().UTC().Truncate(time.Second), Records: countEntries(data)}
		enc := json.NewEncoder(bw) // one object per line
		enc.SetEscapeHTML(false)
		if err := enc.Encode(hdr); err != nil {
			return nil, err
		}
		return nil, walkEntries(data, func(e entry) error {
			id, value, err := v.openEntry(v.keys, e)
			if err != nil {
				return fmt.Errorf("vault: export stopped: %w (run: pkms vault verify)", err)
			}
			defer clear(value)
			return writeExportRecord(enc, e.bucket, id, value)
		})
	})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("vault: export: %w", err)
	}
	if err := ew.Close(); err != nil {
		return fmt.Errorf("vault: export: %w", err)
	}
	if aw != nil {
		if err := aw.Close(); err != nil {
			return fmt.Errorf("vault: export: %w", err)
		}
	}
	return nil
}

// writeExportRecord writes one record line.
func writeExportRecord(enc *json.Encoder, bucket, id string, value []byte) error {
	if len(value) > maxExportValue {
		return fmt.Errorf("vault: export: a record of bucket %q has %d bytes, more than the export format's %d", bucket, len(value), maxExportValue)
	}
	if value == nil {
		value = []byte{} // "value" is always present: null is refused
	}
	rec := exportRecord{Bucket: bucket, Value: &value}
	if utf8.ValidString(id) {
		rec.ID = &id
	} else {
		raw := []byte(id)
		rec.IDBase64 = &raw
	}
	return enc.Encode(rec)
}

// Import creates a new vault at path from an export (armored or binary)
// decrypted with identities, with the key slots of opts as for Init. The new
// vault has a new id and key; records keep their buckets, ids and values.
// The whole stream is validated while the vault is built under a temporary
// name, so a damaged, truncated or malformed export (ErrInvalidExport, or
// age's decryption error) leaves nothing at path; ErrExists if path exists.
// It returns the export's header.
func Import(path string, r io.Reader, identities []age.Identity, opts InitOptions) (*ExportHeader, error) {
	path = absPath(path)
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if len(identities) == 0 {
		return nil, errors.New("vault: import needs an identity to decrypt the export")
	}
	br := bufio.NewReader(r)
	src := io.Reader(br)
	if start, _ := br.Peek(len(armor.Header)); string(start) == armor.Header {
		src = armor.NewReader(br)
	}
	plain, err := age.Decrypt(src, identities...)
	if err != nil {
		return nil, fmt.Errorf("vault: import: decrypting the export: %w", pluginError(err))
	}
	var hdr *ExportHeader
	opts.Setup = nil // the export brings its own records
	err = create(path, opts, func(v *Vault) error {
		var batch []exportRecord
		flush := func() error {
			err := v.Update(func(tx *Tx) error {
				for _, rec := range batch {
					if err := tx.Put(rec.Bucket, *rec.ID, *rec.Value); err != nil {
						return err
					}
				}
				return nil
			})
			batch = batch[:0]
			return err
		}
		var err error
		hdr, err = readExport(plain, func(bucket, id string, value []byte) error {
			batch = append(batch, exportRecord{Bucket: bucket, ID: &id, Value: &value})
			if len(batch) == importBatch {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		return flush()
	})
	if err != nil {
		return nil, err
	}
	return hdr, nil
}

// readExport parses and validates an export plaintext, calling fn for each
// record in order. It fails (ErrInvalidExport, or the reader's error) on an
// unknown format or version, a malformed line, an invalid bucket name or
// id, a duplicate record, a record count other than the header's, or
// anything after the last record.
func readExport(r io.Reader, fn func(bucket, id string, value []byte) error) (*ExportHeader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	line, err := readLine(br)
	if err != nil {
		return nil, err
	}
	if line == nil {
		return nil, invalidExport("empty stream")
	}
	hdr, err := parseExportHeader(line)
	if err != nil {
		return nil, err
	}
	seen := make(map[[32]byte]struct{}, min(hdr.Records, 1<<16))
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err != nil {
			return nil, err
		}
		if line == nil {
			if n-1 != hdr.Records {
				return nil, invalidExport("the header announces %d records, the stream holds %d", hdr.Records, n-1)
			}
			return hdr, nil
		}
		if n > hdr.Records {
			return nil, invalidExport("line %d: more records than the %d the header announces", n+1, hdr.Records)
		}
		bucket, id, value, err := parseExportRecord(line)
		if err != nil {
			return nil, invalidExport("line %d: %v", n+1, err)
		}
		h := sha256.New()
		h.Write([]byte(bucket))
		h.Write([]byte{0})
		h.Write([]byte(id))
		key := [32]byte(h.Sum(nil))
		if _, dup := seen[key]; dup {
			return nil, invalidExport("line %d: duplicate record (bucket %q)", n+1, bucket)
		}
		seen[key] = struct{}{}
		if err := fn(bucket, id, value); err != nil {
			return nil, err
		}
	}
}

func parseExportHeader(line []byte) (*ExportHeader, error) {
	// Format and version first, so that a newer export is reported as
	// such rather than as unknown fields.
	var probe struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(line, &probe); err != nil || probe.Format != ExportFormat {
		return nil, invalidExport("not a pkms vault export (the first line is not a %s header)", ExportFormat)
	}
	if probe.Version != ExportVersion {
		return nil, invalidExport("export version %d is not supported (this pkms reads version %d)", probe.Version, ExportVersion)
	}
	var hdr ExportHeader
	if err := strictJSON(line, &hdr); err != nil {
		return nil, invalidExport("header: %v", err)
	}
	if id, err := hex.DecodeString(hdr.VaultID); err != nil || len(id) != idSize {
		return nil, invalidExport("header: vault_id is not %d bytes of hex", idSize)
	}
	if hdr.Records < 0 || hdr.Created.IsZero() {
		return nil, invalidExport("header: invalid records count or creation time")
	}
	return &hdr, nil
}

func parseExportRecord(line []byte) (bucket, id string, value []byte, err error) {
	var rec exportRecord
	if err := strictJSON(line, &rec); err != nil {
		return "", "", nil, err
	}
	switch {
	case rec.ID != nil && rec.IDBase64 == nil:
		id = *rec.ID
	case rec.ID == nil && rec.IDBase64 != nil:
		id = string(*rec.IDBase64)
	default:
		return "", "", nil, errors.New(`want exactly one of "id" and "id_base64"`)
	}
	if rec.Value == nil {
		return "", "", nil, errors.New(`no "value"`)
	}
	if err := validBucket(rec.Bucket); err != nil {
		return "", "", nil, errors.New("invalid bucket name")
	}
	if err := validID(id); err != nil {
		return "", "", nil, errors.New("invalid record id")
	}
	if len(*rec.Value) > maxExportValue {
		return "", "", nil, errors.New("value too large")
	}
	return rec.Bucket, id, *rec.Value, nil
}

// strictJSON decodes exactly one JSON object of known fields from line,
// which must be valid UTF-8 (encoding/json would silently replace invalid
// bytes in strings).
func strictJSON(line []byte, v any) error {
	if !utf8.Valid(line) {
		return errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}

// readLine returns the next line without its "\n", or nil at the end of
// the stream. A last line without "\n" (a truncated plaintext) and a line
// longer than maxExportLine are ErrInvalidExport.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxExportLine+1 {
			return nil, invalidExport("a line is longer than %d bytes", maxExportLine)
		}
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(line) == 0:
			return nil, nil
		case err == io.EOF:
			return nil, invalidExport("the last line is incomplete (truncated stream)")
		default:
			return nil, fmt.Errorf("vault: import: reading the export: %w", err)
		}
	}
}

func invalidExport(format string, args ...any) error {
	return &vaultError{sentinel: ErrInvalidExport, msg: "vault: invalid vault export: " + fmt.Sprintf(format, args...)}
}
