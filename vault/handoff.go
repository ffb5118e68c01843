package vault

import (
	"bytes"
	"errors"

	"github.com/pocketkms/pkms/crypto"
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
	out := make([]byte, 0, len(handoffMagic)+len(v.id)+len(v.keys.vk))
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
	if !ok || len(rest) != idSize+crypto.KeySize {
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
	return newVault(path, st, bytes.Clone(key), opts)
}

// LockMemory asks the OS to keep the vault's keys out of swap, with the
// platform's mlock supplied by the caller (the agent). Keys derived later
// per bucket are not covered; the process should also be undumpable.
func (v *Vault) LockMemory(mlock func([]byte) error) error {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.closed {
		return ErrClosed
	}
	var errs []error
	for _, b := range [][]byte{v.keys.vk, v.keys.idKey, v.keys.markerKey} {
		if len(b) > 0 {
			errs = append(errs, mlock(b))
		}
	}
	return errors.Join(errs...)
}
