package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

var (
	refP1 = events.Ref{Org: "E10000001", Kind: "project", ID: "2024-1-FI01-KA122-SCH-000000001"}
	refP2 = events.Ref{Org: "E10000001", Kind: "project", ID: "2024-1-FI01-KA122-SCH-000000002"}
	refO1 = events.Ref{Org: "E10000001", Kind: "organisation", ID: "E10000001"}
	refQ1 = events.Ref{Org: "E20000002", Kind: "project", ID: "2024-1-FI01-KA122-SCH-000000003"}
)

func staleVersionConflicts(t *testing.T, f Factory) {
	h := open(t, f)
	first := h.mustAppend(refP1, 1)
	h.mustAppend(refP1, 1)
	before := h.last()
	_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: events.HeadOf(first[0]), Meta: meta(""), Events: notes("stale", 1)})
	ce := asConflict(t, err)
	if ce.Actual != 2 || ce.Expected != 1 || ce.Ref != refP1 || ce.OrgWide {
		t.Fatalf("conflict = %+v, want actual 2, expected 1 on %s", ce, refP1)
	}
	if got := h.last(); got != before {
		t.Fatalf("a conflicting append wrote: last sequence %d, was %d", got, before)
	}
}

func expectedEmptyConflicts(t *testing.T, f Factory) {
	h := open(t, f)
	h.mustAppend(refP1, 3)
	_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Meta: meta(""), Events: notes("new", 1)})
	if ce := asConflict(t, err); ce.Actual != 3 {
		t.Fatalf("conflict actual = %d, want 3", ce.Actual)
	}
}

func concurrentWriters(t *testing.T, f Factory) {
	h := open(t, f)
	const writers = 50
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for attempt := 0; ; attempt++ {
				envs, err := h.store.Load(h.ctx, refP1, 0)
				if err != nil {
					errs <- err
					return
				}
				var head events.Head
				if len(envs) > 0 {
					head = events.HeadOf(envs[len(envs)-1])
				}
				_, err = h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: head, Meta: meta(""), Events: notes(fmt.Sprintf("w%d", w), 1)})
				if err == nil {
					return
				}
				if !errors.Is(err, events.ErrConflict) || attempt > 10*writers {
					errs <- fmt.Errorf("writer %d attempt %d: %w", w, attempt, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	envs := h.load(refP1, 0)
	if len(envs) != writers {
		t.Fatalf("%d events, want %d", len(envs), writers)
	}
	for i, e := range envs {
		if e.Version != uint64(i+1) {
			t.Fatalf("versions %v are not 1..%d", versions(envs), writers)
		}
	}
	if _, err := events.VerifyChain(envs); err != nil {
		t.Fatalf("chain after concurrent writers: %v", err)
	}
}

func idempotentRetry(t *testing.T, f Factory) {
	h := open(t, f)
	h.mustAppend(refP1, 1)
	req := events.AppendRequest{Ref: refP1, Expected: h.head(refP1), Meta: meta("key-retry-1"), Events: notes("idem", 2)}
	first, err := h.store.Append(h.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	before := h.last()

	// The same request again, as a client retrying after a lost answer.
	again, err := h.store.Append(h.ctx, req)
	if err != nil {
		t.Fatalf("retry with the same head: %v", err)
	}
	sameEvents(t, "retry with the same head", again, first)

	// A retry decided again on the new head (the handler reloaded).
	req.Expected = h.head(refP1)
	req.Events = notes("idem-redecided", 2)
	again, err = h.store.Append(h.ctx, req)
	if err != nil {
		t.Fatalf("retry on the new head: %v", err)
	}
	sameEvents(t, "retry on the new head", again, first)

	// A single-event command retried the same way.
	single := events.AppendRequest{Ref: refP1, Expected: h.head(refP1), Meta: meta("key-retry-2"), Events: notes("one", 1)}
	one, err := h.store.Append(h.ctx, single)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []events.AppendRequest{single, {Ref: refP1, Expected: events.HeadOf(one[0]), Meta: meta("key-retry-2"), Events: notes("one", 1)}} {
		got, err := h.store.Append(h.ctx, r)
		if err != nil {
			t.Fatalf("single-event retry: %v", err)
		}
		sameEvents(t, "single-event retry", got, one)
	}
	if got := h.last(); got != before+1 {
		t.Fatalf("retries wrote: last sequence %d, want %d", got, before+1)
	}
	if envs := h.load(refP1, 0); len(envs) != 4 {
		t.Fatalf("aggregate has %d events, want 4", len(envs))
	}
}

func idempotencyOtherAggregate(t *testing.T, f Factory) {
	h := open(t, f)
	if _, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Meta: meta("shared-key"), Events: notes("a", 1)}); err != nil {
		t.Fatal(err)
	}
	before := h.last()
	_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP2, Meta: meta("shared-key"), Events: notes("b", 1)})
	var reused *events.KeyReusedError
	if !errors.As(err, &reused) {
		t.Fatalf("a key already used for another aggregate: %v, want a KeyReusedError", err)
	}
	// The same with a batch, and with the key naming another request.
	_, err = h.store.Append(h.ctx, events.AppendRequest{Ref: refP2, Meta: meta("shared-key.other"), Events: notes("b", 2)})
	if !errors.As(err, &reused) {
		t.Fatalf("a batch under a key already used for another aggregate: %v, want a KeyReusedError", err)
	}
	if h.last() != before {
		t.Fatal("the refused append wrote")
	}
}

// idempotencyOtherRequest: a key is recognised by its scope (the part
// before "."), so the same key sent with another request ("k.a", then
// "k.b") writes nothing and is refused, decided on the old head (within
// the duplicate window) or on the new one; the first request's own repeat
// still gets its events.
func idempotencyOtherRequest(t *testing.T, f Factory) {
	h := open(t, f)
	for _, n := range []int{1, 2} {
		key := fmt.Sprintf("req-%d", n)
		old := h.head(refP1)
		first, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: old, Meta: meta(key + ".a"), Events: notes("a", n)})
		if err != nil {
			t.Fatal(err)
		}
		before := h.last()
		for _, head := range []events.Head{old, h.head(refP1)} {
			_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: head, Meta: meta(key + ".b"), Events: notes("b", n)})
			var reused *events.KeyReusedError
			if !errors.As(err, &reused) || reused.Ref != refP1 {
				t.Fatalf("%d events: another request under the key, decided on version %d: %v, want a KeyReusedError", n, head.Version, err)
			}
			again, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: head, Meta: meta(key + ".a"), Events: notes("a", n)})
			if err != nil {
				t.Fatalf("%d events: the first request again, decided on version %d: %v", n, head.Version, err)
			}
			sameEvents(t, "the first request again", again, first)
		}
		if h.last() != before {
			t.Fatalf("%d events: the refused appends wrote", n)
		}
	}
}

// racingAppendsUnderOneKeyWriteOnce: appends under one key's scope sent
// at once, each for another aggregate (another organisation's, so that no
// head is shared), or all for one aggregate on one head, store exactly one
// of them; the others get a KeyReusedError, or the winner's events when
// they are the same request (a twin).
func racingAppendsUnderOneKey(t *testing.T, f Factory) {
	h := open(t, f)
	const n = 8
	run := func(req func(i int) events.AppendRequest) ([][]events.Envelope, []error) {
		got, errs := make([][]events.Envelope, n), make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got[i], errs[i] = h.store.Append(h.ctx, req(i))
			}()
		}
		close(start)
		wg.Wait()
		return got, errs
	}
	before := h.last()
	got, errs := run(func(i int) events.AppendRequest {
		ref := events.Ref{Org: fmt.Sprintf("E3000000%d", i), Kind: "project", ID: fmt.Sprintf("2024-1-FI01-KA122-SCH-00000010%d", i)}
		return events.AppendRequest{Ref: ref, Meta: meta(fmt.Sprintf("race.%d", i)), Events: notes("r", 1+i%2)}
	})
	won := -1
	for i, err := range errs {
		var reused *events.KeyReusedError
		switch {
		case err == nil && won >= 0:
			t.Fatalf("appends %d and %d under one key both wrote", won, i)
		case err == nil:
			won = i
		case !errors.As(err, &reused):
			t.Fatalf("append %d: %v, want a KeyReusedError", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no append under the key wrote")
	}
	if last := h.last(); last != before+uint64(len(got[won])) {
		t.Fatalf("the race wrote %d events, want the winner's %d", last-before, len(got[won]))
	}
	// Twins: one request sent n times on one head.
	head := h.head(refP1)
	got, errs = run(func(int) events.AppendRequest {
		return events.AppendRequest{Ref: refP1, Expected: head, Meta: meta("twins.same"), Events: notes("t", 2)}
	})
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("twin %d: %v", i, errs[i])
		}
		sameEvents(t, fmt.Sprintf("twin %d", i), got[i], got[0])
	}
	if envs := h.load(refP1, head.Sequence); len(envs) != 2 {
		t.Fatalf("the twins wrote %d events, want 2", len(envs))
	}
}

func orgWideConflict(t *testing.T, f Factory) {
	h := open(t, f)
	h.mustAppend(refO1, 1)
	h.mustAppend(refP1, 1)
	orgSeq := h.last()
	p1 := h.head(refP1)
	h.mustAppend(refP2, 1) // another aggregate of the same organisation moves
	_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: p1, OrgWide: true, OrgSequence: orgSeq, Meta: meta(""), Events: notes("wide", 1)})
	ce := asConflict(t, err)
	if !ce.OrgWide || ce.Actual != 1 {
		t.Fatalf("conflict = %+v, want an organisation-wide conflict with actual version 1", ce)
	}
	// Decided again on the current organisation sequence, it goes through.
	envs, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: p1, OrgWide: true, OrgSequence: h.last(), Meta: meta(""), Events: notes("wide", 2)})
	if err != nil {
		t.Fatalf("org-wide append on the current sequence: %v", err)
	}
	if got := versions(envs); got[0] != 2 || got[1] != 3 {
		t.Fatalf("versions %v, want [2 3]", got)
	}
}

func orgWideOtherOrg(t *testing.T, f Factory) {
	h := open(t, f)
	h.mustAppend(refP1, 1)
	orgSeq := h.last()
	p1 := h.head(refP1)
	h.mustAppend(refQ1, 2) // another organisation
	if _, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: p1, OrgWide: true, OrgSequence: orgSeq, Meta: meta(""), Events: notes("wide", 1)}); err != nil {
		t.Fatalf("an append to another organisation broke the boundary: %v", err)
	}
	// A new aggregate in an organisation with no events expects sequence 0.
	ref := events.Ref{Org: "E30000003", Kind: "organisation", ID: "E30000003"}
	if _, err := h.store.Append(h.ctx, events.AppendRequest{Ref: ref, OrgWide: true, Meta: meta(""), Events: notes("first", 1)}); err != nil {
		t.Fatalf("org-wide append to an empty organisation: %v", err)
	}
	_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: events.Ref{Org: ref.Org, Kind: "project", ID: "x"}, OrgWide: true, Meta: meta(""), Events: notes("second", 1)})
	asConflict(t, err)
}

func multiEventAtomic(t *testing.T, f Factory) {
	h := open(t, f)
	h.mustAppend(refP2, 1)
	envs := h.mustAppend(refP1, 3)
	if got := versions(envs); got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("versions %v, want [1 2 3]", got)
	}
	seqs := sequences(envs)
	if seqs[1] != seqs[0]+1 || seqs[2] != seqs[1]+1 {
		t.Fatalf("sequences %v are not consecutive", seqs)
	}
	sameEvents(t, "loaded after a multi-event append", h.load(refP1, 0), envs)
	if envs[1].PrevHash != envs[0].Hash || envs[2].PrevHash != envs[1].Hash {
		t.Fatal("multi-event append is not chained")
	}
	before := h.last()
	_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: events.HeadOf(envs[0]), Meta: meta(""), Events: notes("stale", 4)})
	asConflict(t, err)
	if h.last() != before {
		t.Fatal("a conflicting multi-event append wrote part of its events")
	}
	// An organisation-wide multi-event append.
	more, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: events.HeadOf(envs[2]), OrgWide: true, OrgSequence: before, Meta: meta(""), Events: notes("wide", 2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(more); got[0] != 4 || got[1] != 5 {
		t.Fatalf("versions %v, want [4 5]", got)
	}
}

func invalidRef(t *testing.T, f Factory) {
	h := open(t, f)
	for _, ref := range []events.Ref{
		{Org: "E1.x", Kind: "project", ID: "p"},
		{Org: "E1", Kind: "*", ID: "p"},
		{Org: "E1", Kind: "project", ID: ">"},
		{Org: "E1", Kind: "project", ID: ""},
		{Org: "E1", Kind: "project", ID: "a b"},
	} {
		_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: ref, Meta: meta(""), Events: notes("bad", 1)})
		if err == nil || apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("Append(%q) = %v, want an invalid-input error", ref.Subject(), err)
		}
		if _, err := h.store.Load(h.ctx, ref, 0); err == nil {
			t.Errorf("Load(%q) accepted the reference", ref.Subject())
		}
	}
	if _, err := h.store.LoadOrg(h.ctx, "E1.>", 0); err == nil {
		t.Error("LoadOrg accepted a wildcard organisation")
	}
	if _, err := h.store.Locate(h.ctx, "*", "x"); err == nil || errors.Is(err, events.ErrNotFound) {
		t.Errorf("Locate(*) = %v, want an invalid-input error", err)
	}
	if h.last() != 0 {
		t.Fatal("an invalid reference was written")
	}
}

func concurrentMultiEvent(t *testing.T, f Factory) {
	h := open(t, f)
	const writers, rounds, per = 64, 3, 3
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			ref := events.Ref{Org: fmt.Sprintf("E%08d", w%4), Kind: "project", ID: fmt.Sprintf("p-%d", w)}
			var head events.Head
			for range rounds {
				envs, err := h.store.Append(h.ctx, events.AppendRequest{Ref: ref, Expected: head, Meta: meta(""), Events: notes(ref.ID, per)})
				if err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				head = events.HeadOf(envs[len(envs)-1])
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := h.last(); got != writers*rounds*per {
		t.Fatalf("last sequence %d, want %d", got, writers*rounds*per)
	}
	envs := h.load(events.Ref{Org: "E00000001", Kind: "project", ID: "p-1"}, 0)
	if len(envs) != rounds*per {
		t.Fatalf("aggregate has %d events, want %d", len(envs), rounds*per)
	}
	for i := 1; i < len(envs); i += per {
		// Each append's events are consecutive in the stream.
		if envs[i].Sequence != envs[i-1].Sequence+1 {
			t.Fatalf("events of one append are not consecutive: %v", sequences(envs))
		}
	}
	if _, err := events.VerifyChain(envs); err != nil {
		t.Fatal(err)
	}
}

func tooManyEvents(t *testing.T, f Factory) {
	h := open(t, f)
	_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Meta: meta(""), Events: notes("many", 1001)})
	if err == nil || apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("an append of 1001 events gave %v, want an invalid-input error", err)
	}
	envs := h.mustAppend(refP1, 1000)
	if envs[999].Version != 1000 || len(h.load(refP1, 0)) != 1000 {
		t.Fatal("an append of 1000 events did not store them all")
	}
}

func tooLargeEvent(t *testing.T, f Factory) {
	h := open(t, f)
	big := strings.Repeat("x", 2<<20)
	for name, req := range map[string]events.AppendRequest{
		"payload over 1 MiB":       {Ref: refP1, Meta: meta(""), Events: []events.Draft{{Payload: Noted{Text: big}}}},
		"reason over 64 KiB":       {Ref: refP1, Meta: events.Meta{RecordedAt: Base, Reason: big[:70000]}, Events: notes("r", 1)},
		"batch with a large event": {Ref: refP1, Meta: meta(""), Events: []events.Draft{{Payload: Noted{}}, {Payload: Noted{Text: big}}}},
	} {
		_, err := h.store.Append(h.ctx, req)
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want an invalid-input error", name, err)
		}
	}
	if n := h.last(); n != 0 {
		t.Fatalf("a refused append wrote %d events", n)
	}
	// Below the limits it is stored.
	h.mustAppend(refP1, 1)
	if _, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Expected: h.head(refP1), Meta: meta(""), Events: []events.Draft{{Payload: Noted{Text: big[:900000]}}}}); err != nil {
		t.Fatalf("a 900 kB payload: %v", err)
	}
}
