package httpbench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// Group asks Seed for Projects running KA121 projects with Mobilities
// mobilities each, every project in an organisation of its own.
type Group struct {
	Name                 string
	Projects, Mobilities int
}

// Project is a seeded project and its organisation.
type Project struct {
	ID, OID string
}

// Seeded is what Seed wrote.
type Seeded struct {
	// OIDs are the organisations, those of the projects first.
	OIDs []string
	// Groups holds the projects of each group by its name.
	Groups map[string][]Project
	// Events counts the events appended.
	Events int
}

// The seeded projects run from ProjectStart to ProjectEnd, in the past of
// any bench run, and the mobilities a bench reports fall inside them.
var (
	ProjectStart = aggregates.NewDate(2024, time.September, 1)
	ProjectEnd   = aggregates.NewDate(2026, time.October, 31)
)

// awardedCents is each seeded project's grant: room for a hundred
// thousand mobilities under BUD-GRANT-CAP.
const awardedCents = 100_000_000_00

// Seed appends orgs organisations (at least one per project of groups)
// and the projects of groups with their mobilities to store, as the
// national office and the beneficiaries would have recorded them.
func Seed(ctx context.Context, store events.Store, orgs int, groups []Group) (Seeded, error) {
	out := Seeded{Groups: map[string][]Project{}}
	var projects []struct {
		p Project
		n int
	}
	for _, g := range groups {
		for range g.Projects {
			k := len(projects) + 1
			p := Project{ID: fmt.Sprintf("2024-1-FI01-KA121-SCH-%06d", k), OID: fmt.Sprintf("E%08d", 30_000_000+k)}
			out.Groups[g.Name] = append(out.Groups[g.Name], p)
			projects = append(projects, struct {
				p Project
				n int
			}{p, g.Mobilities})
		}
	}
	orgs = max(orgs, len(projects))
	for k := 1; k <= orgs; k++ {
		out.OIDs = append(out.OIDs, fmt.Sprintf("E%08d", 30_000_000+k))
	}
	var mu sync.Mutex
	var firstErr error
	count := func(n int, err error) {
		mu.Lock()
		defer mu.Unlock()
		out.Events += n
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	const workers = 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < orgs && ctx.Err() == nil; k += workers {
				n, err := seedOrg(ctx, store, out.OIDs[k])
				if err == nil && k < len(projects) {
					var m int
					m, err = seedProject(ctx, store, projects[k].p, projects[k].n)
					n += m
				}
				count(n, err)
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return out, firstErr
}

// appendRetrying appends req, retrying a few times what the store could
// not take for the moment (a store under the seeding's load).
func appendRetrying(ctx context.Context, store events.Store, req events.AppendRequest) ([]events.Envelope, error) {
	for try := 0; ; try++ {
		envs, err := store.Append(ctx, req)
		if err == nil || try == 5 || apperr.CodeOf(err) != apperr.Unavailable || ctx.Err() != nil {
			return envs, err
		}
		time.Sleep(time.Duration(100<<try) * time.Millisecond)
	}
}

// seedMeta is the metadata of a seeded append by role.
func seedMeta(role, org string) events.Meta {
	return events.Meta{Actor: events.Actor{UserID: "bench-seed", Role: role, Org: org}, RecordedAt: time.Now().UTC()}
}

// seedOrg registers organisation oid.
func seedOrg(ctx context.Context, store events.Store, oid string) (int, error) {
	ref := events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid}
	_, err := appendRetrying(ctx, store, events.AppendRequest{Ref: ref, Meta: seedMeta(aggregates.RoleNationalOffice, ""), Events: []events.Draft{{
		Payload: aggregates.OrganisationRegistered{OID: oid, LegalName: "Bench school " + oid, Country: "FI", City: "Oulu", Kind: aggregates.OrgSchool},
	}}})
	return 1, err
}

// seedProject writes project p, approved and signed, with n mobilities.
func seedProject(ctx context.Context, store events.Store, p Project, n int) (int, error) {
	ref := events.Ref{Org: p.OID, Kind: aggregates.KindProject, ID: p.ID}
	var head events.Head
	written := 0
	put := func(role string, payloads ...any) error {
		drafts := make([]events.Draft, len(payloads))
		for i, pl := range payloads {
			drafts[i] = events.Draft{Payload: pl}
		}
		org := ""
		if role == aggregates.RoleBeneficiary {
			org = p.OID
		}
		envs, err := appendRetrying(ctx, store, events.AppendRequest{Ref: ref, Expected: head, Meta: seedMeta(role, org), Events: drafts})
		if err != nil {
			return fmt.Errorf("seeding project %s: %w", p.ID, err)
		}
		head = events.HeadOf(envs[len(envs)-1])
		written += len(drafts)
		return nil
	}
	if err := put(aggregates.RoleBeneficiary, aggregates.ApplicationSubmitted{ProjectID: p.ID, OID: p.OID, Action: aggregates.ActionKA121,
		Field: aggregates.FieldSchool, CallYear: 2024, Round: 1, Title: "Bench project " + p.ID, StartDate: ProjectStart, EndDate: ProjectEnd,
		RequestedCents: awardedCents, ApplicantCountry: "FI", SubmittedOn: aggregates.NewDate(2024, time.February, 20)}); err != nil {
		return written, err
	}
	if err := put(aggregates.RoleNationalOffice,
		aggregates.EligibilityAssessed{ProjectID: p.ID, OID: p.OID, Outcome: aggregates.OutcomeEligible, AssessedOn: aggregates.NewDate(2024, time.March, 15)},
		aggregates.ApplicationDecided{ProjectID: p.ID, OID: p.OID, Action: aggregates.ActionKA121, Field: aggregates.FieldSchool, CallYear: 2024, Round: 1,
			Outcome: aggregates.OutcomeApproved, AwardedCents: awardedCents, DecidedOn: aggregates.NewDate(2024, time.June, 1)},
		aggregates.GrantAgreementSigned{ProjectID: p.ID, OID: p.OID, AgreementNo: "GA-" + p.ID, AwardedCents: awardedCents,
			SignedOn: aggregates.NewDate(2024, time.July, 1)}); err != nil {
		return written, err
	}
	var batch []any
	for i := range n {
		m, g, days := seedMobility(fmt.Sprintf("S%05d", i), fmt.Sprintf("SP-%s-%05d", p.ID[len(p.ID)-6:], i))
		batch = append(batch, aggregates.MobilityReported{ProjectID: p.ID, OID: p.OID, Action: aggregates.ActionKA121, CallYear: 2024,
			Mobility: m, Days: days, DistanceKm: m.DistanceKm, Grant: g, ReportedOn: m.EndDate.AddDays(7)})
		if len(batch) == 200 || i == n-1 {
			if err := put(aggregates.RoleBeneficiary, batch...); err != nil {
				return written, err
			}
			batch = batch[:0]
		}
	}
	return written, nil
}

// seedMobility is a five-day job shadowing in Sweden with its grant.
func seedMobility(id, participant string) (aggregates.Mobility, aggregates.GrantBreakdown, int) {
	from := aggregates.NewDate(2025, time.October, 6)
	m := aggregates.Mobility{MobilityID: id, ParticipantID: participant, Activity: "SM-JOB-SHDW",
		Personal:  aggregates.Personal{FirstName: "Aino", LastName: "Virtanen"},
		StartDate: from, EndDate: from.AddDays(4), SendingOrganisation: "Bench school", ReceivingOrganisation: "Skola Stockholm",
		SendingCountry: "FI", ReceivingCountry: "SE", ReceivingCity: "Stockholm", DistanceKm: 400, TravelDays: 2}
	lines := []aggregates.GrantLine{
		{Category: "organisational_support", Rule: "BUD-ORG-SUPPORT", Explanation: "organisational support per participant", AmountCents: 500_00},
		{Category: "travel", Rule: "BUD-TRAVEL-BAND", Explanation: "travel: 400 km, 100-499 km band", AmountCents: 211_00},
		{Category: "individual_support", Rule: "BUD-INDIVIDUAL", Explanation: "individual support: 7 days", AmountCents: 7 * 101_00},
	}
	var total int64
	for _, l := range lines {
		total += l.AmountCents
	}
	return m, aggregates.GrantBreakdown{CallYear: 2024, Lines: lines, TotalCents: total}, 5
}

// MobilityBody is the JSON body of a command reporting mobility id of
// participant: a five-day job shadowing inside the seeded projects.
func MobilityBody(id, participant string) []byte {
	return fmt.Appendf(nil, `{"mobility_id":%q,"participant_id":%q,"activity":"SM-JOB-SHDW","personal":{"first_name":"Aino","last_name":"Virtanen"},`+
		`"start_date":"2025-10-06","end_date":"2025-10-10","sending_organisation":"Bench school","receiving_organisation":"Skola Stockholm",`+
		`"sending_country":"FI","receiving_country":"SE","receiving_city":"Stockholm","distance_km":400,"travel_days":2}`, id, participant)
}

// ApplicationBody is the JSON body of a KA210 application of organisation
// oid for call 2027 (see DeadlinesJSON), project number n.
func ApplicationBody(oid string, n int) []byte {
	return fmt.Appendf(nil, `{"project_id":"2027-1-FI01-KA210-SCH-%06d","oid":%q,"action":"KA210","field":"school","call_year":2027,"round":1,`+
		`"title":"Bench partnership","partners":[{"oid":"E99999999","name":"Skola Stockholm","country":"SE","role":"partner"}],`+
		`"work_packages":[{"id":"WP1","title":"Project management","share_cents":2000000},{"id":"WP2","title":"Exchanges","share_cents":4000000}],`+
		`"start_date":"2027-09-01","end_date":"2028-08-31","requested_cents":6000000}`, n, oid)
}

// DeadlinesJSON is a deadline table (grants serve --deadlines-file) that
// keeps call 2027 open for the bench's applications.
const DeadlinesJSON = `[{"call_year":2027,"round":1,"actions":["KA210"],"day":"2027-12-31"}]`
