//go:build !linux

package sqlite

// writeback is a no-op where sync_file_range does not exist: the fsync
// that ends a bulk load writes everything.
type writeback struct{ path string }

func (w *writeback) start() {}
func (w *writeback) close() {}
