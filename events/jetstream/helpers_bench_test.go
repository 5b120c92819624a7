package jetstream

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strconv"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go"
)

// BenchPayload is the event payload of the tests' and benchmarks' events.
type BenchPayload struct {
	ProjectID   string `json:"project_id"`
	Participant string `json:"participant"`
	AmountCents int64  `json:"amount_cents"`
	Note        string `json:"note"`
}

// benchRegistry registers BenchPayload.
func benchRegistry() *events.Registry {
	reg := events.NewRegistry()
	reg.Register("bench.recorded", 1, BenchPayload{}, nil)
	return reg
}

// benchEnv runs a store on its own embedded server.
type benchEnv struct {
	srv    *Server
	nc     *nats.Conn
	reg    *events.Registry
	signer events.Signer
	store  *Store
}

func startBench(ctx context.Context, dir string, syncAlways, listen bool) (*benchEnv, error) {
	if dir == "" {
		return nil, errors.New("benchmark store dir is not set")
	}
	port := 0
	if listen {
		port = -1
	}
	d := DurabilityOSFlush
	if syncAlways {
		d = DurabilitySyncAlways
	}
	srv, err := StartEmbedded(EmbeddedConfig{StoreDir: dir, Port: port, Durability: d})
	if err != nil {
		return nil, err
	}
	nc, err := ConnectInProcess(srv)
	if err != nil {
		srv.Shutdown()
		return nil, err
	}
	// Events are signed as the service signs them, with a throwaway key.
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	reg, signer := benchRegistry(), events.NewEd25519Signer(priv)
	store, err := Open(ctx, nc, reg, Config{Signer: signer})
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, err
	}
	return &benchEnv{srv: srv, nc: nc, reg: reg, signer: signer, store: store}, nil
}

func (b *benchEnv) close() {
	b.store.Close()
	b.nc.Close()
	b.srv.Shutdown()
	b.srv.WaitForShutdown()
}

// benchRequest is the append request of writer w's n-th event.
func benchRequest(run string, w, n int, head events.Head, at time.Time) events.AppendRequest {
	ref := events.Ref{Org: "BENCH" + run, Kind: "project", ID: "2024-1-FI01-KA122-SCH-" + strconv.Itoa(100000+w)}
	return events.AppendRequest{
		Ref: ref, Expected: head,
		Meta: events.Meta{
			Actor:         events.Actor{UserID: "bench", Role: "officer"},
			CorrelationID: "bench-" + strconv.Itoa(w), RecordedAt: at,
		},
		Events: []events.Draft{{Payload: BenchPayload{ProjectID: ref.ID, Participant: "P-" + strconv.Itoa(n), AmountCents: 123456, Note: "travel and individual support"}, OccurredAt: at}},
	}
}
