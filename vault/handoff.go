package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/pocketkms/pkms/crypto"
	"github.com/pocketkms/pkms/internal/secmem"
)

// A handoff passes an unlocked vault from one pkms process to another that
// it starts: `pkms agent` unlocks in the foreground (where the terminal is)
// and hands the vault to its background process over a pipe or its private
// socket, never through argv, the environment or a file. It holds the vault
// id and the vault key, so it is exactly as secret as the key; callers
// clear it after use.

const handoffMagic = "PKMSHO1"

// Handoff returns the secret from which Resume opens this vault again.
func (v *Vault) Handoff() ([]byte, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.closed {
		return nil, ErrClosed
	}
	out := make([]byte, 0, handoffSize)
	out = append(out, handoffMagic...)
	out = append(out, v.id...)
	return append(out, v.keys.vk...), nil
}

// ErrBadHandoff is returned by Resume for a handoff that is malformed or
// belongs to another vault.
var ErrBadHandoff = errors.New("vault: the handoff does not open this vault")

// Resume opens the vault at path with a handoff from Handoff, checking that
// it is this vault's and that the key matches the stored check value.
func Resume(path string, handoff []byte, opts Options) (*Vault, error) {
	path = absPath(path)
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	rest, ok := bytes.CutPrefix(handoff, []byte(handoffMagic))
	if !ok || len(handoff) != handoffSize {
		return nil, ErrBadHandoff
	}
	st, err := readState(path, opts.Timeout)
	if err != nil {
		return nil, err
	}
	id, key := rest[:idSize], rest[idSize:]
	if !bytes.Equal(id, st.header.ID) || !verifyCheck(key, st.header.ID, st.check, st.header.FormatVersion) {
		return nil, ErrBadHandoff
	}
	return newVault(path, st, key, opts)
}

// MemoryError is nil if the vault's keys are locked in RAM (they are
// always outside the Go heap and out of core dumps), else why they are not
// locked, typically RLIMIT_MEMLOCK.
func (v *Vault) MemoryError() error {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.closed {
		return ErrClosed
	}
	return v.keys.memoryError()
}

// handoffSize is the length of every handoff.
const handoffSize = len(handoffMagic) + idSize + crypto.KeySize

// ResumeFrom is Resume with the handoff read from r (a pipe) straight into
// locked memory, which is wiped before it returns: the handoff never
// passes through a buffer of the Go heap. It reads at most one byte more
// than a handoff.
func ResumeFrom(path string, r io.Reader, opts Options) (*Vault, error) {
	buf, err := secmem.New(handoffSize + 1)
	if err != nil {
		return nil, err
	}
	defer buf.Destroy()
	n, err := io.ReadFull(r, buf.Bytes())
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("vault: reading the handoff: %w", err)
	}
	if n != handoffSize {
		return nil, ErrBadHandoff
	}
	return Resume(path, buf.Bytes()[:n], opts)
}
