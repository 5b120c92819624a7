package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// ErrDamaged is wrapped by the error of OpenChecked on a file that is not a
// sound read-model database: not an SQLite file, failing SQLite's quick
// check, or one whose migrations or checkpoint cannot be read. Manager
// keeps such a file aside and rebuilds the read models from the events.
var ErrDamaged = errors.New("the read-model file is damaged")

// environmental are the SQLite result codes that tell of the machine (a
// full disk, a permission, a lock), not of the file's contents.
var environmental = map[sqlite3.ErrNo]bool{
	sqlite3.ErrFull: true, sqlite3.ErrIoErr: true, sqlite3.ErrCantOpen: true, sqlite3.ErrPerm: true,
	sqlite3.ErrReadonly: true, sqlite3.ErrBusy: true, sqlite3.ErrLocked: true, sqlite3.ErrNomem: true,
	sqlite3.ErrInterrupt: true, sqlite3.ErrAuth: true,
}

// diskFault reports whether err tells of the disk under a file: full,
// read-only, failing writes, a file that cannot be opened or a
// permission. Such a fault clears without a restart (space freed, the
// file system writable again), unlike an event that cannot be projected.
func diskFault(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrReadonly, sqlite3.ErrCantOpen, sqlite3.ErrPerm:
			return true
		}
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EIO)
}

// damaged reports whether an error of Open tells of a damaged file.
func damaged(err error) bool {
	if err == nil || errors.Is(err, ErrSchemaChanged) {
		return false
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB || !environmental[se.Code]
	}
	return errors.Is(err, ErrDamaged)
}

// OpenChecked opens a Live database as Open does and runs SQLite's quick
// check on it; a damaged file (see ErrDamaged) gives an error wrapping
// ErrDamaged and is left as it is.
func OpenChecked(path string) (*DB, error) {
	db, err := Open(bg, path, Options{})
	if err != nil {
		if damaged(err) {
			return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, path, err)
		}
		return nil, err
	}
	var res string
	if err := db.w.queryRow("PRAGMA quick_check", nil, &res); err != nil || res != "ok" {
		db.Close()
		if err == nil {
			err = errors.New(res)
		} else if !damaged(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s fails SQLite's quick check: %v", ErrDamaged, path, err)
	}
	return db, nil
}

// keepAside renames a read-model file (with its WAL and shared-memory
// files) to <Path>.kept-<reason>-<UTC time>, where neither a start nor a
// rebuild ever deletes it, and returns the new name.
func (m *Manager) keepAside(path, reason string) (string, error) {
	aside := fmt.Sprintf("%s.kept-%s-%s", m.cfg.Path, reason, time.Now().UTC().Format("20060102T150405.000Z"))
	if err := os.Rename(path, aside); err != nil {
		return "", fmt.Errorf("keeping %s aside: %w", path, err)
	}
	for _, ext := range sideFiles {
		if _, err := os.Stat(path + ext); err == nil {
			if err := os.Rename(path+ext, aside+ext); err != nil {
				return "", fmt.Errorf("keeping %s aside: %w", path+ext, err)
			}
		}
	}
	if err := syncDir(m.dir()); err != nil {
		return "", err
	}
	return aside, nil
}
