// Package storetest is the one shared test suite that every events.Store
// implementation runs (events/jetstream, events/memstore). Each case is a
// subtest named after what it proves.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

// Factory opens stores for the suite.
type Factory struct {
	// Open opens a store that keeps its data in dir, encoding payloads with
	// reg. The returned close function releases the store (and any server
	// behind it); the data stays in dir.
	Open func(t testing.TB, dir string, reg *events.Registry) (store events.Store, close func())
	// Persistent tells that a store opened again on the same dir sees the
	// events written before; the restart case is skipped otherwise.
	Persistent bool
}

// Noted is a test event payload.
type Noted struct {
	Text string `json:"text"`
}

// Renamed is a second test event payload.
type Renamed struct {
	Name string `json:"name"`
}

// Registry returns a registry with the suite's test payload types.
func Registry() *events.Registry {
	reg := events.NewRegistry()
	reg.Register("test.noted", 1, Noted{}, nil)
	reg.Register("test.renamed", 1, Renamed{}, nil)
	return reg
}

// Base is the recorded time of the suite's appends.
var Base = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// harness bundles one open store with helpers.
type harness struct {
	t     *testing.T
	ctx   context.Context
	store events.Store
	reg   *events.Registry
}

func open(t *testing.T, f Factory) *harness {
	t.Helper()
	reg := Registry()
	s, closeFn := f.Open(t, t.TempDir(), reg)
	t.Cleanup(closeFn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &harness{t: t, ctx: ctx, store: s, reg: reg}
}

// notes returns n drafts with texts prefix-1..prefix-n.
func notes(prefix string, n int) []events.Draft {
	out := make([]events.Draft, n)
	for i := range out {
		out[i] = events.Draft{Payload: Noted{Text: fmt.Sprintf("%s-%d", prefix, i+1)}, OccurredAt: Base.Add(-time.Hour)}
	}
	return out
}

func meta(key string) events.Meta {
	return events.Meta{
		Actor:         events.Actor{UserID: "u-1", Role: "officer", Org: ""},
		CorrelationID: "corr-1", CausationID: "cmd-1", IdempotencyKey: key,
		Reason: "suite", RecordedAt: Base,
	}
}

// head returns the current head of ref.
func (h *harness) head(ref events.Ref) events.Head {
	h.t.Helper()
	envs, err := h.store.Load(h.ctx, ref, 0)
	if err != nil {
		h.t.Fatalf("Load(%s): %v", ref, err)
	}
	if len(envs) == 0 {
		return events.Head{}
	}
	return events.HeadOf(envs[len(envs)-1])
}

// mustAppend appends n notes to ref at its current head.
func (h *harness) mustAppend(ref events.Ref, n int) []events.Envelope {
	h.t.Helper()
	envs, err := h.store.Append(h.ctx, events.AppendRequest{Ref: ref, Expected: h.head(ref), Meta: meta(""), Events: notes(ref.ID, n)})
	if err != nil {
		h.t.Fatalf("Append(%s): %v", ref, err)
	}
	if len(envs) != n {
		h.t.Fatalf("Append(%s) returned %d events, want %d", ref, len(envs), n)
	}
	return envs
}

func (h *harness) last() uint64 {
	h.t.Helper()
	seq, err := h.store.LastSequence(h.ctx)
	if err != nil {
		h.t.Fatalf("LastSequence: %v", err)
	}
	return seq
}

func (h *harness) load(ref events.Ref, after uint64) []events.Envelope {
	h.t.Helper()
	envs, err := h.store.Load(h.ctx, ref, after)
	if err != nil {
		h.t.Fatalf("Load(%s, %d): %v", ref, after, err)
	}
	return envs
}

// sameEvents fails unless got and want are the same stored events.
func sameEvents(t *testing.T, what string, got, want []events.Envelope) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Ref != w.Ref || g.Version != w.Version || g.Sequence != w.Sequence ||
			g.Type != w.Type || g.SchemaVersion != w.SchemaVersion || g.Hash != w.Hash || g.PrevHash != w.PrevHash ||
			string(g.Payload) != string(w.Payload) || !g.OccurredAt.Equal(w.OccurredAt) || !g.RecordedAt.Equal(w.RecordedAt) ||
			g.Actor != w.Actor || g.CorrelationID != w.CorrelationID || g.CausationID != w.CausationID ||
			g.IdempotencyKey != w.IdempotencyKey || g.Reason != w.Reason || g.KeyID != w.KeyID || g.Signature != w.Signature {
			t.Fatalf("%s: event %d differs:\n got %+v\nwant %+v", what, i, g, w)
		}
	}
}

func versions(envs []events.Envelope) []uint64 {
	out := make([]uint64, len(envs))
	for i, e := range envs {
		out[i] = e.Version
	}
	return out
}

func sequences(envs []events.Envelope) []uint64 {
	out := make([]uint64, len(envs))
	for i, e := range envs {
		out[i] = e.Sequence
	}
	return out
}

func asConflict(t *testing.T, err error) *events.ConflictError {
	t.Helper()
	if err == nil {
		t.Fatal("append succeeded, want a conflict")
	}
	if !errors.Is(err, events.ErrConflict) {
		t.Fatalf("errors.Is(%v, ErrConflict) = false", err)
	}
	var ce *events.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v is not a *events.ConflictError", err, err)
	}
	return ce
}
