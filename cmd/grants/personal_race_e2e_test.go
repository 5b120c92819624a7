package main

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
)

// TestAReportRacingAnErasureOnAnotherInstance proves PD-ERASE with the
// keys addressed by sequence (issue 16) when a report and an erasure race
// on two instances. The report's append expects only its project's
// subject, so an instance that has not folded the erasure decides the
// report as before it; its key store refuses a new key for the erased
// participant (the erasure's notice is read after the key is stored), and
// a key it held from before is one the erasure destroyed. Whatever the
// instance answered, no personal data of the participant opens after the
// erasure, on any instance. So too when the other instances take keys
// made durable ahead (a pool): the erasure finds B's through its binding,
// and C's binding finds the erasure.
func TestAReportRacingAnErasureOnAnotherInstance(t *testing.T) {
	for _, c := range []struct {
		name   string
		pooled bool
	}{{"PD-ERASE/keys-of-their-own", false}, {"PD-ERASE/pooled-keys", true}} {
		t.Run(c.name, func(t *testing.T) { reportRacingAnErasure(t, c.pooled) })
	}
}

func reportRacingAnErasure(t *testing.T, pooled bool) {
	dir, master, clock := t.TempDir(), masterKey(t), &pdClock{}
	ctx := context.Background()
	l := openLedger(t, dir, master, false, clock)
	defer l.close()
	l.project(t)
	l.do(t, "2022-09-12", pdSchool, aggregates.ReportMobility{ProjectID: pdProject, Mobility: kalle.mobility("M1")})

	// Instance B reports Kalle too (it holds his key) before the erasure;
	// instance C starts after it (its key store has heard of no erasure)
	// and decides on the project alone.
	other := func() (*command.Handler, pii.Vault) {
		js, err := natsjs.New(l.e.Conn)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := piijs.OpenBounded(ctx, js, 1, 16)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(keys.Close)
		v, err := pii.NewVault(master, keys)
		if err != nil {
			t.Fatal(err)
		}
		if pooled {
			if err := keys.StartPool(ctx, piijs.PoolConfig{NewKey: v.NewPoolKey, Batch: 8}); err != nil {
				t.Fatal(err)
			}
		}
		book, err := rates.Default()
		if err != nil {
			t.Fatal(err)
		}
		return command.New(l.e.Store, aggregates.NewDomain(book, aggregates.Policy{}), aggregates.Registry(), clock, command.Config{Sealer: personal.Sealer{Vault: v}}), v
	}
	hb, _ := other()
	report := func(h *command.Handler, id string) error {
		_, err := h.Handle(ctx, command.Request{Command: aggregates.ReportMobility{ProjectID: pdProject, Mobility: kalle.mobility(id)}, Actor: pdSchool})
		return err
	}
	if err := report(hb, "M2"); err != nil {
		t.Fatal(err)
	}

	l.do(t, "2022-10-01", pdOffice, aggregates.EraseParticipant{OID: pdOrg, ParticipantID: kalle.id, Reason: "the participant asked"})
	hc, _ := other()
	for i, h := range []*command.Handler{hb, hc} {
		err := report(h, []string{"M4", "M5"}[i])
		if err != nil && apperr.As(err).Rule != "PD-ERASE" {
			t.Fatalf("instance %d: a report after the erasure: %v", i, err)
		}
	}

	// Every block of Kalle's, before and after the erasure, is shut for
	// an instance opened now.
	_, fresh := other()
	envs, err := l.e.Store.LoadOrg(ctx, pdOrg, 0)
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, e := range envs {
		if e.Type != (aggregates.MobilityReported{}).EventType() {
			continue
		}
		var p struct {
			Mobility struct {
				ParticipantID  string      `json:"participant_id"`
				PersonalSealed *pii.Sealed `json:"personal_sealed"`
			} `json:"mobility"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.Mobility.ParticipantID != kalle.id || p.Mobility.PersonalSealed == nil {
			continue
		}
		blocks++
		if _, err := personal.Open(ctx, fresh, *p.Mobility.PersonalSealed); !errors.Is(err, pii.ErrErased) {
			t.Errorf("PD-ERASE: Kalle's block of sequence %d (key %d) opens after the erasure: %v", e.Sequence, p.Mobility.PersonalSealed.KeySeq, err)
		}
	}
	if blocks < 2 {
		t.Fatalf("%d sealed blocks of Kalle's, want at least the two before the erasure", blocks)
	}
}
