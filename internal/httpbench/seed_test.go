package httpbench

import (
	"context"
	"errors"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
)

func TestSeedWritesOrganisationsProjectsAndMobilities(t *testing.T) {
	s := jstest.Store(t, aggregates.Registry())
	got, err := Seed(context.Background(), s, 20, []Group{{Name: "a", Projects: 3, Mobilities: 250}})
	for e := err; e != nil; e = errors.Unwrap(e) {
		t.Logf("%T %v", e, e)
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := 20 + 3*(4+250); got.Events != want || len(got.OIDs) != 20 || len(got.Groups["a"]) != 3 {
		t.Fatalf("seeded %d events, %d organisations, %d projects; want %d, 20, 3", got.Events, len(got.OIDs), len(got.Groups["a"]), want)
	}
}
