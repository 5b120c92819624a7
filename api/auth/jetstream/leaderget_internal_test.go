package jetstream

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestLeaderGetReadsTheLiveValue: the leader's read of a key gives its
// last value, and a miss for a key never written, deleted or purged (the
// markers a key-value bucket leaves), so that a cluster's stale replica
// never decides that a session or token does not exist.
func TestLeaderGetReadsTheLiveValue(t *testing.T) {
	ctx := context.Background()
	srv := StartTestServer(t)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: SessionBucket, History: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"live", "deleted", "purged"} {
		if _, err := kv.Put(ctx, k, []byte("v1-"+k)); err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Put(ctx, k, []byte("v2-"+k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := kv.Delete(ctx, "deleted"); err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(ctx, "purged"); err != nil {
		t.Fatal(err)
	}
	if v, err := leaderGet(ctx, nc, SessionBucket, "live"); err != nil || string(v) != "v2-live" {
		t.Fatalf("live key: %q, %v; want the last value", v, err)
	}
	for _, k := range []string{"never", "deleted", "purged"} {
		if v, err := leaderGet(ctx, nc, SessionBucket, k); !errors.Is(err, errLeaderNotFound) {
			t.Fatalf("%s key: %q, %v; want errLeaderNotFound", k, v, err)
		}
	}
	if _, err := leaderGet(ctx, nc, "NO_SUCH_BUCKET", "live"); err == nil || errors.Is(err, errLeaderNotFound) {
		t.Fatalf("a bucket that does not exist: %v; want an error that is not a miss", err)
	}
}
