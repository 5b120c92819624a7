package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
)

// TestAPooledKeyBindingLostInAPowerCut proves PD-ERASE for keys made
// durable ahead (the pool, as grants serve runs it with
// --durability=fsync): a report's binding of its pooled key is not synced
// before the event is acknowledged. Lost in a power cut (deleted here, as
// the cut would lose it; the instance is never closed, as a crash leaves
// it), it is taken again from the event's sealed block by the next
// instance's pool, read through the real event store, before that
// instance serves; the erasure then destroys the key.
func TestAPooledKeyBindingLostInAPowerCut(t *testing.T) {
	dir, master, clock := t.TempDir(), masterKey(t), &pdClock{}
	ctx := context.Background()
	l := openLedger(t, dir, master, false, clock)
	defer l.close()
	l.project(t)
	js, err := natsjs.New(l.e.Conn)
	if err != nil {
		t.Fatal(err)
	}
	syncer, closeSyncer := jetstream.NewGroupSyncer(l.e.Server, piijs.KeysStream)
	defer closeSyncer()
	instance := func() *command.Handler {
		keys, err := piijs.OpenBounded(ctx, js, 1, 16)
		if err != nil {
			t.Fatal(err)
		}
		v, err := pii.NewVault(master, keys)
		if err != nil {
			t.Fatal(err)
		}
		keys.SetSyncer(syncer, syncer)
		if err := keys.StartPool(ctx, piijs.PoolConfig{NewKey: v.NewPoolKey, Batch: 8, Acked: l.e.Store.Acked, Scan: sealedBlocksFrom(l.e.Store), MarkEvery: time.Hour}); err != nil {
			t.Fatal(err)
		}
		book, err := rates.Default()
		if err != nil {
			t.Fatal(err)
		}
		return command.New(l.e.Store, aggregates.NewDomain(book, aggregates.Policy{}), aggregates.Registry(), clock, command.Config{Sealer: personal.Sealer{Vault: v}})
	}
	h := instance()
	clock.set("2022-09-12")
	res, err := h.Handle(ctx, command.Request{Command: aggregates.ReportMobility{ProjectID: pdProject, Mobility: kalle.mobility("M1")}, Actor: pdSchool})
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Mobility struct {
			PersonalSealed pii.Sealed `json:"personal_sealed"`
		} `json:"mobility"`
	}
	if err := json.Unmarshal(res.Events[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	seq := p.Mobility.PersonalSealed.KeySeq
	st, err := js.Stream(ctx, piijs.KeysStream)
	if err != nil {
		t.Fatal(err)
	}
	binding := func() (uint64, bool) {
		subj := piijs.KeySubject(pii.KeyID(pii.Subject{Org: pdOrg, Participant: kalle.id}))
		for from := uint64(1); ; {
			m, err := st.GetMsg(ctx, from, natsjs.WithGetMsgSubject(subj))
			if errors.Is(err, natsjs.ErrMsgNotFound) {
				return 0, false
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.Get(piijs.PoolKeyHeader) == strconv.FormatUint(seq, 10) {
				return m.Sequence, true
			}
			from = m.Sequence + 1
		}
	}
	lost, ok := binding()
	if !ok {
		t.Fatalf("the report's key %d is not a bound pooled key", seq)
	}
	if err := st.DeleteMsg(ctx, lost); err != nil { // the power cut
		t.Fatal(err)
	}
	instance() // the restart: its pool binds again before it serves
	if _, ok := binding(); !ok {
		t.Fatal("PD-ERASE: the lost binding was not taken again from the event")
	}
	l.do(t, "2022-10-01", pdOffice, aggregates.EraseParticipant{OID: pdOrg, ParticipantID: kalle.id, Reason: "the participant asked"})
	if _, err := st.GetMsg(ctx, seq); !errors.Is(err, natsjs.ErrMsgNotFound) {
		t.Fatalf("PD-ERASE: the pooled key of the report survives the erasure: %v", err)
	}
}
