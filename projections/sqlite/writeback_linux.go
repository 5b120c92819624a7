package sqlite

import (
	"os"
	"syscall"
)

// writeback starts the kernel writing the dirty pages of the file at path
// to disk without waiting (sync_file_range with SYNC_FILE_RANGE_WRITE). A
// bulk load calls it after each commit, so that the fsync that ends it
// finds little left to write; errors only lose that head start.
type writeback struct {
	path string
	f    *os.File
}

// start initiates writeback of everything written so far.
func (w *writeback) start() {
	if w.f == nil {
		f, err := os.Open(w.path)
		if err != nil {
			return
		}
		w.f = f
	}
	_ = syscall.SyncFileRange(int(w.f.Fd()), 0, 0, 0x2 /* SYNC_FILE_RANGE_WRITE */)
}

// close releases the file.
func (w *writeback) close() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
}
