package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"filippo.io/age"
	"golang.org/x/term"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
)

// env is the process environment and standard streams, injectable so that
// tests run commands in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// tty opens the controlling terminal for prompts; nil means /dev/tty.
	tty func() (*os.File, error)
}

// vaultPath is where the vault lives: --vault, else PKMS_VAULT, else
// ${XDG_DATA_HOME:-$HOME/.local/share}/pkms/vault.pkms.
func (g *globals) vaultPath() (string, error) {
	if g.vault != "" {
		return g.vault, nil
	}
	if p := g.env.getenv("PKMS_VAULT"); p != "" {
		return p, nil
	}
	data := g.env.getenv("XDG_DATA_HOME")
	if data == "" {
		home := g.env.getenv("HOME")
		if home == "" {
			return "", &vaultError{err: errors.New("cannot locate the vault: HOME is not set"), hints: []string{"pass --vault PATH or set PKMS_VAULT"}}
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "pkms", "vault.pkms"), nil
}

// region is --region, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.
func (g *globals) regionName() string {
	for _, r := range []string{g.region, g.env.getenv("AWS_REGION"), g.env.getenv("AWS_DEFAULT_REGION")} {
		if r != "" {
			return r
		}
	}
	return kms.DefaultRegion
}

// identities loads the age identities named by --identity-file or
// PKMS_IDENTITY_FILE, for identity slots.
func (g *globals) identities() ([]age.Identity, error) {
	path := g.identityFile
	if path == "" {
		path = g.env.getenv("PKMS_IDENTITY_FILE")
	}
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &vaultError{err: fmt.Errorf("reading identity file: %w", err)}
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, &vaultError{err: fmt.Errorf("identity file %s: %w", path, err)}
	}
	return ids, nil
}

// passphraseSource returns a function that reads the passphrase from
// --passphrase-fd, else the file named by PKMS_PASSPHRASE_FILE, else a
// prompt on the terminal. The passphrase is never taken from argv, the
// environment or standard input.
func (g *globals) passphraseSource(prompt string) func() ([]byte, error) {
	return func() ([]byte, error) {
		switch {
		case g.passphraseFD >= 0:
			return readFD(g.passphraseFD)
		case g.env.getenv("PKMS_PASSPHRASE_FILE") != "":
			name := g.env.getenv("PKMS_PASSPHRASE_FILE")
			f, err := os.Open(name)
			if err != nil {
				return nil, fmt.Errorf("PKMS_PASSPHRASE_FILE: %w", err)
			}
			defer f.Close()
			return readSecret(f, "PKMS_PASSPHRASE_FILE")
		}
		return g.prompt(prompt)
	}
}

// readFD reads a passphrase from an inherited file descriptor, which it
// consumes.
func readFD(fd int) ([]byte, error) {
	f := os.NewFile(uintptr(fd), "passphrase-fd")
	if f == nil {
		return nil, fmt.Errorf("descriptor %d is not open", fd)
	}
	defer f.Close()
	return readSecret(f, "descriptor "+strconv.Itoa(fd))
}

// readSecret reads a passphrase from a file or descriptor: everything up to
// EOF, without one trailing newline.
func readSecret(r io.Reader, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("reading passphrase from %s: %w", what, err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 {
		return nil, fmt.Errorf("the passphrase from %s is empty", what)
	}
	return b, nil
}

// prompt reads a secret from the controlling terminal without echo.
func (g *globals) prompt(text string) ([]byte, error) {
	open := g.env.tty
	if open == nil {
		open = func() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }
	}
	tty, err := open()
	if err != nil {
		return nil, errNoPassphraseSource
	}
	defer tty.Close()
	if !term.IsTerminal(int(tty.Fd())) {
		return nil, errNoPassphraseSource
	}
	fmt.Fprint(tty, text)
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return nil, fmt.Errorf("reading passphrase: %w", err)
	}
	return b, nil
}

var errNoPassphraseSource = errors.New("no terminal to ask for the passphrase")

// openService unlocks the vault and returns the KMS service over it. The
// caller closes the returned vault.
func (g *globals) openService() (*kms.Service, *vault.Vault, error) {
	v, err := g.unlockVault()
	if err != nil {
		return nil, nil, err
	}
	return kms.New(kms.VaultStore(v), kms.Options{Region: g.regionName()}), v, nil
}

// unlockVault finds the vault and unlocks it with the identities and
// passphrase sources the globals name.
func (g *globals) unlockVault() (*vault.Vault, error) {
	path, err := g.vaultPath()
	if err != nil {
		return nil, err
	}
	ids, err := g.identities()
	if err != nil {
		return nil, err
	}
	v, err := vault.Unlock(path, vault.Credentials{Identities: ids, Passphrase: g.passphraseSource("Passphrase for " + path + ": ")}, vault.Options{})
	if err != nil {
		return nil, unlockError(path, err)
	}
	return v, nil
}

// isVaultError reports whether err is the vault's own failure (damaged,
// locked by another process, newer format), which exits 253.
func isVaultError(err error) bool {
	for _, target := range []error{vault.ErrCorrupt, vault.ErrLocked, vault.ErrNewerFormat, vault.ErrClosed} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// unlockError wraps an error from opening or unlocking the vault with the
// hints a person needs next.
func unlockError(path string, err error) error {
	switch {
	case errors.Is(err, vault.ErrNotExist):
		return &vaultError{err: fmt.Errorf("no vault at %s", path), hints: []string{"run: pkms vault init"}}
	case errors.Is(err, errNoPassphraseSource):
		return &vaultError{err: fmt.Errorf("cannot unlock %s: %w", path, err),
			hints: []string{"use --passphrase-fd N, PKMS_PASSPHRASE_FILE, or --identity-file / PKMS_IDENTITY_FILE"}}
	case errors.Is(err, vault.ErrNoSlotMatched):
		return &vaultError{err: fmt.Errorf("cannot unlock %s: %w", path, err),
			hints: []string{"the identity does not open any slot of this vault; check --identity-file or use the passphrase"}}
	}
	return &vaultError{err: err}
}
