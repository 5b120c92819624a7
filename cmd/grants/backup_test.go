package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/internal/natscluster"
)

// TestBackupRestoresOntoAnEmptyCluster backs up the event stream and the
// lasting buckets of one three-node cluster and restores them onto a new
// one: the same events in the same sequences, three replicas, the token.
func TestBackupRestoresOntoAnEmptyCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)
	a := natscluster.StartTest(t, natscluster.Config{})
	nca := clusterConn(t, a, a.Creds.Serve)
	store, err := openStoreRetrying(ctx, nca, jetstream.Config{Replicas: 3}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ref := events.Ref{Org: "E30000001", Kind: aggregates.KindOrganisation, ID: "E30000001"}
	written, err := store.Append(ctx, events.AppendRequest{Ref: ref, Meta: events.Meta{Actor: events.Actor{UserID: "t", Role: aggregates.RoleNationalOffice}, RecordedAt: time.Now().UTC()},
		Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: ref.ID, LegalName: "Backup school", Country: "FI", City: "Oulu", Kind: aggregates.OrgSchool}}}})
	if err != nil {
		t.Fatal(err)
	}
	jsa, _ := natsjs.New(nca)
	tokens, err := authjs.Open(ctx, jsa, 3)
	if err != nil {
		t.Fatal(err)
	}
	tok := auth.Token{ID: "tok_000000000001", Hash: "ab12", Role: aggregates.RoleNationalOffice, CreatedAt: time.Now().UTC()}
	if err := tokens.Put(ctx, tok); err != nil {
		t.Fatal(err)
	}
	keys, err := piijs.Open(ctx, jsa, 3)
	if err != nil {
		t.Fatal(err)
	}
	keys.Close()

	dir := t.TempDir()
	if out, errOut, code := grants(t, "cluster", "backup", "--dir", a.Dir, "--out", dir); code != 0 || !strings.Contains(out, "GRANTS               1 messages") {
		t.Fatalf("cluster backup: exit %d: %s%s", code, out, errOut)
	}
	if _, errOut, code := grants(t, "cluster", "backup", "--dir", a.Dir, "--out", dir); code != 1 || !strings.Contains(errOut, "holds a backup already") {
		t.Fatalf("a second backup into the same directory: exit %d: %s", code, errOut)
	}

	b := natscluster.StartTest(t, natscluster.Config{})
	ncb := clusterConn(t, b, b.Creds.Serve)
	if out, errOut, code := grants(t, "cluster", "restore", "--dir", b.Dir, "--from", dir); code != 0 {
		t.Fatalf("cluster restore: exit %d: %s%s", code, out, errOut)
	}
	// A restore onto a cluster that holds the streams changes nothing.
	if _, _, code := grants(t, "cluster", "restore", "--dir", b.Dir, "--from", dir); code != 1 {
		t.Fatalf("a second restore: exit %d, want 1", code)
	}
	jsb, _ := natsjs.New(ncb)
	for _, s := range backupStreams {
		st, err := jsb.Stream(ctx, s)
		if err != nil {
			t.Fatalf("restored stream %s: %v", s, err)
		}
		if r := st.CachedInfo().Config.Replicas; r != 3 {
			t.Errorf("restored stream %s has %d replicas, want 3", s, r)
		}
	}
	restored, err := openStoreRetrying(ctx, ncb, jetstream.Config{Replicas: 3}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	got, err := restored.Load(ctx, ref, 0)
	if err != nil || len(got) != 1 || got[0].Sequence != written[0].Sequence || got[0].Hash != written[0].Hash {
		t.Fatalf("restored events %+v (%v), want the one written at sequence %d", got, err, written[0].Sequence)
	}
	tb, err := authjs.Open(ctx, jsb, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tb.ByHash(ctx, tok.Hash); err != nil || got.ID != tok.ID {
		t.Fatalf("restored token %+v (%v), want %s", got, err, tok.ID)
	}
}
