package api_test

import (
	"context"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// ongoingProject registers the school, and has its KA122 project applied
// for, approved with 60 000 EUR (20 000 EUR of them for exceptional costs,
// BUD-INCLUSION-REQ) and signed; it returns the tokens.
func ongoingProject(t *testing.T, s *system) (own, office string) {
	t.Helper()
	own, office = s.token(t, "beneficiary", school, "rehtori"), s.token(t, "national-office", "", "virkailija")
	s.clock.set("2022-01-10")
	s.must(t, 201, own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	s.clock.set("2022-02-10")
	s.must(t, 201, own, "POST", "/v1/projects", map[string]any{"project_id": project, "oid": school, "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
		"partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000})
	s.clock.set("2022-04-01")
	s.must(t, 200, office, "POST", "/v1/projects/"+project+"/eligibility", map[string]any{"outcome": "eligible"})
	s.clock.set("2022-05-20")
	s.must(t, 200, office, "POST", "/v1/projects/"+project+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 6_000_000, "exceptional_costs_cents": 2_000_000})
	s.clock.set("2022-06-10")
	s.must(t, 200, own, "POST", "/v1/projects/"+project+"/agreement", map[string]any{"agreement_no": "GA-2022-1"})
	s.clock.set("2022-09-12")
	return own, office
}

// TestInputAmountRangeOverHTTP is the reproduction of issue 12 on the real
// server: a mobility with real_travel_cost_cents 120000000000000000 (an
// int64 overflow gave a negative grant, which left room under BUD-GRANT-CAP
// for an 800-trillion EUR one), and absurd awarded grants and payments, are
// refused with 400 naming the rule and the field, and write nothing.
func TestInputAmountRangeOverHTTP(t *testing.T) {
	s := startSystem(t)
	own, office := ongoingProject(t, s)
	ctx := context.Background()
	before, err := s.store.LastSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mobility := func(id string, realCost int64) map[string]any {
		return map[string]any{"mobility_id": id, "participant_id": "PART-" + id, "activity": "SM-JOB-SHDW",
			"start_date": "2022-09-05", "end_date": "2022-09-09", "sending_organisation": "Oulun koulu",
			"receiving_organisation": "Schule Berlin", "sending_country": "FI", "receiving_country": "DE",
			"receiving_city": "Berlin", "distance_km": 1100, "real_travel_cost_cents": realCost}
	}
	for _, tc := range []struct {
		name, token, path string
		body              map[string]any
		field             string
	}{
		{"INPUT-AMOUNT-RANGE/the reproduction", own, "/v1/projects/" + project + "/mobilities", mobility("M1", 120000000000000000), "real_travel_cost_cents"},
		{"INPUT-AMOUNT-RANGE/int64 max", own, "/v1/projects/" + project + "/mobilities", mobility("M1", math.MaxInt64), "real_travel_cost_cents"},
		{"INPUT-AMOUNT-RANGE/above this year's limit", own, "/v1/projects/" + project + "/mobilities", mobility("M1", 2_000_001), "real_travel_cost_cents"},
		{"INPUT-AMOUNT-RANGE/800 trillion EUR grant", office, "/v1/projects/" + project + "/amendments",
			map[string]any{"amendment_id": "A1", "awarded_cents": 80_000_000_000_000_000, "justification": "x"}, "awarded_cents"},
		{"INPUT-AMOUNT-RANGE/absurd payment", office, "/v1/projects/" + project + "/payments",
			map[string]any{"payment_id": "PF1", "kind": "pre-financing", "amount_cents": int64(1) << 62}, "amount_cents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.call(t, tc.token, "POST", tc.path, tc.body)
			if a.status == 404 || a.status == 405 {
				t.Fatalf("%s: route missing (%d)", tc.path, a.status)
			}
			p := a.problem(t)
			if a.status != 400 || p.Rule != aggregates.RuleAmountRange || p.Field != tc.field {
				t.Fatalf("got %d %+v; want 400 %s on %s", a.status, p, aggregates.RuleAmountRange, tc.field)
			}
		})
	}
	// The same through the CSV upload: the row is refused, naming the column.
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"mobility_id", "participant_id", "activity", "start_date", "end_date", "sending_organisation", "receiving_organisation",
		"sending_country", "receiving_country", "receiving_city", "distance_km", "real_travel_cost_cents"})
	_ = w.Write([]string{"M1", "PART-M1", "SM-JOB-SHDW", "2022-09-05", "2022-09-09", "Oulun koulu", "Schule Berlin", "FI", "DE", "Berlin", "1100", "120000000000000000"})
	w.Flush()
	var bulk api.BulkResult
	s.must(t, 200, own, "POST", "/v1/projects/"+project+"/mobilities.csv", b.String()).json(t, &bulk)
	if bulk.Accepted != 0 || len(bulk.Rows) != 1 || bulk.Rows[0].Rule != aggregates.RuleAmountRange || bulk.Rows[0].Column != "real_travel_cost_cents" {
		t.Fatalf("upload %+v", bulk)
	}
	if after, _ := s.store.LastSequence(ctx); after != before {
		t.Fatalf("refused commands wrote events: sequence %d -> %d", before, after)
	}
	// A real cost at the limit is accepted and paid 80 % (BUD-EXC-TRAVEL).
	a := s.must(t, 201, own, "POST", "/v1/projects/"+project+"/mobilities", mobility("M1", 2_000_000))
	var m projections.MobilityView
	s.must(t, 200, own, "GET", "/v1/projects/"+project+"/mobilities/M1", nil, after(a)...).json(t, &m)
	if m.GrantCents <= 1_600_000 || m.GrantCents > money.MaxMobilityCents {
		t.Fatalf("grant %d", m.GrantCents)
	}
}

// TestStatisticsSurviveOverflowingHistory: events recorded before amounts
// were bounded (two grants near the int64 limit, a payment of the same
// size) stay in the stream for good. The statistics still answer 200,
// with the sums saturated and flagged, instead of 500 for everyone.
func TestStatisticsSurviveOverflowingHistory(t *testing.T) {
	s := startSystem(t)
	ctx := context.Background()
	office := s.token(t, "national-office", "", "virkailija")
	analyst := s.token(t, "analyst", "", "analyytikko")
	rec := time.Date(2022, 5, 20, 10, 0, 0, 0, time.UTC)
	meta := events.Meta{Actor: events.Actor{UserID: "old-release", Role: aggregates.RoleNationalOffice}, RecordedAt: rec}
	huge := int64(math.MaxInt64 - 10)
	var last uint64
	heads := map[events.Ref]events.Head{}
	appendAll := func(ref events.Ref, evs ...any) {
		t.Helper()
		drafts := make([]events.Draft, len(evs))
		for i, e := range evs {
			drafts[i] = events.Draft{Payload: e, OccurredAt: rec}
		}
		envs, err := s.store.Append(ctx, events.AppendRequest{Ref: ref, Expected: heads[ref], Meta: meta, Events: drafts})
		if err != nil {
			t.Fatal(err)
		}
		last, heads[ref] = envs[len(envs)-1].Sequence, events.HeadOf(envs[len(envs)-1])
	}
	for i, oid := range []string{school, other} {
		appendAll(events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid},
			aggregates.OrganisationRegistered{OID: oid, LegalName: "Koulu " + oid, Country: "FI", City: "Oulu", Kind: aggregates.OrgSchool})
		pid := "2022-1-FI01-KA122-SCH-00000000" + strconv.Itoa(i+1)
		appendAll(events.Ref{Org: oid, Kind: aggregates.KindProject, ID: pid},
			aggregates.ApplicationSubmitted{ProjectID: pid, OID: oid, Action: aggregates.ActionKA122, Field: aggregates.FieldSchool, CallYear: 2022, Round: 1,
				Partners: []aggregates.Partner{}, StartDate: aggregates.MustDate("2022-06-01"), EndDate: aggregates.MustDate("2023-08-31"),
				RequestedCents: huge, ApplicantCountry: "FI", SubmittedOn: aggregates.MustDate("2022-02-10")},
			aggregates.ApplicationDecided{ProjectID: pid, OID: oid, Action: aggregates.ActionKA122, Field: aggregates.FieldSchool, CallYear: 2022, Round: 1,
				Outcome: aggregates.OutcomeApproved, AwardedCents: huge, DecidedOn: aggregates.MustDate("2022-05-20")},
			aggregates.GrantAgreementSigned{ProjectID: pid, OID: oid, AwardedCents: huge, SignedOn: aggregates.MustDate("2022-06-10")},
			aggregates.PaymentRecorded{ProjectID: pid, OID: oid, PaymentID: "PF1", Kind: aggregates.PaymentPreFinancing, AmountCents: huge,
				PaidOn: aggregates.MustDate("2022-06-20"), NetPaidCents: huge})
	}
	// The negative grant: real_travel_cost_cents 1.2e17 wrapped round.
	pid := "2022-1-FI01-KA122-SCH-000000001"
	negative := aggregates.GrantBreakdown{CallYear: 2022, TotalCents: -1_844_674_407_370_955_161,
		Lines: []aggregates.GrantLine{{Category: "exceptional_costs", Rule: "BUD-EXC-TRAVEL", Explanation: "old overflow", AmountCents: -1_844_674_407_370_955_161}}}
	appendAll(events.Ref{Org: school, Kind: aggregates.KindProject, ID: pid},
		aggregates.MobilityReported{ProjectID: pid, OID: school, Action: aggregates.ActionKA122, CallYear: 2022,
			Mobility: aggregates.Mobility{MobilityID: "M1", ParticipantID: "PART-1", Activity: "SM-JOB-SHDW",
				StartDate: aggregates.MustDate("2022-09-05"), EndDate: aggregates.MustDate("2022-09-09"), SendingOrganisation: "Oulun koulu",
				ReceivingOrganisation: "Schule", SendingCountry: "FI", ReceivingCountry: "DE", ReceivingCity: "Berlin", DistanceKm: 1100,
				RealTravelCostCents: 120000000000000000},
			Days: 5, DistanceKm: 1100, Grant: negative, ReportedOn: aggregates.MustDate("2022-09-12")})
	wait := []string{api.HeaderMinSequence, strconv.FormatUint(last, 10)}
	var rows []projections.ProjectStatsRow
	s.must(t, 200, analyst, "GET", "/v1/statistics/projects", nil, wait...).json(t, &rows)
	if len(rows) != 1 || !rows[0].Saturated || rows[0].AwardedCents != money.MaxSumCents || rows[0].Projects != 2 {
		t.Fatalf("statistics %+v; want one saturated row of 2 projects", rows)
	}
	s.must(t, 200, analyst, "GET", "/v1/statistics/projects?call_year=2022", nil, wait...)
	s.must(t, 200, analyst, "GET", "/v1/exports/statistics/projects.csv", nil, wait...)
	s.must(t, 200, analyst, "GET", "/v1/statistics/mobilities", nil, wait...)
	s.must(t, 200, office, "GET", "/v1/organisations/"+school, nil, wait...)
	s.must(t, 200, office, "GET", "/v1/projects/"+pid, nil, wait...)
	s.must(t, 200, office, "GET", "/v1/projects", nil, wait...)
	s.must(t, 200, office, "GET", "/v1/projects/"+pid+"/mobilities", nil, wait...)
	s.must(t, 200, analyst, "GET", "/v1/exports/mobilities.csv", nil, wait...)
	// The domain, too, copes: the negative grant counts as 0, so it opens
	// no room under BUD-GRANT-CAP, and a new command is decided normally.
	s.clock.set("2022-10-01")
	own := s.token(t, "beneficiary", school, "rehtori")
	p := s.call(t, own, "POST", "/v1/projects/"+pid+"/mobilities", map[string]any{"mobility_id": "M2", "participant_id": "PART-2", "activity": "SM-JOB-SHDW",
		"start_date": "2022-09-05", "end_date": "2022-09-09", "sending_organisation": "Oulun koulu", "receiving_organisation": "Schule Berlin",
		"sending_country": "FI", "receiving_country": "DE", "receiving_city": "Berlin", "distance_km": 1100})
	if p.status != 201 {
		t.Fatalf("a sane mobility on the damaged project: %d %s", p.status, p.body)
	}
}
