// Package atomicfile replaces a file as a whole or not at all: the new
// content is written to a temporary file beside it, synced, and renamed
// over it, so that a crash leaves either the old file or the new one.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// Write replaces the file at path with what write writes, with mode perm.
func Write(path string, perm os.FileMode, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp, perm, write); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// fill writes tmp through a buffer and syncs it.
func fill(tmp *os.File, perm os.FileMode, write func(io.Writer) error) error {
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<16)
	if err := write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return tmp.Sync()
}
