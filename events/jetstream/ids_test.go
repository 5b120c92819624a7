package jetstream_test

import (
	"errors"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// TestIDsOfAnEarlierReleaseAreTakenIn: a stream written before the bucket
// GRANTS_IDS existed (the bucket deleted here) has its aggregates taken
// into the bucket when a store opens, once: they are located by the
// bucket, and their IDs are refused to another organisation.
func TestIDsOfAnEarlierReleaseAreTakenIn(t *testing.T) {
	f := newFixture(t)
	old := events.Ref{Org: "E10000001", Kind: "project", ID: "OLD-1"}
	f.append(t, old, events.Head{}, 2)
	f.append(t, events.Ref{Org: "E10000001", Kind: "organisation", ID: "E10000001"}, events.Head{}, 1)
	if err := f.js.DeleteKeyValue(f.ctx, jetstream.IDsBucket); err != nil {
		t.Fatal(err)
	}
	s, err := jetstream.Open(f.ctx, f.nc, storetest.Registry(), jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	kv, err := f.js.KeyValue(f.ctx, jetstream.IDsBucket)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := kv.Get(f.ctx, "project.OLD-1"); err != nil || string(e.Value()) != old.Org {
		t.Fatalf("the old project's ID in the bucket: %v", err)
	}
	if org, err := s.Locate(f.ctx, "project", "OLD-1"); err != nil || org != old.Org {
		t.Fatalf("Locate = %q, %v", org, err)
	}
	if _, err := s.Locate(f.ctx, "project", "NEVER"); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("Locate of an unknown ID = %v, want ErrNotFound", err)
	}
	other := events.Ref{Org: "E20000002", Kind: "project", ID: "OLD-1"}
	_, err = s.Append(f.ctx, events.AppendRequest{Ref: other, Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: "x"}}}})
	var taken *events.IDTakenError
	if !errors.As(err, &taken) {
		t.Fatalf("another organisation's first append of an old ID: %v, want IDTakenError", err)
	}
}
