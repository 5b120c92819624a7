package jetstream_test

import (
	"context"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// instance is one API instance's token service on its own connection.
type instance struct {
	nc  *nats.Conn
	svc *auth.Service
}

// twoInstances starts a real nats-server and two API instances that keep
// their tokens in memory (Watch).
func twoInstances(t *testing.T) (a, b instance) {
	t.Helper()
	return twoInstancesShared(t, false)
}

// twoInstancesShared is twoInstances; with shared, both stores read the
// bucket consistently with each other (Store.SetShared).
func twoInstancesShared(t *testing.T, shared bool) (a, b instance) {
	t.Helper()
	srv := authjs.StartTestServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	open := func() instance {
		nc, err := nats.Connect(srv.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		st, err := authjs.Open(ctx, js, 1)
		if err != nil {
			t.Fatal(err)
		}
		if shared {
			st.SetShared()
		}
		if err := st.Watch(ctx); err != nil {
			t.Fatal(err)
		}
		return instance{nc: nc, svc: auth.NewService(st, events.ClockFunc(time.Now))}
	}
	return open(), open()
}

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestTokensAuthenticateFromMemoryAndRevocationReachesEveryInstance: a
// token created on instance A authenticates on instance B from memory (B
// sends nothing to the server to authenticate it); revoked on A, it is
// refused on A at once and on B as soon as the server has pushed the
// change.
func TestTokensAuthenticateFromMemoryAndRevocationReachesEveryInstance(t *testing.T) {
	a, b := twoInstances(t)
	ctx := context.Background()
	tok, secret, err := a.svc.Create(ctx, auth.CreateRequest{Role: "national-office", Name: "officer"})
	if err != nil {
		t.Fatal(err)
	}
	// B may first find the new token in the bucket (an unknown token is
	// read there); once its watch has delivered it, B answers from memory.
	eventually(t, "B knows the new token from memory", func() bool {
		before := b.nc.Stats().OutMsgs
		_, err := b.svc.Authenticate(ctx, secret)
		return err == nil && b.nc.Stats().OutMsgs == before
	})
	// B's look-ups send nothing (no bucket read).
	before := b.nc.Stats().OutMsgs
	for range 100 {
		if _, err := b.svc.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if sent := b.nc.Stats().OutMsgs - before; sent != 0 {
		t.Fatalf("B sent %d messages to authenticate 100 requests; want 0 (from memory)", sent)
	}
	if _, err := a.svc.Revoke(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.Authenticate(ctx, secret); !refused(err) {
		t.Fatalf("A after its own revocation: %v", err)
	}
	eventually(t, "B refuses the revoked token", func() bool {
		_, err := b.svc.Authenticate(ctx, secret)
		return refused(err)
	})
	// An unknown token is still refused (read from the bucket).
	if _, err := b.svc.Authenticate(ctx, "grants_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); !refused(err) {
		t.Fatalf("unknown token: %v", err)
	}
}

// TestSharedTokensRevocationHoldsOnTheNextRequest: instances that share
// the bucket (grants serve on an external NATS, SetShared) refuse a token
// on the very next request after its revocation through another instance
// was acknowledged, each of 50 times, while a watch alone may still
// answer from memory for the moment its push takes.
func TestSharedTokensRevocationHoldsOnTheNextRequest(t *testing.T) {
	a, b := twoInstancesShared(t, true)
	ctx := context.Background()
	for i := range 50 {
		tok, secret, err := a.svc.Create(ctx, auth.CreateRequest{Role: "analyst", Name: "analyytikko"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Authenticate(ctx, secret); err != nil {
			t.Fatalf("round %d: B does not know the token just created on A: %v", i, err)
		}
		if _, err := a.svc.Revoke(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Authenticate(ctx, secret); !refused(err) {
			t.Fatalf("round %d: B accepted the token A had revoked: %v", i, err)
		}
	}
}

// refused reports whether err is an Unauthenticated refusal.
func refused(err error) bool { return err != nil && apperr.CodeOf(err) == apperr.Unauthenticated }

// BenchmarkAuthenticate authenticates one token read from the bucket
// (without Watch) and from memory (with it), on a real server.
func BenchmarkAuthenticate(b *testing.B) {
	for _, watch := range []bool{false, true} {
		name := map[bool]string{false: "bucket", true: "memory"}[watch]
		b.Run(name, func(b *testing.B) {
			srv := authjs.StartTestServer(b)
			nc, err := nats.Connect(srv.ClientURL())
			if err != nil {
				b.Fatal(err)
			}
			defer nc.Close()
			js, _ := jetstream.New(nc)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st, err := authjs.Open(ctx, js, 1)
			if err != nil {
				b.Fatal(err)
			}
			if watch {
				if err := st.Watch(ctx); err != nil {
					b.Fatal(err)
				}
			}
			svc := auth.NewService(st, events.ClockFunc(time.Now))
			_, secret, err := svc.Create(ctx, auth.CreateRequest{Role: "analyst"})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := svc.Authenticate(ctx, secret); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
