package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// openBolt opens the vault file with bbolt without ever creating or
// initialising it, mapping errors (and panics) to the package's errors.
func openBolt(path string, readOnly bool, timeout time.Duration, noSync bool) (db *bolt.DB, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s", ErrNotExist, path)
	case err != nil:
		return nil, fmt.Errorf("vault: %w", err)
	case fi.IsDir():
		return nil, corruptf(path, "is a directory, not a vault file")
	case fi.Size() == 0:
		return nil, corruptf(path, "empty file")
	}
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	var file *os.File
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag&^os.O_CREATE, perm)
		if err != nil {
			return nil, err
		}
		// bbolt would initialise an empty file as a fresh database.
		if st, err := f.Stat(); err != nil || st.Size() == 0 {
			f.Close()
			return nil, errEmptyFile
		}
		file = f
		return f, nil
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				releaseFlock(file)
				file.Close() // the mapping made by Open is lost with the handle
			}
			db, err = nil, corruptf(path, "damaged file: %s", panicDetail(r))
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{
		Timeout:  timeout,
		ReadOnly: readOnly,
		NoSync:   noSync,
		OpenFile: openFile,
	})
	if err != nil {
		return nil, mapOpenError(path, err)
	}
	return db, nil
}

var errEmptyFile = errors.New("empty file")

// panicDetail describes a recovered panic from bbolt. A memory fault (with
// debug.SetPanicOnFault) means a page past the end of the file was read.
func panicDetail(r any) string {
	if _, ok := r.(interface{ Addr() uintptr }); ok {
		return "memory fault reading the file (truncated or damaged)"
	}
	return fmt.Sprint(r)
}

func mapOpenError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return &vaultError{sentinel: ErrLocked, msg: fmt.Sprintf("vault %s is locked by another process (timed out waiting for the file lock)", path)}
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %s", ErrNotExist, path)
	case errors.Is(err, errEmptyFile):
		return corruptf(path, "empty file")
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("vault: %w", err)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return corruptWrap(path, err, "not a valid bbolt database: %v", err)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("vault: %w", err)
	}
	return corruptWrap(path, err, "%v", err)
}

// guardedView runs fn in a bbolt read transaction, turning panics (bbolt on
// a damaged file, or a fault on a mapping past the end of a truncated file)
// into ErrCorrupt.
func guardedView(path string, db *bolt.DB, fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = corruptf(path, "damaged file: %s", panicDetail(r))
		}
	}()
	return db.View(fn)
}

// checkSize refuses a file shorter than the pages its meta page claims
// (a truncated file), before any of those pages is touched.
func checkSize(path string, tx *bolt.Tx) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if want := tx.Size(); fi.Size() < want {
		return corruptf(path, "file is truncated: %d bytes, the database needs %d", fi.Size(), want)
	}
	return nil
}

// readState reads the header, check value and slots with a short read-only
// (shared lock) open. It never writes.
func readState(path string, timeout time.Duration) (*state, error) {
	db, err := openBolt(path, true, timeout, false)
	if err != nil {
		return nil, err
	}
	var st *state
	err = guardedView(path, db, func(tx *bolt.Tx) error {
		if err := checkSize(path, tx); err != nil {
			return err
		}
		if err := checkStructure(path, tx, true); err != nil {
			return err
		}
		var err error
		st, err = readMeta(path, tx)
		return err
	})
	if cerr := closeBolt(db); err == nil && cerr != nil {
		err = fmt.Errorf("vault: closing %s: %w", path, cerr)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

// closeBolt closes db; a panic (bbolt on a damaged file) is ErrCorrupt.
func closeBolt(db *bolt.DB) (err error) {
	path := db.Path()
	defer func() {
		if r := recover(); r != nil {
			err = corruptf(path, "damaged file (while closing it): %s", panicDetail(r))
		}
	}()
	return db.Close()
}
