package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/memstore"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// TestAdminOpenNeedsARecordedDisclosure proves PD-DISCLOSE-REASON on the
// grants-admin.open path: serve opens sealed blocks only for a recent
// disclosure of a grants command (a replay file or an event export), and
// reports an erased subject as erased (PD-ERASE), never opened.
func TestAdminOpenNeedsARecordedDisclosure(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := events.ClockFunc(func() time.Time { return now })
	reg := aggregates.Registry()
	store := memstore.New(reg, memstore.Config{Signer: storetest.Signer, Clock: clock})
	book, err := rates.Default()
	if err != nil {
		t.Fatal(err)
	}
	h := command.New(store, aggregates.NewDomain(book, aggregates.Policy{}), reg, clock, command.Config{})
	office := events.Actor{UserID: "cli:test", Role: aggregates.RoleNationalOffice}
	record := func(d aggregates.Disclosure) uint64 {
		t.Helper()
		res, err := h.Handle(ctx, command.Request{Command: aggregates.RecordDisclosure{Disclosure: d}, Actor: office, Reason: d.Reason})
		if err != nil {
			t.Fatal(err)
		}
		return res.Sequence
	}
	cli := record(aggregates.Disclosure{Scope: aggregates.ScopeReplayFile, Reason: "audit", Channel: "cli"})
	api := record(aggregates.Disclosure{Scope: aggregates.ScopeAccessExport, Reason: "asked", Channel: "api"})

	vault, err := pii.NewVault(bytes.Repeat([]byte{3}, pii.KeySize), pii.NewMemoryKeys())
	if err != nil {
		t.Fatal(err)
	}
	aino, kalle := pii.Subject{Org: "E1", Participant: "P1"}, pii.Subject{Org: "E1", Participant: "P2"}
	block := func(s pii.Subject, plain string) json.RawMessage {
		b, err := vault.Seal(ctx, s, []byte(plain))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(b)
		return raw
	}
	blocks := []json.RawMessage{block(aino, `{"last_name":"Virtanen"}`), block(kalle, `{"last_name":"Korhonen"}`)}
	if err := vault.Destroy(ctx, kalle); err != nil {
		t.Fatal(err)
	}
	ask := func(seq uint64, at time.Time) openReply {
		req, _ := json.Marshal(openRequest{DisclosureSequence: seq, Blocks: blocks})
		return answerOpen(ctx, store, personal.Opener(vault), at, req, slog.New(slog.DiscardHandler))
	}
	rep := ask(cli, now.Add(time.Hour))
	if rep.Error != nil || len(rep.Items) != 2 || string(rep.Items[0].Personal) != `{"last_name":"Virtanen"}` || !rep.Items[1].Erased || rep.Items[1].Personal != nil {
		t.Fatalf("PD-DISCLOSE-REASON: a recorded disclosure: %+v", rep)
	}
	for name, c := range map[string]struct {
		seq uint64
		at  time.Time
	}{
		"no disclosure named":             {0, now},
		"no such event":                   {cli + 100, now},
		"an API disclosure":               {api, now},
		"a disclosure older than its TTL": {cli, now.Add(disclosureTTL + time.Minute)},
	} {
		if rep := ask(c.seq, c.at); rep.Error == nil || rep.Error.Code != apperr.Forbidden || len(rep.Items) != 0 {
			t.Errorf("PD-DISCLOSE-REASON: %s: %+v", name, rep)
		}
	}
}
