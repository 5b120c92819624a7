package jetstream

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// blockSyncer is the Syncer of one stream of the embedded server: it
// fsyncs the stream's message block files (<n>.blk) that changed since
// their last sync, and the block directory when files came or went.
//
// The server of a single-replica stream writes each message into its
// block file (pwrite) before it acknowledges it, so an fsync of the block
// files that begins after the acknowledgement covers it. The files of the
// newest blocks stay open between syncs, so that a write-back error of
// theirs is reported to the next sync (Linux reports it to file
// descriptors open when it happened).
type blockSyncer struct {
	dir string

	mu sync.Mutex
	// synced is each block file's state when it was last synced.
	synced map[string]fileState
	// open are the files of the newest blocks.
	open map[string]*os.File
	// names are the block files seen by the last sync, joined.
	names string
	// closed refuses syncs after close.
	closed bool
}

// fileState tells whether a file changed.
type fileState struct {
	ino   uint64
	size  int64
	mtime time.Time
}

// keepOpen is how many of the newest block files stay open.
const keepOpen = 2

func newBlockSyncer(dir string) *blockSyncer {
	return &blockSyncer{dir: dir, synced: map[string]fileState{}, open: map[string]*os.File{}}
}

// NewStreamSyncer returns a Syncer that makes durable what srv has stored
// of stream (its block files), for Config.Syncer when a store is opened
// with Open on an embedded server (OpenEmbedded sets one up itself with
// DurabilityFsync). Call closeSyncer once the store is closed.
func NewStreamSyncer(srv *Server, stream string) (s Syncer, closeSyncer func()) {
	b := newBlockSyncer(streamBlockDir(srv, stream))
	return b, b.close
}

// streamBlockDir is where srv keeps the message blocks of stream.
func streamBlockDir(srv *Server, stream string) string {
	return filepath.Join(srv.JetStreamConfig().StoreDir, srv.GlobalAccount().Name, "streams", stream, "msgs")
}

// Sync implements Syncer.
func (b *blockSyncer) Sync() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errors.New("the event store is closed")
	}
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return fmt.Errorf("listing %s: %w", b.dir, err)
	}
	var blocks []string
	for _, e := range entries {
		if blockIndex(e.Name()) > 0 {
			blocks = append(blocks, e.Name())
		}
	}
	sort.Slice(blocks, func(i, j int) bool { return blockIndex(blocks[i]) < blockIndex(blocks[j]) })
	newest := map[string]bool{}
	for _, n := range blocks[max(0, len(blocks)-keepOpen):] {
		newest[n] = true
	}
	for _, name := range blocks {
		if err := b.syncBlock(name, newest[name]); err != nil {
			return err
		}
	}
	for name, f := range b.open {
		if !newest[name] {
			f.Close()
			delete(b.open, name)
		}
	}
	if len(b.synced) > len(blocks) {
		present := map[string]bool{}
		for _, n := range blocks {
			present[n] = true
		}
		for n := range b.synced {
			if !present[n] {
				delete(b.synced, n) // removed by the server
			}
		}
	}
	if names := strings.Join(blocks, "/"); names != b.names {
		if err := syncDir(b.dir); err != nil {
			return err
		}
		b.names = names
	}
	return nil
}

// syncBlock fsyncs one block file if it changed since its last sync.
func (b *blockSyncer) syncBlock(name string, keep bool) error {
	path := filepath.Join(b.dir, name)
	st, err := stateOf(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // compacted away meanwhile; its successor is synced
	}
	if err != nil {
		return err
	}
	f := b.open[name]
	if f != nil {
		if fst, err := f.Stat(); err != nil || inoOf(fst) != st.ino {
			f.Close() // replaced by a rewritten file
			delete(b.open, name)
			f = nil
		}
	}
	if b.synced[name] == st {
		return nil
	}
	if f == nil {
		if f, err = os.Open(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if keep {
			b.open[name] = f
		} else {
			defer f.Close()
		}
	}
	// The state taken before the fsync: a write after it is synced too,
	// and seen as a change next time.
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	b.synced[name] = st
	return nil
}

// close closes the files kept open.
func (b *blockSyncer) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for name, f := range b.open {
		f.Close()
		delete(b.open, name)
	}
}

// blockIndex is n of a block file n.blk, or 0.
func blockIndex(name string) int {
	n, ok := strings.CutSuffix(name, ".blk")
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 {
		return 0
	}
	return i
}

func stateOf(path string) (fileState, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileState{}, err
	}
	return fileState{ino: inoOf(fi), size: fi.Size(), mtime: fi.ModTime()}, nil
}

func inoOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// syncDir fsyncs a directory, so that the files created or renamed in it
// survive a power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

// syncTree fsyncs every directory and file under root once, but the
// message blocks (which the block syncers take care of): the streams'
// configurations and directories as first created, before the first
// append relies on them.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() && (!d.Type().IsRegular() || blockIndex(d.Name()) > 0) {
			return nil
		}
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}
