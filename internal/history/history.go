// Package history generates realistic histories of the grant ledger for
// benchmarks and tests: organisations, projects, mobilities, payments and
// reports appended through the events.Store interface. Only grants bench
// and tests import it.
package history

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// Config tunes Generate.
type Config struct {
	// Events is the least number of events to write.
	Events int
	// Seed makes the history reproducible (with Workers = 1 the stream is
	// identical run to run).
	Seed uint64
	// Start is the recorded time of the first event; each later event of
	// a worker is recorded a second after the one before.
	Start time.Time
	// Workers append concurrently, each for its own organisations
	// (default 32: appends are round trips, the server keeps up with many).
	// With Workers = 1 the stream is reproducible and recorded times rise
	// with the sequence.
	Workers int
	// AppendSize is the most events one append writes (default 1: one
	// event per command, which this server stores several times faster
	// than atomic multi-event batches).
	AppendSize int
	// FirstOrg numbers the organisations from FirstOrg+1 on, so that
	// several histories can be written into one stream.
	FirstOrg int
	// MobilitiesPerProject is the mean number of mobilities of a mobility
	// project (default 120).
	MobilitiesPerProject int
	// Seal, if set, runs over the drafts of each append before it is
	// written, as the command handler's sealing step does
	// (aggregates/personal.Sealer): a history whose personal data is
	// sealed (PD-SEALED). Without it personal data is written in plain.
	Seal func(ctx context.Context, drafts []events.Draft) ([]events.Draft, error)
}

// Generate writes a realistic history into store: organisations,
// accreditation applications and decisions, project applications,
// eligibility, decisions, agreements, payments, mostly mobilities with
// some corrections and cancellations, reports and closures. Many workers
// append concurrently so that a million events take seconds, not minutes.
// It returns the number of events written.
func Generate(ctx context.Context, store events.Store, cfg Config) (int, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.AppendSize <= 0 {
		cfg.AppendSize = 1
	}
	if cfg.MobilitiesPerProject <= 0 {
		cfg.MobilitiesPerProject = 120
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2021, 1, 4, 8, 0, 0, 0, time.UTC)
	}
	var written atomic.Int64
	var nextOrg atomic.Int64
	nextOrg.Store(int64(cfg.FirstOrg))
	var wg sync.WaitGroup
	errs := make(chan error, cfg.Workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			g := &histGen{store: store, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(w))),
				now: cfg.Start.Add(time.Duration(w) * time.Millisecond), worker: w}
			for written.Load() < int64(cfg.Events) && ctx.Err() == nil {
				n, err := g.organisation(ctx, int(nextOrg.Add(1)))
				written.Add(int64(n))
				if err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return int(written.Load()), err
	}
	return int(written.Load()), ctx.Err()
}

// histGen generates the history of one worker's organisations.
type histGen struct {
	store  events.Store
	cfg    Config
	rng    *rand.Rand
	now    time.Time
	worker int
}

var (
	histCountries = []string{"FI", "SE", "DE", "FR", "ES", "IT", "NL", "EE", "IE", "AT", "PT", "PL", "CZ", "NO", "DK", "BE", "EL", "HU"}
	histKinds     = []string{aggregates.OrgSchool, aggregates.OrgVETProvider, aggregates.OrgAdultEducation, aggregates.OrgSchool, aggregates.OrgVETProvider}
	histFields    = map[string]string{aggregates.OrgSchool: aggregates.FieldSchool, aggregates.OrgVETProvider: aggregates.FieldVET, aggregates.OrgAdultEducation: aggregates.FieldAdult}
	histCities    = []string{"Helsinki", "Espoo", "Tampere", "Turku", "Oulu", "Jyväskylä", "Kuopio", "Lahti", "Vaasa", "Rovaniemi"}
	histFirst     = []string{"Aino", "Eero", "Helmi", "Juho", "Lauri", "Maria", "Olivia", "Onni", "Sofia", "Veeti", "Iida", "Leo"}
	histLast      = []string{"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen"}
	histStaffActs = []string{"SM-JOB-SHDW", "SM-TTA", "SM-COUR-TRAIN"}
	histVETActs   = []string{"LM-SHORT-VET", "LM-SHORT-VET", "LM-LONG-VET", "LM-SKILL-VET"}
	histPupilActs = []string{"LM-GRP-PUPIL", "LM-SHORT-PUPIL", "LM-LONG-PUPILS"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// append writes drafts to ref after head and returns the new head.
func (g *histGen) append(ctx context.Context, ref events.Ref, head events.Head, role string, drafts ...events.Draft) (events.Head, error) {
	g.now = g.now.Add(time.Second)
	for i := range drafts {
		if drafts[i].OccurredAt.IsZero() {
			drafts[i].OccurredAt = g.now
		}
	}
	if g.cfg.Seal != nil {
		var err error
		if drafts, err = g.cfg.Seal(ctx, drafts); err != nil {
			return head, fmt.Errorf("sealing the personal data of %s: %w", ref, err)
		}
	}
	envs, err := g.store.Append(ctx, events.AppendRequest{
		Ref: ref, Expected: head, Events: drafts,
		Meta: events.Meta{Actor: events.Actor{UserID: "generator", Role: role}, RecordedAt: g.now,
			CorrelationID: fmt.Sprintf("gen-%d-%d", g.worker, g.now.UnixNano())},
	})
	if err != nil {
		return head, fmt.Errorf("appending to %s: %w", ref, err)
	}
	return events.HeadOf(envs[len(envs)-1]), nil
}

// date returns the calendar date of t.
func date(t time.Time) aggregates.Date { return aggregates.DateOf(t) }

// organisation writes the whole history of one organisation.
func (g *histGen) organisation(ctx context.Context, n int) (int, error) {
	r := g.rng
	oid := fmt.Sprintf("E%08d", n)
	kind := pick(r, histKinds)
	field := histFields[kind]
	ref := events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid}
	head, err := g.append(ctx, ref, events.Head{}, aggregates.RoleNationalOffice, events.Draft{Payload: aggregates.OrganisationRegistered{
		OID: oid, LegalName: fmt.Sprintf("%s %s %d", pick(r, histCities), kind, n), Country: "FI", City: pick(r, histCities), Kind: kind}})
	if err != nil {
		return 0, err
	}
	written := 1
	accredited := false
	if r.IntN(3) == 0 {
		accID := fmt.Sprintf("%d-1-FI01-KA120-%06d", 2020+r.IntN(2), n)
		akind := aggregates.AccreditationSingle
		if r.IntN(5) == 0 {
			akind = aggregates.AccreditationConsortium
		}
		applied := date(g.now)
		head, err = g.append(ctx, ref, head, aggregates.RoleBeneficiary, events.Draft{Payload: aggregates.AccreditationApplied{
			OID: oid, AccreditationID: accID, Field: field, Kind: akind, AppliedOn: applied, StrategyAttached: true,
			Plan: aggregates.ErasmusPlan{FromYear: applied.Year() + 1, ToYear: applied.Year() + 3,
				Objectives: []aggregates.Objective{{Text: "Improve teaching of languages", Indicators: []string{"staff trained"}}}}}})
		if err != nil {
			return written, err
		}
		outcome := aggregates.OutcomeGranted
		if r.IntN(3) == 0 {
			outcome = aggregates.OutcomeRejected
		}
		accredited = outcome == aggregates.OutcomeGranted
		_, err = g.append(ctx, ref, head, aggregates.RoleNationalOffice, events.Draft{Payload: aggregates.AccreditationDecided{
			OID: oid, AccreditationID: accID, Field: field, Kind: akind, Outcome: outcome, DecidedOn: applied.AddDays(90)}})
		if err != nil {
			return written, err
		}
		written += 2
	}
	projects := 1 + r.IntN(3)
	for p := 0; p < projects; p++ {
		k, err := g.project(ctx, oid, n, p, field, accredited)
		written += k
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// project writes the history of one project of organisation oid.
func (g *histGen) project(ctx context.Context, oid string, n, p int, field string, accredited bool) (int, error) {
	r := g.rng
	year := 2021 + r.IntN(4)
	action := aggregates.ActionKA122
	if accredited {
		action = aggregates.ActionKA121
	}
	fieldCode := map[string]string{aggregates.FieldSchool: "SCH", aggregates.FieldVET: "VET", aggregates.FieldAdult: "ADU"}[field]
	id := fmt.Sprintf("%d-1-FI01-%s-%s-%06d%d", year, action, fieldCode, n, p)
	ref := events.Ref{Org: oid, Kind: aggregates.KindProject, ID: id}
	start := aggregates.NewDate(year, time.September, 1)
	end := aggregates.MonthsEnd(start, 15)
	requested := int64(20_000_00 + r.IntN(200_000)*100)
	written := 0
	var head events.Head
	// The events of one step by one actor are appended in order, up to
	// AppendSize at a time.
	var pending []events.Draft
	add := func(payloads ...any) {
		for _, p := range payloads {
			pending = append(pending, events.Draft{Payload: p})
		}
	}
	commit := func(role string) error {
		for len(pending) > 0 {
			n := min(len(pending), g.cfg.AppendSize)
			var err error
			head, err = g.append(ctx, ref, head, role, pending[:n]...)
			if err != nil {
				return err
			}
			written += n
			pending = pending[n:]
		}
		return nil
	}
	add(aggregates.ApplicationSubmitted{ProjectID: id, OID: oid, Action: action, Field: field,
		CallYear: year, Round: 1, Title: "Learning across borders " + id[len(id)-4:], StartDate: start, EndDate: end,
		RequestedCents: requested, ApplicantCountry: "FI", SubmittedOn: aggregates.NewDate(year, time.February, 20),
		Partners: []aggregates.Partner{{Name: "Partner school", Country: pick(r, histCountries), Role: aggregates.RoleHost}}})
	if err := commit(aggregates.RoleBeneficiary); err != nil {
		return written, err
	}
	add(aggregates.EligibilityAssessed{ProjectID: id, OID: oid, Outcome: aggregates.OutcomeEligible,
		AssessedOn: aggregates.NewDate(year, time.March, 15)})
	if r.IntN(5) == 0 {
		add(aggregates.ApplicationDecided{ProjectID: id, OID: oid, Action: action,
			Field: field, CallYear: year, Round: 1, Outcome: aggregates.OutcomeRejected, DecidedOn: aggregates.NewDate(year, time.June, 1)})
		return written, commit(aggregates.RoleNationalOffice)
	}
	awarded := requested * int64(80+r.IntN(21)) / 100
	pre := awarded * 80 / 100
	add(aggregates.ApplicationDecided{ProjectID: id, OID: oid, Action: action, Field: field,
		CallYear: year, Round: 1, Outcome: aggregates.OutcomeApproved, AwardedCents: awarded, DecidedOn: aggregates.NewDate(year, time.June, 1)},
		aggregates.GrantAgreementSigned{ProjectID: id, OID: oid, AgreementNo: "GA-" + id,
			AwardedCents: awarded, SignedOn: aggregates.NewDate(year, time.July, 1)},
		aggregates.PaymentRecorded{ProjectID: id, OID: oid, PaymentID: id + "-P1",
			Kind: aggregates.PaymentPreFinancing, AmountCents: pre, PaidOn: aggregates.NewDate(year, time.July, 20), NetPaidCents: pre})
	if err := commit(aggregates.RoleNationalOffice); err != nil {
		return written, err
	}
	if r.IntN(20) == 0 && year <= 2023 {
		add(aggregates.UkraineExceptionRequested{ProjectID: id, OID: oid, RequestedOn: start.AddDays(30)})
		if err := commit(aggregates.RoleBeneficiary); err != nil {
			return written, err
		}
		add(aggregates.UkraineExceptionDecided{ProjectID: id, OID: oid, Outcome: aggregates.OutcomeApplied, DecidedOn: start.AddDays(40)})
		if err := commit(aggregates.RoleNationalOffice); err != nil {
			return written, err
		}
	}
	// Mobilities; then some corrections and cancellations.
	count := g.cfg.MobilitiesPerProject/2 + r.IntN(g.cfg.MobilitiesPerProject+1)
	var reported int64
	type mob struct {
		m     aggregates.Mobility
		grant aggregates.GrantBreakdown
	}
	mobs := make([]mob, 0, count)
	for i := 0; i < count; i++ {
		m, grant, days := g.mobility(id, i, field, start, year)
		mobs = append(mobs, mob{m, grant})
		reported += grant.TotalCents
		add(aggregates.MobilityReported{ProjectID: id, OID: oid, Action: action, CallYear: year,
			Mobility: m, Days: days, DistanceKm: m.DistanceKm, Grant: grant, ReportedOn: m.EndDate.AddDays(7)})
	}
	if err := commit(aggregates.RoleBeneficiary); err != nil {
		return written, err
	}
	for i := range mobs {
		switch x := r.IntN(100); {
		case x < 5:
			old := mobs[i]
			m, grant, days := g.mobility(id, i, field, start, year)
			m.ParticipantID = old.m.ParticipantID
			m.Personal = old.m.Personal
			reported += grant.TotalCents - old.grant.TotalCents
			add(aggregates.MobilityCorrected{ProjectID: id, OID: oid, Action: action, CallYear: year,
				Mobility: m, Days: days, DistanceKm: m.DistanceKm, Grant: grant, PreviousTotalCents: old.grant.TotalCents,
				Reason: "dates corrected", CorrectedOn: m.EndDate.AddDays(20)})
		case x < 7:
			reported -= mobs[i].grant.TotalCents
			add(aggregates.MobilityCancelled{ProjectID: id, OID: oid, MobilityID: mobs[i].m.MobilityID,
				ParticipantID: mobs[i].m.ParticipantID, CancelledCents: mobs[i].grant.TotalCents, Reason: "did not take place",
				CancelledOn: end.AddDays(-10)})
		}
	}
	add(aggregates.InterimReportSubmitted{ProjectID: id, OID: oid, ReportID: id + "-R1",
		Summary: "Halfway", SubmittedOn: start.AddMonths(7), ReportedCents: reported / 2})
	if err := commit(aggregates.RoleBeneficiary); err != nil {
		return written, err
	}
	if r.IntN(4) == 0 {
		return written, nil // still ongoing
	}
	add(aggregates.FinalReportSubmitted{ProjectID: id, OID: oid, Summary: "Done",
		SubmittedOn: end.AddDays(45), ReportedCents: reported, Mobilities: count})
	if err := commit(aggregates.RoleBeneficiary); err != nil {
		return written, err
	}
	final := min(reported, awarded)
	kind, amount := aggregates.PaymentBalance, final-pre
	if amount < 0 {
		kind, amount = aggregates.PaymentRecovery, pre-final
	}
	add(aggregates.FinalReportAssessed{ProjectID: id, OID: oid, Outcome: aggregates.OutcomeAccepted,
		FinalCents: final, Score: 60 + r.IntN(41), AssessedOn: end.AddDays(90), BalanceCents: final - pre},
		aggregates.PaymentRecorded{ProjectID: id, OID: oid, PaymentID: id + "-P2", Kind: kind,
			AmountCents: amount, PaidOn: end.AddDays(100), NetPaidCents: final},
		aggregates.ProjectClosed{ProjectID: id, OID: oid, FinalCents: final, NetPaidCents: final, ClosedOn: end.AddDays(110)})
	return written, commit(aggregates.RoleNationalOffice)
}

// mobility returns a plausible mobility i of project id with its grant.
func (g *histGen) mobility(id string, i int, field string, start aggregates.Date, year int) (aggregates.Mobility, aggregates.GrantBreakdown, int) {
	r := g.rng
	var act string
	switch {
	case r.IntN(3) == 0:
		act = pick(r, histStaffActs)
	case field == aggregates.FieldVET:
		act = pick(r, histVETActs)
	case field == aggregates.FieldSchool:
		act = pick(r, histPupilActs)
	default:
		act = pick(r, histStaffActs)
	}
	days := 2 + r.IntN(12)
	if act == "LM-LONG-VET" || act == "LM-LONG-PUPILS" {
		days = 30 + r.IntN(120)
	}
	from := start.AddDays(20 + r.IntN(300))
	dist := 500 + r.IntN(2500)
	green := r.IntN(5) == 0
	fewer := r.IntN(6) == 0
	// About one mobility in eight is a participant's second or later one.
	participant := i
	if i > 0 && r.IntN(8) == 0 {
		participant = r.IntN(i)
	}
	m := aggregates.Mobility{
		MobilityID: fmt.Sprintf("M%04d", i), ParticipantID: fmt.Sprintf("P-%s-%04d", id[len(id)-7:], participant),
		Personal: aggregates.Personal{FirstName: pick(r, histFirst), LastName: pick(r, histLast),
			BirthDate: aggregates.NewDate(1970+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28)), Nationality: "FI"},
		Activity: act, StartDate: from, EndDate: from.AddDays(days - 1), SendingOrganisation: "Sender", ReceivingOrganisation: "Host",
		SendingCountry: "FI", ReceivingCountry: pick(r, histCountries[1:]), ReceivingCity: "City", DistanceKm: dist,
		GreenTravel: green, TravelDays: 2, FewerOpportunities: fewer, Accompanying: act == "LM-GRP-PUPIL" && r.IntN(8) == 0,
	}
	daily := int64(90+r.IntN(60)) * 100
	lines := []aggregates.GrantLine{
		{Category: "organisational-support", Rule: "BUD-ORG-SUPPORT", Explanation: "unit cost per participant", AmountCents: 350_00},
		{Category: "travel", Rule: "BUD-TRAVEL-BAND", Explanation: fmt.Sprintf("%d km band", dist), AmountCents: 275_00},
		{Category: "individual-support", Rule: "BUD-INDIVIDUAL", Explanation: fmt.Sprintf("%d days at %d.00 EUR", days, daily/100), AmountCents: int64(days) * daily},
	}
	if fewer {
		lines = append(lines, aggregates.GrantLine{Category: "inclusion-support", Rule: "BUD-RATES-DATA", Explanation: "flat rate", AmountCents: 100_00})
	}
	var total int64
	for _, l := range lines {
		total += l.AmountCents
	}
	return m, aggregates.GrantBreakdown{CallYear: year, Lines: lines, TotalCents: total}, days
}
