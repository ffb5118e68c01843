package cmd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
	"github.com/pocketkms/pkms/vault/pkcs11"
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

// unlocker finds the vault file and unlocks it: the vault and credential
// flags, the terminal it asks on, and whether an agent may hold the file.
// It is its own concern, embedded in globals.
type unlocker struct {
	env *env
	terminal

	vault        string // --vault
	identityFile string // --identity-file
	passphraseFD int    // --passphrase-fd, -1 if not given
	pinFD        int    // --pin-fd, -1 if not given
	modeWarned   bool   // the vault file's permissions were warned about
	// agentRunning reports whether an agent is about (which may hold the
	// vault file's lock).
	agentRunning func() bool
}

// vaultPath is where the vault lives: --vault, else PKMS_VAULT, else
// ${XDG_DATA_HOME:-$HOME/.local/share}/pkms/vault.pkms.
func (g *unlocker) vaultPath() (string, error) {
	path, err := g.locateVault()
	if err == nil {
		g.warnOpenToOthers(path)
	}
	return path, err
}

func (g *unlocker) locateVault() (string, error) {
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

// warnOpenToOthers warns, once per command, when the vault file can be
// read or written by anyone but its owner, as ssh does for a private key.
// The command goes on: the file's contents are encrypted.
func (g *unlocker) warnOpenToOthers(path string) {
	if g.modeWarned {
		return
	}
	if perm := vault.OpenToOthers(path); perm != 0 {
		g.modeWarned = true
		fmt.Fprintf(g.env.stderr, "warning: permissions %04o for the vault file %s are too open: "+
			"anyone who can copy it can try passphrases offline; run: chmod 600 %s\n", perm, path, path)
	}
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

// serviceOptions are the options of every KMS service the command makes:
// the region, and the PKCS#11 module of custom key stores.
func (g *globals) serviceOptions() kms.Options {
	return kms.Options{Region: g.regionName(), PKCS11Module: g.env.getenv("PKMS_PKCS11_MODULE")}
}

// openService unlocks the vault and returns the KMS service over it. The
// caller closes the returned vault.
func (g *globals) openService() (*kms.Service, *vault.Vault, error) {
	v, err := g.unlockVault()
	if err != nil {
		return nil, nil, err
	}
	return kms.New(kms.VaultStore(v), g.serviceOptions()), v, nil
}

// unlockVault finds the vault and unlocks it with the identities, tokens,
// plugins and passphrase sources the globals name.
func (g *unlocker) unlockVault() (*vault.Vault, error) {
	v, k, err := g.unlock()
	if err != nil {
		return nil, err
	}
	k.close()
	return v, nil
}

// unlock is unlockVault that also returns the keyring, for commands that
// need its credentials again (rekey, slots add); the caller closes both.
func (g *unlocker) unlock() (*vault.Vault, *keyring, error) {
	k, err := g.newKeyring()
	if err != nil {
		return nil, nil, err
	}
	v, err := g.unlockWith(k)
	if err != nil {
		k.close()
		return nil, nil, err
	}
	return v, k, nil
}

// unlockWith unlocks the vault with the credentials of k.
func (g *unlocker) unlockWith(k *keyring) (*vault.Vault, error) {
	path, err := g.vaultPath()
	if err != nil {
		return nil, err
	}
	var opts vault.Options
	if g.agentRunning != nil && g.agentRunning() {
		// With an agent about, a command that opens the vault itself (pkms
		// vault ...) most likely waits for the agent's file lock: say so
		// soon rather than after the default 30 s.
		opts.Timeout = 2 * time.Second
	}
	v, err := vault.Unlock(path, k.credentials("Passphrase for "+path+": "), opts)
	if err != nil {
		return nil, unlockError(path, err)
	}
	g.warnTampered(v)
	return v, nil
}

// isVaultError reports whether err is the vault's own failure (damaged,
// locked by another process, rekeyed by another process, unsupported
// format), which exits 253.
func isVaultError(err error) bool {
	for _, target := range []error{vault.ErrCorrupt, vault.ErrLocked, vault.ErrNewerFormat, vault.ErrOldFormat, vault.ErrClosed, vault.ErrRekeyed, vault.ErrSlotTampered, fs.ErrPermission, syscall.EROFS} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// vaultFailure is the exit-253 error of a vault failure met while working
// (isVaultError, or creating a slot or an export), with a hint where one
// helps. An error that already is one passes through.
func vaultFailure(err error) error {
	var ve *vaultError
	var nf *vault.PluginNotFoundError
	switch {
	case errors.As(err, &ve):
		return err
	case errors.As(err, &nf):
		return &vaultError{err: err, hints: []string{"install " + nf.Binary() + " and make sure it is on PATH"}}
	case errors.Is(err, vault.ErrRekeyed):
		return &vaultError{err: err, hints: []string{"the vault key was changed by pkms vault rekey; run the command again (an agent: pkms agent unlock)"}}
	case errors.Is(err, vault.ErrLocked):
		return &vaultError{err: err, hints: []string{lockedHint}}
	case errors.Is(err, vault.ErrSlotTampered):
		return &vaultError{err: err, hints: []string{tamperedHint}}
	case errors.Is(err, syscall.EROFS):
		return &vaultError{err: err, hints: []string{"the vault's file system is mounted read-only; pkms writes the vault file on every change"}}
	case errors.Is(err, fs.ErrPermission):
		file := "FILE"
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			file = pe.Path
		}
		return &vaultError{err: err, hints: []string{"pkms reads and writes the vault file: it must be yours with mode 0600 (chmod 600 " + file + ")"}}
	}
	return &vaultError{err: err}
}

// tamperedHint says what to do about a key slot that failed authentication.
const tamperedHint = "someone changed the slot in the vault file (its recipient may now be theirs); check pkms vault slots list, remove the slot with pkms vault slots remove ID, then add it again"

// warnTampered names, on stderr, each key slot of v whose MAC failed: the
// vault still works through the other slots, but the owner must know.
func (g *unlocker) warnTampered(v *vault.Vault) {
	for _, s := range v.TamperedSlots() {
		fmt.Fprintf(g.env.stderr, "pkms: warning: key slot %s (%s %q) of %s failed authentication: it was modified outside pkms; "+
			"rekey, slots add and export are refused until it is removed (pkms vault slots remove %s)\n", s.ID, s.Kind, s.Label, v.Path(), s.ID)
	}
}

// lockedHint says what to do when another process holds the vault file.
const lockedHint = "another pkms holds the vault file (an agent, pkms exec or pkms serve?): run KMS commands through it with PKMS_AGENT_SOCK; for pkms vault commands, pkms agent lock (or stop) releases the file"

// unlockError wraps an error from opening or unlocking the vault with the
// hints a person needs next.
func unlockError(path string, err error) error {
	var nf *vault.PluginNotFoundError
	var hints []string
	switch {
	case errors.Is(err, vault.ErrNotExist):
		return &vaultError{err: fmt.Errorf("no vault at %s", path), hints: []string{"run: pkms vault init"}}
	case errors.Is(err, vault.ErrLocked), errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return vaultFailure(err)
	case errors.Is(err, errNoPassphraseSource):
		hints = append(hints, "use --passphrase-fd N, PKMS_PASSPHRASE_FILE, or --identity-file / PKMS_IDENTITY_FILE")
	case errors.Is(err, pkcs11.ErrIncorrectPIN), errors.Is(err, pkcs11.ErrPINLocked):
		hints = append(hints, "the token refused the PIN; a locked PIN is unblocked with the token's own tools")
	case errors.Is(err, vault.ErrNoSlotMatched):
		hints = append(hints, "the identity does not open any slot of this vault; check --identity-file or use the passphrase")
	}
	if errors.As(err, &nf) {
		hints = append(hints, "install "+nf.Binary()+" (it must be on PATH), or unlock with another slot")
	}
	if errors.Is(err, pkcs11.ErrTokenNotFound) || errors.Is(err, pkcs11.ErrModuleUnavailable) {
		hints = append(hints, "plug in the token, or set PKMS_PKCS11_MODULE to its PKCS#11 module on this machine")
	}
	if errors.Is(err, errNoPINSource) {
		hints = append(hints, "give the token PIN with --pin-fd N or PKMS_PIN_FILE")
	}
	if hints == nil {
		return &vaultError{err: err}
	}
	return &vaultError{err: fmt.Errorf("cannot unlock %s: %w", path, err), hints: hints}
}
