package vault

import (
	"errors"
	"fmt"
)

// Errors returned by the vault. Test for them with errors.Is; most are
// returned wrapped with a detail (which file, bucket, record or slot) that
// never contains key material or a passphrase.
var (
	// ErrNotExist: there is no vault file at the path.
	// Callers print "hint: run: pkms vault init".
	ErrNotExist = errors.New("vault does not exist")
	// ErrExists: Init was asked to create a vault where a file already is.
	ErrExists = errors.New("vault already exists")
	// ErrNewerFormat: the file was written by a newer format version. It is
	// refused and never rewritten.
	ErrNewerFormat = errors.New("vault format is newer than this pkms supports")
	// ErrOldFormat: the file was written by a pre-release pkms (format 1),
	// whose records do not carry their logical ids; it cannot be upgraded.
	ErrOldFormat = errors.New("vault format is from a pre-release pkms and is no longer supported")
	// ErrCorrupt: the file is truncated, modified or not a pkms vault. The
	// wrapping error names the problem.
	ErrCorrupt = errors.New("vault is corrupt")
	// ErrIncorrectPassphrase: the vault has a passphrase slot but the
	// passphrase does not open it.
	ErrIncorrectPassphrase = errors.New("incorrect passphrase")
	// ErrNoSlotMatched: none of the given identities (or the passphrase)
	// opens any key slot.
	ErrNoSlotMatched = errors.New("no key slot of the vault matched the given identities or passphrase")
	// ErrNotFound: Tx.Get of a record that does not exist.
	ErrNotFound = errors.New("record not found")
	// ErrStop is returned by a ForEach callback to end the walk early;
	// ForEach then returns nil.
	ErrStop = errors.New("stop iteration")
	// ErrInvalidMarker: a ForEach marker this vault and bucket could not have
	// produced.
	ErrInvalidMarker = errors.New("invalid pagination marker")

	// ErrNoPassphraseSlot: ChangePassphrase on a vault without a passphrase
	// slot.
	ErrNoPassphraseSlot = errors.New("vault has no passphrase slot")
	// ErrLocked: the file lock could not be obtained within Options.Timeout
	// because another process holds the vault open.
	ErrLocked = errors.New("vault is locked by another process")
	// ErrClosed: the Vault was used after Close.
	ErrClosed = errors.New("vault is closed")
	// ErrRekeyed: another process changed the vault key (Rekey) since this
	// Vault was unlocked. Unlock again.
	ErrRekeyed = errors.New("vault was rekeyed since it was unlocked")
	// ErrLastSlot: RemoveSlot of the only key slot, which would lock
	// everyone out.
	ErrLastSlot = errors.New("cannot remove the last key slot")
	// ErrSlotNotFound: RemoveSlot (or a slot operation) names no slot of the
	// vault.
	ErrSlotNotFound = errors.New("no such key slot")
	// ErrSlotTampered: a key slot's MAC does not verify (or is missing in a
	// format 3 vault): its public parameters (a recipient, a label) were
	// changed outside pkms. The vault still opens through the other slots;
	// operations that would trust the slot (Rekey, adding or changing a
	// slot, Export) are refused until it is removed (RemoveSlot).
	ErrSlotTampered = errors.New("a key slot failed authentication")
	// ErrInvalidExport: Import was given a stream that is not a complete,
	// well-formed vault export of a supported version.
	ErrInvalidExport = errors.New("invalid vault export")
)

// PluginNotFoundError reports that the age plugin binary of a plugin slot (or
// of a recipient being added) is not on PATH. Callers print a hint naming
// Binary(), for example "install age-plugin-yubikey or use another slot".
// Unlock returns it inside ErrNoSlotMatched (find it with errors.As) when no
// other slot opened.
type PluginNotFoundError struct {
	Plugin string // the plugin name, as in age1<name>1...
	Err    error  // the underlying error (usually exec.ErrNotFound)
}

// Binary is the executable the plugin needs: "age-plugin-" + name.
func (e *PluginNotFoundError) Binary() string { return "age-plugin-" + e.Plugin }

func (e *PluginNotFoundError) Error() string { return e.Binary() + " not found in PATH" }

func (e *PluginNotFoundError) Unwrap() error { return e.Err }

// vaultError carries a sentinel (for errors.Is), a complete message and an
// optional cause.
type vaultError struct {
	sentinel error
	msg      string
	cause    error
}

func (e *vaultError) Error() string { return e.msg }

func (e *vaultError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.sentinel, e.cause}
	}
	return []error{e.sentinel}
}

// corruptf returns an ErrCorrupt whose message is "vault <path> is corrupt: <detail>".
func corruptf(path, format string, args ...any) error {
	return &vaultError{sentinel: ErrCorrupt, msg: fmt.Sprintf("vault %s is corrupt: ", path) + fmt.Sprintf(format, args...)}
}

// corruptWrap is corruptf with a cause kept for errors.Is/As.
func corruptWrap(path string, cause error, format string, args ...any) error {
	return &vaultError{sentinel: ErrCorrupt, msg: fmt.Sprintf("vault %s is corrupt: ", path) + fmt.Sprintf(format, args...), cause: cause}
}

func oldFormatError(path string, got int) error {
	return &vaultError{sentinel: ErrOldFormat, msg: fmt.Sprintf(
		"vault %s: vault format version %d was written by a pre-release pkms and cannot be upgraded "+
			"(this pkms reads format %d); create a new vault with: pkms vault init",
		path, got, FormatVersion)}
}

func newerFormatError(path string, got int) error {
	return &vaultError{sentinel: ErrNewerFormat, msg: fmt.Sprintf(
		"vault %s: vault format version %d is newer than this pkms supports (%d); upgrade pkms",
		path, got, FormatVersion)}
}
