package jetstream_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// TestAFollowedHeadDoesNotKeepItsStoredMessage: an event read from the
// stream shares the memory of its whole stored message (wire format 3:
// its strings alias the body). A chain state following the aggregate, as
// the ledger guard's verifier, the projector's guard and the command
// cache keep one per aggregate, holds a copy of the head's hash and of
// the aggregate's reference, so the message is collected once the event
// is dropped. Before, they held one stored message per aggregate for
// good: ~1.5 KB an application, ~90 MB of grants serve's heap after
// 60 000 applications, which made the collector's work grow with the
// ledger (issue 16).
func TestAFollowedHeadDoesNotKeepItsStoredMessage(t *testing.T) {
	st := jstest.Store(t, storetest.Registry())
	ctx := context.Background()
	ref := events.Ref{Org: "E10000001", Kind: "note", ID: "n1"}
	if _, err := st.Append(ctx, events.AppendRequest{Ref: ref, Meta: events.Meta{RecordedAt: storetest.Base},
		Events: []events.Draft{{Payload: storetest.Noted{Text: strings.Repeat("x", 4096)}}}}); err != nil {
		t.Fatal(err)
	}
	var chain events.ChainState
	var kept events.Ref
	body := func() weak.Pointer[byte] {
		envs, err := st.Load(ctx, ref, 0)
		if err != nil || len(envs) != 1 {
			t.Fatalf("load: %d events, %v", len(envs), err)
		}
		if p := chain.Check(&envs[0], nil, events.TrustCheckpoint, true); p != nil {
			t.Fatalf("check: %+v", p)
		}
		kept = envs[0].Ref.Clone()
		return weak.Make(&envs[0].Payload[0])
	}()
	for i := 0; i < 10 && body.Value() != nil; i++ {
		runtime.GC()
	}
	if body.Value() != nil {
		t.Fatal("the stored message outlives its event: the chain state's head keeps it alive")
	}
	if chain.Head.Version != 1 || len(chain.Head.Hash) == 0 || kept != ref {
		t.Fatalf("head %+v, ref %v", chain.Head, kept)
	}
}
