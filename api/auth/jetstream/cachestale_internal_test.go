package jetstream

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestTokenCacheDistrustsItselfAfterAReconnection: a reconnection (during
// which the watch may have missed a revocation) makes the in-memory tokens
// untrusted until a new watch, started after it, has caught up; the
// connection's status changes reach the cache through a listener, not
// through the connection's lock on every look-up.
func TestTokenCacheDistrustsItselfAfterAReconnection(t *testing.T) {
	srv := StartTestServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	nc, err := nats.Connect(srv.ClientURL(), nats.ReconnectWait(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	trusted := func() bool {
		_, _, ok := st.cached("absent")
		return ok
	}
	poll(t, "the cache answers once its watch caught up", trusted)
	started := st.cache.started.Load()
	if err := nc.ForceReconnect(); err != nil {
		t.Fatal(err)
	}
	poll(t, "a look-up after the reconnection distrusts the cache", st.stale)
	poll(t, "a new watch, started after the reconnection, answers", func() bool {
		return trusted() && st.cache.started.Load() != started
	})
}

// poll waits up to 5 s for cond.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
