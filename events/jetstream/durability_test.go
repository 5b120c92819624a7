package jetstream

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// gatedSyncer is a Syncer whose every Sync is numbered and waits until the
// test lets it finish.
type gatedSyncer struct {
	mu      sync.Mutex
	started int           // Syncs begun
	ended   int           // Syncs ended
	release chan struct{} // one receive lets one Sync finish
	begun   chan int      // told the number of each Sync begun
	fail    error
}

func newGatedSyncer() *gatedSyncer {
	return &gatedSyncer{release: make(chan struct{}), begun: make(chan int, 100)}
}

func (g *gatedSyncer) Sync() error {
	g.mu.Lock()
	g.started++
	n := g.started
	g.mu.Unlock()
	g.begun <- n
	<-g.release
	g.mu.Lock()
	g.ended++
	g.mu.Unlock()
	return g.fail
}

func (g *gatedSyncer) counts() (started, ended int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.started, g.ended
}

// nextBegins waits for the next Sync to begin and returns its number.
func (g *gatedSyncer) nextBegins(t *testing.T) int {
	t.Helper()
	select {
	case n := <-g.begun:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no sync began within 10 s")
		return 0
	}
}

// TestGroupCommitWaitsForASyncBegunAfterTheCall: concurrent commits share
// one Sync, and never return on one that had begun before they called.
func TestGroupCommitWaitsForASyncBegunAfterTheCall(t *testing.T) {
	g := newGatedSyncer()
	c := newGroupCommitter(g)
	ctx := context.Background()

	// A first commit starts Sync 1 and waits in it.
	first := make(chan error, 1)
	go func() { first <- c.Commit(ctx) }()
	if n := g.nextBegins(t); n != 1 {
		t.Fatalf("sync %d began, want 1", n)
	}
	// Five more commits (appends acknowledged after Sync 1 began) arrive
	// while it runs: each notes how many Syncs had ended when it returned.
	const late = 5
	endedAtReturn := make(chan int, late)
	for range late {
		go func() {
			if err := c.Commit(ctx); err != nil {
				t.Error(err)
			}
			_, ended := g.counts()
			endedAtReturn <- ended
		}()
	}
	waitFor(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.next != nil && c.next.waiters == late
	})
	g.release <- struct{}{} // Sync 1 ends
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// One Sync 2 begins for all five; only its end answers them.
	if n := g.nextBegins(t); n != 2 {
		t.Fatalf("sync %d began, want 2", n)
	}
	g.release <- struct{}{} // Sync 2 ends
	for range late {
		if ended := <-endedAtReturn; ended < 2 {
			t.Fatalf("a commit returned when %d sync(s) had ended: on a sync begun before it called", ended)
		}
	}
	if started, _ := g.counts(); started != 2 {
		t.Fatalf("%d syncs for 6 commits in two rounds, want 2", started)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupCommitFailureIsFinal: once a sync fails, no commit succeeds any
// more (the kernel may have dropped pages it could not write).
func TestGroupCommitFailureIsFinal(t *testing.T) {
	g := newGatedSyncer()
	g.fail = errors.New("EIO")
	c := newGroupCommitter(g)
	done := make(chan error, 1)
	go func() { done <- c.Commit(context.Background()) }()
	g.nextBegins(t)
	g.release <- struct{}{}
	if err := <-done; err == nil {
		t.Fatal("a failed sync counted as durable")
	}
	g.fail = nil
	if err := c.Commit(context.Background()); err == nil {
		t.Fatal("a commit after a failed sync succeeded")
	}
}

// TestDefaultEmbeddedStoreIsDurable: with the zero EmbeddedConfig, Append
// returns only after the stream's newest block file was fsynced at a size
// that holds the event.
func TestDefaultEmbeddedStoreIsDurable(t *testing.T) {
	ctx := context.Background()
	e, err := OpenEmbedded(ctx, EmbeddedConfig{StoreDir: t.TempDir()}, storetest.Registry(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Store.commit == nil || e.syncer == nil {
		t.Fatal("the default embedded store does not wait for fsync")
	}
	ref := events.Ref{Org: "E10000001", Kind: "project", ID: "P1"}
	var head events.Head
	for i := range 3 {
		envs, err := e.Store.Append(ctx, events.AppendRequest{Ref: ref, Expected: head, Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: "durable"}}}})
		if err != nil {
			t.Fatal(err)
		}
		head = events.HeadOf(envs[0])
		blocks, _ := filepath.Glob(filepath.Join(e.syncer.dir, "*.blk"))
		if len(blocks) == 0 {
			t.Fatalf("no block file in %s", e.syncer.dir)
		}
		newest := blocks[len(blocks)-1]
		fi, err := os.Stat(newest)
		if err != nil {
			t.Fatal(err)
		}
		e.syncer.mu.Lock()
		synced := e.syncer.synced[filepath.Base(newest)]
		e.syncer.mu.Unlock()
		if synced.size != fi.Size() {
			t.Fatalf("append %d returned with %s fsynced at %d bytes of %d", i+1, newest, synced.size, fi.Size())
		}
	}
	relaxed, err := OpenEmbedded(ctx, EmbeddedConfig{StoreDir: t.TempDir(), Durability: DurabilityOSFlush}, storetest.Registry(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer relaxed.Close()
	if relaxed.Store.commit != nil {
		t.Fatal("--durability=os-flush still waits for fsync")
	}
}
