package jetstream_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/memstore"
	"github.com/erasmus-ledger/grants/events/storetest"
	"pgregory.net/rapid"
)

// outcome is what an append did, in terms both stores share (not IDs or
// stream sequences).
type outcome struct {
	Err      string
	Actual   uint64
	OrgWide  bool
	Versions []uint64
	Texts    []string
}

func outcomeOf(envs []events.Envelope, err error) outcome {
	var ce *events.ConflictError
	var taken *events.IDTakenError
	switch {
	case errors.As(err, &ce):
		return outcome{Err: "conflict", Actual: ce.Actual, OrgWide: ce.OrgWide}
	case errors.As(err, &taken):
		return outcome{Err: "id-taken"}
	case err != nil:
		return outcome{Err: "apperr:" + string(apperr.CodeOf(err))}
	}
	var o outcome
	for _, e := range envs {
		o.Versions = append(o.Versions, e.Version)
		o.Texts = append(o.Texts, string(e.Payload))
	}
	return o
}

// TestStoreBehavesAsMemstore runs random appends (stale or current heads,
// organisation-wide or not, repeated idempotency keys) against the
// JetStream store and the in-memory store and requires the same outcomes.
func TestStoreBehavesAsMemstore(t *testing.T) {
	f := newFixture(t)
	iteration := 0
	rapid.Check(t, func(rt *rapid.T) {
		iteration++
		prefix := fmt.Sprintf("R%d", iteration)
		orgs := []string{prefix + "a", prefix + "b"}
		refs := []events.Ref{
			// IDs are global and the JetStream store lives across
			// iterations: each iteration has its own; p1 of two
			// organisations is refused to the second (IDTakenError).
			{Org: orgs[0], Kind: "project", ID: prefix + "p1"},
			{Org: orgs[0], Kind: "project", ID: prefix + "p2"},
			{Org: orgs[1], Kind: "project", ID: prefix + "p1"},
		}
		keys := []string{"", "", prefix + "-k1", prefix + "-k2"}
		stores := []events.Store{memstore.New(storetest.Registry(), memstore.Config{}), f.store}
		// Per store: the heads of each aggregate after each version
		// (index = version) and the organisation's last sequences.
		heads := make([]map[events.Ref][]events.Head, len(stores))
		orgSeqs := make([]map[string][]uint64, len(stores))
		for i := range stores {
			heads[i] = map[events.Ref][]events.Head{}
			orgSeqs[i] = map[string][]uint64{}
			for _, r := range refs {
				heads[i][r] = []events.Head{{}}
			}
			for _, o := range orgs {
				orgSeqs[i][o] = []uint64{0}
			}
		}
		ops := rapid.IntRange(1, 14).Draw(rt, "ops")
		for op := range ops {
			ref := rapid.SampledFrom(refs).Draw(rt, "ref")
			stale := rapid.IntRange(0, 2).Draw(rt, "stale")
			count := rapid.IntRange(1, 3).Draw(rt, "count")
			key := rapid.SampledFrom(keys).Draw(rt, "key")
			orgWide := rapid.Bool().Draw(rt, "orgWide")
			drafts := make([]events.Draft, count)
			for i := range drafts {
				drafts[i] = events.Draft{Payload: storetest.Noted{Text: fmt.Sprintf("op%d-%d", op, i)}}
			}
			var got []outcome
			for i, s := range stores {
				hist, seqs := heads[i][ref], orgSeqs[i][ref.Org]
				req := events.AppendRequest{
					Ref: ref, Expected: hist[max(0, len(hist)-1-stale)],
					OrgWide: orgWide, OrgSequence: seqs[max(0, len(seqs)-1-stale)],
					Meta: events.Meta{IdempotencyKey: key, RecordedAt: storetest.Base}, Events: drafts,
				}
				envs, err := s.Append(f.ctx, req)
				o := outcomeOf(envs, err)
				got = append(got, o)
				if err == nil && envs[len(envs)-1].Version >= uint64(len(hist)) {
					// New events (not a repeated append's originals).
					for _, e := range envs {
						heads[i][ref] = append(heads[i][ref], events.HeadOf(e))
					}
					orgSeqs[i][ref.Org] = append(orgSeqs[i][ref.Org], envs[len(envs)-1].Sequence)
				}
			}
			if !reflect.DeepEqual(got[0], got[1]) {
				rt.Fatalf("op %d on %s (stale %d, key %q, org-wide %v):\n memstore  %+v\n jetstream %+v", op, ref, stale, key, orgWide, got[0], got[1])
			}
		}
		for _, ref := range refs {
			var loaded [][]string
			for _, s := range stores {
				envs, err := s.Load(f.ctx, ref, 0)
				if err != nil {
					rt.Fatal(err)
				}
				if _, err := events.VerifyChain(envs); err != nil {
					rt.Fatal(err)
				}
				var texts []string
				for _, e := range envs {
					texts = append(texts, string(e.Payload))
				}
				loaded = append(loaded, texts)
			}
			if !reflect.DeepEqual(loaded[0], loaded[1]) {
				rt.Fatalf("%s holds\n memstore  %v\n jetstream %v", ref, loaded[0], loaded[1])
			}
		}
		for _, org := range orgs {
			var loaded [][]string
			for _, s := range stores {
				envs, err := s.LoadOrg(f.ctx, org, 0)
				if err != nil {
					rt.Fatal(err)
				}
				var order []string
				for _, e := range envs {
					order = append(order, e.Ref.ID+"/"+string(e.Payload))
				}
				loaded = append(loaded, order)
			}
			if !reflect.DeepEqual(loaded[0], loaded[1]) {
				rt.Fatalf("organisation %s holds\n memstore  %v\n jetstream %v", org, loaded[0], loaded[1])
			}
		}
	})
}
