package cmd

import (
	"bufio"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
)

func newCmdVaultExport(g *globals) *cobra.Command {
	var (
		armor          bool
		recipients     []string
		recipientFiles []string
		outFile        string
	)
	c := &cobra.Command{
		Use:   "export -r RECIPIENT... [-o FILE]",
		Short: "Back up every record as one age file that the stock age tool can decrypt",
		Long: `Write every record of the vault to one age file encrypted to the given
recipients. The stock age tool decrypts it (age -d -i key.txt backup.age);
the plaintext is JSON lines, format "pkms-vault-export" version 1: a header
line, then one line per record (see the vault package documentation).
pkms vault import restores it into a new vault.

Without -o the file goes to standard output, which must not be a terminal
unless --armor is given. With -o it is written to a temporary file next to
FILE (mode 0600) and renamed into place only when complete.`,
		Example: `  # a backup that the stock age tool decrypts; keep backup-key.txt somewhere else
  age-keygen -o backup-key.txt 2> /dev/null
  pkms vault export -r "$(age-keygen -y backup-key.txt)" -o backup.age
  age -d -i backup-key.txt backup.age | head -c 40; echo`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			for _, file := range recipientFiles {
				rs, err := readRecipientsFile(file)
				if err != nil {
					return usagef("--recipients-file %s: %v", file, err)
				}
				recipients = append(recipients, rs...)
			}
			if len(recipients) == 0 {
				return usagef("give at least one --recipient (-r) or --recipients-file (-R)")
			}
			if outFile == "" && !armor && isTerminal(g.env.stdout) {
				return usagef("refusing to write a binary export to a terminal; use --armor or -o FILE")
			}
			k, err := g.newKeyring()
			if err != nil {
				return err
			}
			defer k.close()
			// Parsed before unlocking, so that a bad recipient asks for
			// nothing; a plugin recipient runs its plugin only to wrap.
			rs := make([]vault.Recipient, 0, len(recipients))
			for _, s := range recipients {
				r, err := parseRecipient(s, k.ui)
				if err != nil {
					return usagef("--recipient: %v", err)
				}
				rs = append(rs, r)
			}
			v, err := g.unlockWith(k)
			if err != nil {
				return err
			}
			defer v.Close()
			write := func(w io.Writer) error { return v.Export(w, rs, armor) }
			if outFile == "" {
				err = write(g.env.stdout)
			} else {
				err = writeFileAtomic(outFile, write)
			}
			if rerr := g.recordVault(c.Context(), v, "ExportVault", true, map[string]any{"recipients": len(rs), "armor": armor}, err); rerr != nil {
				return rerr
			}
			if err != nil {
				return vaultFailure(err)
			}
			return nil
		},
	}
	f := c.Flags()
	f.BoolVarP(&armor, "armor", "a", false, "write ASCII-armored (PEM-style) age")
	f.StringArrayVarP(&recipients, "recipient", "r", nil, "age recipient of the export (age1..., age1pq1..., age1<plugin>1...); repeatable")
	f.StringArrayVarP(&recipientFiles, "recipients-file", "R", nil, "file of age recipients, one per line (# comments); repeatable")
	f.StringVarP(&outFile, "output-file", "o", "", "write to FILE (atomically) instead of standard output")
	return c
}

// readRecipientsFile reads recipient strings from a file as age's -R does:
// one per line, blank lines and # comments ignored.
func readRecipientsFile(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(io.LimitReader(f, 16<<20))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no recipients found")
	}
	return out, nil
}

type vaultImportOutput struct {
	VaultPath       string         `json:"VaultPath"`
	VaultId         string         `json:"VaultId"`
	Records         int            `json:"Records"`
	ExportedVaultId string         `json:"ExportedVaultId"`
	ExportCreated   *kms.Timestamp `json:"ExportCreated"`
	Slots           []vaultSlot    `json:"Slots"`
}

func newCmdVaultImport(g *globals) *cobra.Command {
	var slots newSlotFlags
	c := &cobra.Command{
		Use:   "import FILE",
		Short: "Restore an export into a new vault, with key slots chosen as for vault init",
		Long: `Decrypt an export made by pkms vault export (FILE, or - for standard input)
with the identities of --identity-file (or PKMS_IDENTITY_FILE; plugin
identities such as AGE-PLUGIN-YUBIKEY-1... work too) and restore it into a
new vault at --vault (or PKMS_VAULT). The new vault gets a new id, a new
vault key and the key slots the flags choose, as for pkms vault init. The
whole export is checked while the vault is built under a temporary name,
so a damaged or truncated export leaves nothing behind.`,
		Example: `  # restore a backup as a new vault, here opened by an age identity only
  K=$(pkms create-key --description "in the backup" --query KeyMetadata.KeyId --output text)
  age-keygen -o backup-key.txt 2> /dev/null
  pkms vault export -r "$(age-keygen -y backup-key.txt)" -o backup.age
  pkms vault import backup.age --identity-file backup-key.txt --vault restored.pkms \
      --recipient "$(age-keygen -y backup-key.txt)" --no-passphrase
  pkms describe-key --vault restored.pkms --identity-file backup-key.txt --key-id "$K" \
      --query KeyMetadata.Description --output text`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path, k, err := g.newVault()
			if err != nil {
				return err
			}
			defer k.close()
			if len(k.identities) == 0 {
				return usagef("vault import needs the identity that decrypts the export: --identity-file or PKMS_IDENTITY_FILE")
			}
			in, closeIn, err := g.openInput(args[0])
			if err != nil {
				return usagef("%v", err)
			}
			defer closeIn()
			opts, err := g.initOptions(&slots, k)
			if err != nil {
				return newVaultError(path, err)
			}
			hdr, err := vault.Import(path, in, k.identities, opts)
			if err != nil {
				return vaultFailure(err)
			}
			h, err := vault.ReadHeader(path)
			if err != nil {
				return &vaultError{err: err}
			}
			return g.render("VaultImport", &vaultImportOutput{VaultPath: path, VaultId: hex.EncodeToString(h.ID),
				Records: hdr.Records, ExportedVaultId: hdr.VaultID, ExportCreated: kms.NewTimestamp(hdr.Created), Slots: slotsOf(h.Slots)})
		},
	}
	slots.register(c)
	return c
}

// openInput opens a file argument; "-" is standard input.
func (g *globals) openInput(name string) (io.Reader, func(), error) {
	if name == "-" {
		return g.env.stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// writeFileAtomic writes path through write: to a temporary file (mode
// 0600) in the same directory, synced, then renamed over path, so path
// never holds a partial file. On failure the temporary file is removed.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
