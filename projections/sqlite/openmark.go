package sqlite

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A live read-model file is written without fsync (synchronous=OFF):
// its WAL checkpoints (every walCheckpointEvery) used to fsync the file
// and the log, tens of milliseconds of writing on the disk and journal
// that the event store's group commit fsyncs on, and those bursts set the
// p99 of a durable command (docs/ARCHITECTURE.md, "Group commit"). The
// read models are derived: what an fsync protected is rebuilt from the
// stream instead. SQLite keeps such a file sound through any crash of the
// process (the operating system still holds every page written); only a
// crash or power cut of the system may leave it torn. So the open mark,
// <file>-open, records the boot in which the file is open for writing: it
// is on disk before the first write, and is removed only after a clean
// close has synced the file. A file whose mark names another boot was
// open when the system stopped, and is rebuilt (Manager.openExisting);
// one whose mark names this boot was left by a process that died, and is
// sound.
//
// Where the boot cannot be told (no /proc/sys/kernel/random/boot_id), the
// file is written with synchronous=NORMAL as before, and no mark is kept.

// openMarkSuffix names a live file's open mark.
const openMarkSuffix = "-open"

// sideFiles are the suffixes of the files that belong to a database
// file: SQLite's log, shared memory and rollback journal, and the open
// mark.
var sideFiles = []string{"-wal", "-shm", "-journal", openMarkSuffix}

// bootIDPath is where Linux tells the ID of the running boot.
const bootIDPath = "/proc/sys/kernel/random/boot_id"

// bootID returns the ID of the running boot, or "" when it cannot be told.
func bootID() string {
	b, err := os.ReadFile(bootIDPath)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// unsyncedWrites reports whether a live file is written without fsync:
// only where the boot can be told.
func unsyncedWrites() bool { return bootID() != "" }

// markOpen records, durably, that the file at path is open for writing
// in this boot. It must return before the first write.
func markOpen(path string) error {
	return writeLine(path+openMarkSuffix, bootID())
}

// markClosed syncs the file at path (and its log, when one is left) and
// then removes its open mark: the file is sound whatever stops the
// system next.
func markClosed(path string) error {
	for _, p := range []string{path, path + "-wal"} {
		if err := syncFile(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.Remove(path + openMarkSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// openInEarlierBoot reports whether the file at path was open for
// writing when the system last stopped: its open mark names a boot other
// than this one (or this one cannot be told).
func openInEarlierBoot(path string) (bool, error) {
	b, err := os.ReadFile(path + openMarkSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	id := bootID()
	return id == "" || strings.TrimSpace(string(b)) != id, nil
}
