package jetstream

import (
	"context"
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
// The server appends to its newest block only and numbers a new block
// after the last: a Sync after the first (SyncAll) looks at the newest
// keepOpen blocks it knows and at the blocks numbered after them, so its
// cost does not grow with the stream. An older block changes only when a
// message in it is deleted (a subject key's secure erasure, the server's
// compaction after deletes): SyncAll, which lists the directory and
// checks every block, makes such a change durable.
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
	// names are the block files seen by the last full sync, joined.
	names string
	// newest is the highest block number seen (0 before the first Sync).
	newest int
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

// Sync implements Syncer: it fsyncs the newest blocks that changed and
// the blocks created since the last Sync (all of them, the first time).
func (b *blockSyncer) Sync() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errors.New("the event store is closed")
	}
	if b.newest == 0 {
		return b.syncAll()
	}
	if _, err := os.Lstat(filepath.Join(b.dir, strconv.Itoa(b.newest)+".blk")); errors.Is(err, os.ErrNotExist) {
		// The newest block went (a purge): the numbering may start over.
		b.newest = 0
		return b.syncAll()
	}
	from := max(1, b.newest-keepOpen+1)
	created := false
	for i := from; ; i++ {
		name := strconv.Itoa(i) + ".blk"
		if i > b.newest {
			// A block numbered after the newest known: created since.
			if _, err := os.Lstat(filepath.Join(b.dir, name)); errors.Is(err, os.ErrNotExist) {
				break
			} else if err != nil {
				return err
			}
			b.newest, created = i, true
		}
		if err := b.syncBlock(name, true); err != nil {
			return err
		}
	}
	for name, f := range b.open {
		if blockIndex(name) <= b.newest-keepOpen {
			f.Close()
			delete(b.open, name)
		}
	}
	if created {
		// The new files' directory entries.
		if err := syncDir(b.dir); err != nil {
			return err
		}
		b.names = ""
	}
	return nil
}

// SyncAll fsyncs every block file that changed since its last sync (an
// older block too: a message deleted in it) and the directory when files
// came or went.
func (b *blockSyncer) SyncAll() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errors.New("the event store is closed")
	}
	return b.syncAll()
}

// syncAll is SyncAll, b.mu held.
func (b *blockSyncer) syncAll() error {
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
	if len(blocks) > 0 {
		b.newest = max(b.newest, blockIndex(blocks[len(blocks)-1]))
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

// GroupSyncer is a stream's Syncer whose concurrent Syncs share one
// fsync round (group commit, as the event store's appends do): of many
// writers waiting at once, each waits for one round that began after its
// call, instead of queueing for a round of its own.
type GroupSyncer struct {
	b *blockSyncer
	g *groupCommitter
}

// NewGroupSyncer returns the GroupSyncer of stream on srv. Call
// closeSyncer once its writers are done.
func NewGroupSyncer(srv *Server, stream string) (s *GroupSyncer, closeSyncer func()) {
	b := newBlockSyncer(streamBlockDir(srv, stream))
	return &GroupSyncer{b: b, g: newGroupCommitter(b)}, b.close
}

// Sync makes durable what the server stored of the stream before the call
// (its newest blocks; see blockSyncer).
func (s *GroupSyncer) Sync() error { return s.g.Commit(context.Background()) }

// SyncAll makes durable a change anywhere in the stream, a deleted
// message in an older block too.
func (s *GroupSyncer) SyncAll() error { return s.b.SyncAll() }
