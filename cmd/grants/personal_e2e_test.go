package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
	"github.com/erasmus-ledger/grants/projections/sqlite"
)

const pdOrg = "E10000077"
const pdProject = "2022-1-FI01-KA121-SCH-000000077"

var (
	pdOffice = events.Actor{UserID: "officer", Role: aggregates.RoleNationalOffice}
	pdSchool = events.Actor{UserID: "teacher", Role: aggregates.RoleBeneficiary, Org: pdOrg}
)

// pdClock is a settable clock.
type pdClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *pdClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *pdClock) set(day string) {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t.Add(10 * time.Hour)
	c.mu.Unlock()
}

// pdPerson is a participant with personal data the tests search for.
type pdPerson struct{ id, first, last, email, born string }

var (
	aino  = pdPerson{"PART-AINO", "Aino", "Virtanenpdtest", "aino.pdtest@example.fi", "1979-04-01"}
	kalle = pdPerson{"PART-KALLE", "Kalle", "Korhonenpdtest", "kalle.pdtest@example.fi", "1977-11-23"}
)

func (p pdPerson) mobility(id string) aggregates.Mobility {
	return aggregates.Mobility{
		MobilityID: id, ParticipantID: p.id,
		Personal: aggregates.Personal{FirstName: p.first, LastName: p.last, BirthDate: aggregates.MustDate(p.born), Email: p.email},
		Activity: "SM-JOB-SHDW", StartDate: aggregates.MustDate("2022-09-05"), EndDate: aggregates.MustDate("2022-09-09"),
		SendingOrganisation: "Testikoulu", ReceivingOrganisation: "Schule Berlin", SendingCountry: "FI",
		ReceivingCountry: "DE", ReceivingCity: "Berlin", DistanceKm: 1100, TravelDays: 2,
	}
}

// pdLedger is one "instance": a store on the embedded server, the vault
// and a command handler sealing with it.
type pdLedger struct {
	e     *jetstream.Embedded
	keys  *piijs.Keys
	vault pii.Vault
	h     *command.Handler
	clock *pdClock
	reg   *events.Registry
}

// openLedger opens the embedded server in dir; with v1 the store writes
// the mobility events at schema version 1 (plain personal data, as before
// issue 13) and nothing is sealed.
func openLedger(t *testing.T, dir string, master []byte, v1 bool, clock *pdClock) *pdLedger {
	t.Helper()
	reg := aggregates.Registry()
	if v1 {
		reg = events.NewRegistry()
		for _, e := range aggregates.AllEvents() {
			reg.Register(e.EventType(), 1, e, nil)
		}
		reg.Register(events.DamageResolvedType, 1, events.DamageResolved{}, nil)
	}
	e, err := jetstream.OpenEmbedded(context.Background(), jetstream.EmbeddedConfig{StoreDir: dir, Port: -1}, reg, jetstream.Config{Signer: storetest.Signer})
	if err != nil {
		t.Fatal(err)
	}
	l := &pdLedger{e: e, clock: clock, reg: reg}
	book, err := rates.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := command.Config{}
	if !v1 {
		js, err := natsjs.New(e.Conn)
		if err != nil {
			t.Fatal(err)
		}
		if l.keys, err = piijs.Open(context.Background(), js, 1); err != nil {
			t.Fatal(err)
		}
		if l.vault, err = pii.NewVault(master, l.keys); err != nil {
			t.Fatal(err)
		}
		cfg.Sealer = personal.Sealer{Vault: l.vault}
	}
	l.h = command.New(e.Store, aggregates.NewDomain(book, aggregates.Policy{}), aggregates.Registry(), clock, cfg)
	return l
}

func (l *pdLedger) close() {
	if l.keys != nil {
		l.keys.Close()
	}
	l.e.Close()
}

func (l *pdLedger) do(t *testing.T, day string, actor events.Actor, cmd aggregates.Command) command.Result {
	t.Helper()
	l.clock.set(day)
	res, err := l.h.Handle(context.Background(), command.Request{Command: cmd, Actor: actor, Reason: "test"})
	if err != nil {
		t.Fatalf("%s: %v", cmd.CommandType(), err)
	}
	return res
}

// project records an approved, signed KA121 project with pre-financing.
func (l *pdLedger) project(t *testing.T) {
	l.do(t, "2021-01-04", pdSchool, aggregates.RegisterOrganisation{OID: pdOrg, LegalName: "Testikoulu", Country: "FI", City: "Helsinki", Kind: aggregates.OrgSchool})
	l.do(t, "2021-01-05", pdSchool, aggregates.ApplyForAccreditation{OID: pdOrg, AccreditationID: "ACC-2021-SCH", Field: aggregates.FieldSchool, Kind: aggregates.AccreditationSingle,
		StrategyAttached: true, Plan: aggregates.ErasmusPlan{FromYear: 2021, ToYear: 2027, Objectives: []aggregates.Objective{{Text: "language skills", Indicators: []string{"CEFR levels"}}}}})
	l.do(t, "2021-03-01", pdOffice, aggregates.DecideAccreditation{OID: pdOrg, AccreditationID: "ACC-2021-SCH", Outcome: aggregates.OutcomeGranted})
	l.do(t, "2022-02-10", pdSchool, aggregates.SubmitApplication{ProjectID: pdProject, OID: pdOrg, Action: aggregates.ActionKA121, Field: aggregates.FieldSchool, CallYear: 2022, Round: 1,
		StartDate: aggregates.MustDate("2022-06-01"), EndDate: aggregates.MustDate("2023-08-31"), RequestedCents: 8_000_000})
	l.do(t, "2022-04-01", pdOffice, aggregates.AssessEligibility{ProjectID: pdProject, Outcome: aggregates.OutcomeEligible})
	l.do(t, "2022-05-20", pdOffice, aggregates.DecideApplication{ProjectID: pdProject, Outcome: aggregates.OutcomeApproved, AwardedCents: 6_000_000})
	l.do(t, "2022-06-10", pdSchool, aggregates.SignGrantAgreement{ProjectID: pdProject, AgreementNo: "GA-7"})
	l.do(t, "2022-06-20", pdOffice, aggregates.RecordPayment{ProjectID: pdProject, PaymentID: "PF1", Kind: aggregates.PaymentPreFinancing, AmountCents: 100_000})
}

// closeProject reports, assesses, pays the balance on 2023-10-01 and closes.
func (l *pdLedger) closeProject(t *testing.T) {
	l.do(t, "2023-09-15", pdSchool, aggregates.SubmitFinalReport{ProjectID: pdProject, Summary: "all done"})
	var reported int64
	for _, r := range l.state(t).Projects[pdProject].Mobilities {
		reported += r.Grant.TotalCents
	}
	res := l.do(t, "2023-09-20", pdOffice, aggregates.AssessFinalReport{ProjectID: pdProject, Outcome: aggregates.OutcomeAccepted, FinalCents: reported, Score: 85})
	var balance int64
	for _, e := range res.Events {
		if v, err := l.reg.Decode(e); err == nil {
			if a, ok := v.(aggregates.FinalReportAssessed); ok {
				balance = a.BalanceCents
			}
		}
	}
	l.do(t, "2023-10-01", pdOffice, aggregates.RecordPayment{ProjectID: pdProject, PaymentID: "BAL1", Kind: aggregates.PaymentBalance, AmountCents: balance})
	l.do(t, "2023-10-02", pdOffice, aggregates.CloseProject{ProjectID: pdProject})
}

// state folds the organisation's events.
func (l *pdLedger) state(t *testing.T) aggregates.Portfolio {
	envs, err := l.e.Store.LoadOrg(context.Background(), pdOrg, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := aggregates.NewPortfolio(pdOrg)
	reg := aggregates.Registry()
	for _, e := range envs {
		v, err := reg.Decode(e)
		if err != nil {
			t.Fatal(err)
		}
		p = aggregates.Evolve(p, v.(aggregates.Event))
	}
	return p
}

// grepDir reports the files under dir that hold any of the needles.
func grepDir(t *testing.T, dir string, needles ...[]byte) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(b, n) {
				hits = append(hits, path+": "+string(n))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func (p pdPerson) needles() [][]byte {
	return [][]byte{[]byte(p.last), []byte(p.email), []byte(p.born)}
}

func openReadModels(t *testing.T, l *pdLedger, path string) *sqlite.Manager {
	t.Helper()
	m, err := sqlite.OpenManager(context.Background(), sqlite.ManagerConfig{Path: path, Source: l.e.Store, Registry: aggregates.Registry(), KeyRing: storetest.KeyRing(), Vault: l.vault})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	last, err := l.e.Store.LastSequence(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	return m
}

func catchUp(t *testing.T, l *pdLedger, m *sqlite.Manager) {
	t.Helper()
	last, err := l.e.Store.LastSequence(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
}

// statSums returns the checksums of the statistics and mobilities tables.
func statSums(t *testing.T, m *sqlite.Manager) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+m.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum, err := sqlite.Checksum(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tb := range []string{"stat_mobilities", "stat_accreditations", "mobilities", "projects", "payments"} {
		out[tb] = sum.Tables[tb]
	}
	return out
}

func verifyValid(t *testing.T, l *pdLedger) {
	t.Helper()
	rep, _, err := events.VerifyStore(context.Background(), l.e.Store, storetest.KeyRing(), events.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || rep.Events == 0 {
		t.Fatalf("verification: %+v", rep)
	}
}

func masterKey(t *testing.T) []byte {
	k := make([]byte, pii.KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestPersonalDataSealedErasedAndReplayed proves PD-SEALED, PD-ERASE and
// the schema evolution over a stream of both versions: a mobility
// recorded before issue 13 (schema version 1, plain) and one after
// (version 2, sealed) are both read; the sealed participant's name, e-mail
// and birth date are nowhere in the store's files; erasing destroys the
// key (its bytes gone from the key bucket's block files), the read models
// and the API's reader show the participant as erased, also after a
// replay, whose statistics equal those before the erasure, and the
// chains and signatures stay valid.
func TestPersonalDataSealedErasedAndReplayed(t *testing.T) {
	dir, master, clock := t.TempDir(), masterKey(t), &pdClock{}
	ctx := context.Background()

	// Before issue 13: version-1 events, Aino's data in plain text.
	old := openLedger(t, dir, master, true, clock)
	old.project(t)
	old.do(t, "2022-09-12", pdSchool, aggregates.ReportMobility{ProjectID: pdProject, Mobility: aino.mobility("M1")})
	old.close()

	l := openLedger(t, dir, master, false, clock)
	defer l.close()
	// A signed checkpoint over the version-1 events: later replays
	// authenticate them by their chains.
	if err := benchCheckpoint(ctx, l.e.Store, storetest.Signer); err != nil {
		t.Fatal(err)
	}
	res := l.do(t, "2022-09-14", pdSchool, aggregates.ReportMobility{ProjectID: pdProject, Mobility: kalle.mobility("M2")})
	if ev := res.Events[0]; ev.SchemaVersion != 2 || bytes.Contains(ev.Payload, []byte(kalle.last)) || !bytes.Contains(ev.Payload, []byte(`"personal_sealed"`)) {
		t.Fatalf("PD-SEALED: the stored event is version %d: %s", ev.SchemaVersion, ev.Payload)
	}
	// A correction that gives no personal data keeps the sealed block.
	m2 := kalle.mobility("M2")
	m2.Personal, m2.TravelDays = aggregates.Personal{}, 1
	l.do(t, "2022-09-20", pdSchool, aggregates.CorrectMobility{ProjectID: pdProject, Mobility: m2, Reason: "one travel day"})

	if hits := grepDir(t, dir, kalle.needles()...); len(hits) > 0 {
		t.Fatalf("PD-SEALED: personal data in the store's files: %v", hits)
	}
	if hits := grepDir(t, dir, aino.needles()...); len(hits) == 0 {
		t.Fatalf("the version-1 event should still hold Aino's data as written (the search is broken)")
	}

	rm := openReadModels(t, l, filepath.Join(t.TempDir(), "grants.db"))
	for _, p := range []pdPerson{aino, kalle} {
		v, err := rm.Participant(ctx, pdOrg, p.id)
		if err != nil || v.LastName != p.last || v.Email != p.email || v.BirthDate != p.born || v.Erased {
			t.Fatalf("participant %s before the erasure: %+v, %v", p.id, v, err)
		}
	}
	// Kalle's block is kept sealed in the read models, opened only to be
	// shown: no byte of the file names him (Aino's version-1 data is
	// kept in plain text until she is erased).
	if hits := grepDir(t, filepath.Dir(rm.Path()), kalle.needles()...); len(hits) > 0 {
		t.Fatalf("PD-SEALED: the read models hold the sealed participant in plain text: %v", hits)
	}
	before := statSums(t, rm)

	// The wrapped key, to look for in the key stream's files after.
	js, _ := natsjs.New(l.e.Conn)
	keyID := pii.KeyID(pii.Subject{Org: pdOrg, Participant: kalle.id})
	keyStream, err := js.Stream(ctx, piijs.KeysStream)
	if err != nil {
		t.Fatal(err)
	}
	var wrapped []byte
	for seq := uint64(1); wrapped == nil; {
		m, err := keyStream.GetMsg(ctx, seq, natsjs.WithGetMsgSubject(piijs.KeySubject(keyID)))
		if err != nil {
			t.Fatalf("Kalle's key in %s: %v", piijs.KeysStream, err)
		}
		if m.Header.Get(piijs.KeyIDHeader) == keyID {
			wrapped = bytes.Clone(m.Data)
		}
		seq = m.Sequence + 1
	}

	// PD-ERASE needs a reason; an analyst may not; then both are erased, once.
	if _, err := l.h.Handle(ctx, command.Request{Command: aggregates.EraseParticipant{OID: pdOrg, ParticipantID: kalle.id}, Actor: pdOffice}); apperr.As(err).Field != "reason" {
		t.Fatalf("PD-ERASE without a reason: %v", err)
	}
	for _, p := range []pdPerson{kalle, aino} {
		l.do(t, "2024-01-10", pdOffice, aggregates.EraseParticipant{OID: pdOrg, ParticipantID: p.id, Reason: "the participant asked"})
	}
	if _, err := l.h.Handle(ctx, command.Request{Command: aggregates.EraseParticipant{OID: pdOrg, ParticipantID: kalle.id, Reason: "again"}, Actor: pdOffice}); apperr.As(err).Rule != "PD-ERASE" {
		t.Fatalf("PD-ERASE twice: %v", err)
	}
	// Personal data for an erased participant is refused.
	m3 := kalle.mobility("M3")
	if _, err := l.h.Handle(ctx, command.Request{Command: aggregates.ReportMobility{ProjectID: pdProject, Mobility: m3}, Actor: pdSchool}); apperr.As(err).Rule != "PD-ERASE" {
		t.Fatalf("PD-ERASE: personal data of an erased participant: %v", err)
	}
	if _, err := l.vault.Open(ctx, pii.Sealed{Alg: pii.AlgAES256GCM, Subject: pii.Subject{Org: pdOrg, Participant: kalle.id}.String(), KeyID: pii.KeyID(pii.Subject{Org: pdOrg, Participant: kalle.id})}); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-ERASE: the key still opens: %v", err)
	}
	kvDir := filepath.Join(dir, "jetstream", "$G", "streams", piijs.KeysStream)
	if _, err := os.Stat(kvDir); err != nil {
		t.Fatalf("the key bucket's directory: %v", err)
	}
	if hits := grepDir(t, kvDir, wrapped); len(hits) > 0 {
		t.Fatalf("PD-ERASE: the destroyed key's bytes are still in the bucket's files: %v", hits)
	}

	catchUp(t, l, rm)
	check := func(when string, m *sqlite.Manager) {
		t.Helper()
		for _, p := range []pdPerson{aino, kalle} {
			v, err := m.Participant(ctx, pdOrg, p.id)
			if err != nil || !v.Erased || v.LastName != "" || v.Email != "" || v.BirthDate != "" || v.FirstName != "" {
				t.Fatalf("PD-ERASE %s: participant %s: %+v, %v", when, p.id, v, err)
			}
		}
		db, err := sql.Open("sqlite3", "file:"+m.Path()+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM participants WHERE last_name <> '' OR email <> '' OR birth_date <> ''").Scan(&n); err != nil || n != 0 {
			t.Fatalf("PD-ERASE %s: %d participants rows keep personal data (%v)", when, n, err)
		}
		// The bytes: with the WAL checkpointed into the file, no erased
		// name is left in the free pages (secure_delete) nor in the WAL.
		rw, err := sql.Open("sqlite3", "file:"+m.Path()+"?_busy_timeout=10000")
		if err != nil {
			t.Fatal(err)
		}
		defer rw.Close()
		if _, err := rw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{m.Path(), m.Path() + "-wal"} {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, p := range []pdPerson{aino, kalle} {
				for _, n := range [][]byte{[]byte(p.last), []byte(p.email)} {
					if bytes.Contains(b, n) {
						t.Fatalf("PD-ERASE %s: %s still holds %q", when, filepath.Base(f), n)
					}
				}
			}
		}
	}
	check("after the erasure", rm)
	if got := statSums(t, rm); !equalMaps(got, before) {
		t.Fatalf("the erasure changed the statistics:\n%v\n%v", before, got)
	}

	// A replay after the erasure: the same statistics, nobody readable.
	if err := rm.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	catchUp(t, l, rm)
	check("after a replay", rm)
	if got := statSums(t, rm); !equalMaps(got, before) {
		t.Fatalf("PD-ERASE: the replay after the erasure gives other statistics:\n%v\n%v", before, got)
	}
	// A fresh file from the stream (a restart on a new disk) too.
	fresh := openReadModels(t, l, filepath.Join(t.TempDir(), "grants.db"))
	check("in a fresh file", fresh)
	if got := statSums(t, fresh); !equalMaps(got, before) {
		t.Fatalf("PD-ERASE: a fresh file gives other statistics:\n%v\n%v", before, got)
	}
	verifyValid(t, l)
	// A checkpoint over both versions and the erasure, and the fast
	// verification (chains up to it) and a replay authenticated by it.
	if err := benchCheckpoint(ctx, l.e.Store, storetest.Signer); err != nil {
		t.Fatal(err)
	}
	rep, _, err := events.VerifyStore(ctx, l.e.Store, storetest.KeyRing(), events.VerifyOptions{Fast: true})
	if err != nil || !rep.Valid || rep.Checkpoints < 2 {
		t.Fatalf("verification by the checkpoints: %+v %v", rep, err)
	}
	if err := rm.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	catchUp(t, l, rm)
	check("after a replay authenticated by the checkpoint", rm)
	if got := statSums(t, rm); !equalMaps(got, before) {
		t.Fatalf("the replay by the checkpoint gives other statistics:\n%v\n%v", before, got)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v || v == "" {
			return false
		}
	}
	return true
}
