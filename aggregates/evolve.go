package aggregates

import (
	"maps"
	"reflect"

	"github.com/erasmus-ledger/grants/aggregates/money"
)

// Evolve returns the state after event e. It is pure: p is not modified
// (maps and slices are copied on write), so a state may be shared by
// readers while the next one is built. Events of unknown types leave the
// state unchanged. Folding many events, use EvolveAll: it copies each map
// once instead of once per event.
func Evolve(p Portfolio, e Event) Portfolio {
	v := evolver{p: p}
	v.apply(e)
	return v.p
}

// EvolveAll returns the state after the events evs, in order. It is pure
// like Evolve, and equal to folding Evolve over evs, but it copies each map
// of p at most once, so loading a project of n mobilities costs O(n), not
// O(n²).
func EvolveAll(p Portfolio, evs []Event) Portfolio {
	v := evolver{p: p}
	for _, e := range evs {
		v.apply(e)
	}
	return v.p
}

// EvolveOwned folds the events evs into *p in place: it changes p's maps
// instead of copying them, so that an event costs the same whatever the
// size of the state (the n-th report of a project is O(1), not O(n)). The
// result equals EvolveAll(*p, evs). p must be owned by the caller alone:
// no other value may share its maps, as a state built from NewPortfolio
// by EvolveOwned only, or a Clone, does not. Evolve and EvolveAll stay
// pure; a state they returned may share maps with their input and must be
// cloned before it is evolved in place.
func EvolveOwned(p *Portfolio, evs []Event) {
	v := evolver{p: *p, inPlace: true}
	for _, e := range evs {
		v.apply(e)
	}
	*p = v.p
}

// evolver applies events to a state, copying each map of the input the
// first time it changes it and changing its own copies in place afterwards;
// inPlace, every map of the input is its own already.
type evolver struct {
	p           Portfolio
	inPlace     bool
	ownProjects bool
	ownAccs     bool
	ownMobs     map[string]bool
}

func (v *evolver) apply(e Event) {
	p := &v.p
	if rv := reflect.ValueOf(e); rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return
		}
		e, _ = rv.Elem().Interface().(Event)
	}
	switch e := e.(type) {
	case OrganisationRegistered:
		o := &p.Organisation
		o.Registered = true
		o.OID, o.LegalName, o.Country, o.City, o.Kind = e.OID, e.LegalName, e.Country, e.City, e.Kind
	case AccreditationApplied:
		v.withAccreditation(e.AccreditationID, func(a *Accreditation) {
			*a = Accreditation{ID: e.AccreditationID, Field: e.Field, Kind: e.Kind, Plan: e.Plan,
				StrategyAttached: e.StrategyAttached, Status: AccreditationStatusApplied, AppliedOn: e.AppliedOn}
		})
	case AccreditationDecided:
		v.withAccreditation(e.AccreditationID, func(a *Accreditation) {
			a.DecidedOn = e.DecidedOn
			a.Status = AccreditationStatusRejected
			if e.Outcome == OutcomeGranted {
				a.Status = AccreditationStatusGranted
			}
		})
	case AccreditationWithdrawn:
		v.withAccreditation(e.AccreditationID, func(a *Accreditation) {
			a.Status = AccreditationStatusWithdrawn
			a.WithdrawnOn = e.WithdrawnOn
		})
	case ConsortiumMemberAdded:
		v.withAccreditation(e.AccreditationID, func(a *Accreditation) {
			a.Members = append(a.Members[:len(a.Members):len(a.Members)], ConsortiumMember{OID: e.MemberOID, AddedOn: e.AddedOn})
		})
	case ConsortiumMemberRemoved:
		v.withAccreditation(e.AccreditationID, func(a *Accreditation) {
			ms := append([]ConsortiumMember(nil), a.Members...)
			if i := a.currentMember(e.MemberOID); i >= 0 {
				ms[i].RemovedOn = e.RemovedOn
			}
			a.Members = ms
		})
	case ParticipantErased:
		o := &p.Organisation
		o.ErasedParticipants = maps.Clone(o.ErasedParticipants)
		if o.ErasedParticipants == nil {
			o.ErasedParticipants = map[string]Date{}
		}
		o.ErasedParticipants[e.ParticipantID] = e.ErasedOn
	case ApplicationSubmitted:
		v.withProject(e.ProjectID, func(pr *Project) {
			*pr = Project{ID: e.ProjectID, OID: e.OID, Action: e.Action, Field: e.Field, CallYear: e.CallYear,
				Round: e.Round, Consortium: e.Consortium, Title: e.Title, Partners: e.Partners,
				ApplicantCountry: e.ApplicantCountry, StartDate: e.StartDate, EndDate: e.EndDate,
				RequestedCents: e.RequestedCents, Status: StatusSubmitted, SubmittedOn: e.SubmittedOn,
				WorkPackages: e.WorkPackages, Mobilities: map[string]MobilityRecord{},
				RequestedInclusionCents: e.InclusionSupportCents, RequestedExceptionalCents: e.ExceptionalCostsCents}
			if p.compact {
				pr.Mobilities, pr.lean = nil, true
			}
		})
	case ApplicationWithdrawn:
		v.withProject(e.ProjectID, func(pr *Project) { pr.Status = StatusWithdrawn })
	case EligibilityAssessed:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.Status = StatusIneligible
			if e.Outcome == OutcomeEligible {
				pr.Status = StatusEligible
			}
		})
	case ApplicationDecided:
		v.withProject(e.ProjectID, func(pr *Project) {
			switch e.Outcome {
			case OutcomeApproved:
				pr.Status, pr.Approved, pr.ApprovedOn, pr.AwardedCents = StatusApproved, true, e.DecidedOn, e.AwardedCents
				pr.SupportDecided, pr.InclusionSupportCents, pr.ExceptionalCostsCents = e.SupportDecided, e.InclusionSupportCents, e.ExceptionalCostsCents
			case OutcomeReserve:
				pr.Status = StatusReserve
			default:
				pr.Status = StatusRejected
			}
		})
	case GrantAgreementSigned:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.Status, pr.AgreementSigned, pr.SignedOn = StatusOngoing, true, e.SignedOn
		})
	case PaymentRecorded:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.Payments = append(pr.Payments[:len(pr.Payments):len(pr.Payments)],
				Payment{ID: e.PaymentID, Kind: e.Kind, AmountCents: e.AmountCents, PaidOn: e.PaidOn, InstalmentID: e.InstalmentID})
			if e.Kind == PaymentRecovery {
				pr.NetPaidCents = money.SatSub(pr.NetPaidCents, e.AmountCents)
			} else {
				pr.NetPaidCents = money.SatAdd(pr.NetPaidCents, e.AmountCents)
			}
		})
	case ProjectAmended:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.StartDate, pr.EndDate, pr.AwardedCents = e.StartDate, e.EndDate, e.AwardedCents
			if e.InclusionSupportCents != nil {
				pr.SupportDecided, pr.InclusionSupportCents = true, *e.InclusionSupportCents
			}
			if e.ExceptionalCostsCents != nil {
				pr.SupportDecided, pr.ExceptionalCostsCents = true, *e.ExceptionalCostsCents
			}
			pr.Amendments = append(pr.Amendments[:len(pr.Amendments):len(pr.Amendments)], e.AmendmentID)
		})
	case PaymentPlanSet:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.PaymentPlan, pr.BalanceDueDays = append([]PlannedInstalment(nil), e.Instalments...), e.BalanceDueDays
		})
	case InclusionSupportRequested:
		v.withProject(e.ProjectID, func(pr *Project) { evolveSupportRequest(pr, e) })
	case InclusionSupportDecided:
		v.withProject(e.ProjectID, func(pr *Project) { evolveSupportRequest(pr, e) })
	case UkraineExceptionRequested:
		v.withProject(e.ProjectID, func(pr *Project) { pr.UkraineRequested = true })
	case UkraineExceptionDecided:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.UkraineRequested = false
			pr.UkraineApplied = e.Outcome == OutcomeApplied
			pr.UkraineActivities = append([]string(nil), e.ExtraActivities...)
		})
	case MobilityReported:
		v.withProject(e.ProjectID, func(pr *Project) {
			r := MobilityRecord{Mobility: e.Mobility, Days: e.Days, DistanceKm: e.DistanceKm,
				Grant: e.Grant, ReportedOn: e.ReportedOn}
			if pr.isLean() {
				v.putLean(pr, r.Mobility.MobilityID, factsOf(r))
				return
			}
			v.putMobility(pr, r.Mobility.MobilityID, factsOf(r), &r)
		})
	case MobilityCorrected:
		v.withProject(e.ProjectID, func(pr *Project) {
			if pr.isLean() {
				r := MobilityRecord{Mobility: e.Mobility, Grant: e.Grant}
				v.putLean(pr, r.Mobility.MobilityID, factsOf(r))
				return
			}
			var reported Date
			if f, ok := pr.facts[e.Mobility.MobilityID]; ok {
				reported = f.reportedOn.date()
			}
			r := MobilityRecord{Mobility: e.Mobility, Days: e.Days, DistanceKm: e.DistanceKm,
				Grant: e.Grant, ReportedOn: reported}
			v.putMobility(pr, r.Mobility.MobilityID, factsOf(r), &r)
		})
	case CallRoundPublished, CallRoundCorrected, RatesTablePublished, RatesTableCorrected:
		p.Reference = p.Reference.evolve(e)
	case MobilityCancelled:
		v.withProject(e.ProjectID, func(pr *Project) {
			if pr.isLean() {
				v.cancelLean(pr, e.MobilityID)
				return
			}
			f, ok := pr.facts[e.MobilityID]
			if !ok {
				return
			}
			f.cancelled = true
			r := pr.Mobilities[e.MobilityID]
			r.Cancelled = true
			v.putMobility(pr, e.MobilityID, f, &r)
		})
	case InterimReportSubmitted:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.InterimReports = append(pr.InterimReports[:len(pr.InterimReports):len(pr.InterimReports)], e.ReportID)
		})
	case FinalReportSubmitted:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.Status, pr.FinalReportOn = StatusReportLocked, e.SubmittedOn
		})
	case FinalReportAssessed:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.Status, pr.FinalCents, pr.AssessedOn = StatusReportAssessed, e.FinalCents, e.AssessedOn
			pr.WorkPackagesAssessed = e.WorkPackages
		})
	case DeadlineFlagRaised:
		v.withProject(e.ProjectID, func(pr *Project) {
			pr.DeadlineFlags = append(pr.DeadlineFlags[:len(pr.DeadlineFlags):len(pr.DeadlineFlags)],
				RaisedFlag{Flag: e.Flag, DueOn: e.DueOn, RaisedOn: e.RaisedOn})
		})
	case ProjectClosed:
		v.withProject(e.ProjectID, func(pr *Project) { pr.Status = StatusClosed })
	case ProjectTerminated:
		v.withProject(e.ProjectID, func(pr *Project) { pr.Status = StatusTerminated })
	}
}

// withAccreditation changes accreditation id with f, copying the
// accreditation map of the input first.
func (v *evolver) withAccreditation(id string, f func(*Accreditation)) {
	o := &v.p.Organisation
	if !(v.ownAccs || v.inPlace) || o.Accreditations == nil {
		o.Accreditations = maps.Clone(o.Accreditations)
		if o.Accreditations == nil {
			o.Accreditations = map[string]Accreditation{}
		}
		v.ownAccs = true
	}
	a := o.Accreditations[id]
	f(&a)
	o.Accreditations[id] = a
}

// withProject changes project id with f, copying the project map of the
// input first. f gets the project by value; it changes its maps and slices
// only through v.putMobility and three-index appends, which copy.
func (v *evolver) withProject(id string, f func(*Project)) {
	if !(v.ownProjects || v.inPlace) || v.p.Projects == nil {
		projects := make(map[string]Project, len(v.p.Projects)+1)
		maps.Copy(projects, v.p.Projects)
		v.p.Projects = projects
		v.ownProjects = true
	}
	pr := v.p.Projects[id]
	f(&pr)
	v.p.Projects[id] = pr
}

// putMobility stores the facts f of mobility id, and its record r, in
// the maps of a project that is not compact (copied first unless
// this evolver made them) and updates the project's running totals from
// the previous and new facts.
func (v *evolver) putMobility(pr *Project, id string, f mobilityFacts, r *MobilityRecord) {
	old, had := pr.facts[id]
	f.seq = len(pr.facts) + 1
	if had {
		f.seq = old.seq
	}
	if had && !old.cancelled {
		pr.ReportedCents = money.SatSub(pr.ReportedCents, countedCents(old.totalCents))
		if old.countsTowardKA122Max() {
			pr.CountedMobilities--
		}
	}
	if !f.cancelled {
		pr.ReportedCents = money.SatAdd(pr.ReportedCents, countedCents(f.totalCents))
		if f.countsTowardKA122Max() {
			pr.CountedMobilities++
		}
	}
	if had && !old.cancelled {
		pr.unclaim(old.claims)
	}
	if !f.cancelled {
		pr.claim(f.claims)
	}
	if had && old.paysOrgSupport() {
		pr.orgSupportCount--
	}
	if f.paysOrgSupport() {
		pr.orgSupportCount++
	}
	if !(v.ownMobs[pr.ID] || v.inPlace) || pr.facts == nil || pr.Mobilities == nil {
		facts := make(map[string]mobilityFacts, len(pr.facts)+1)
		maps.Copy(facts, pr.facts)
		pr.facts = facts
		m := make(map[string]MobilityRecord, len(pr.Mobilities)+1)
		maps.Copy(m, pr.Mobilities)
		pr.Mobilities = m
		pr.byParticipant = maps.Clone(pr.byParticipant)
		if v.ownMobs == nil {
			v.ownMobs = map[string]bool{}
		}
		v.ownMobs[pr.ID] = true
	}
	if had && old.participantID != f.participantID {
		pr.unindexParticipant(old.participantID, id)
	}
	if !had || old.participantID != f.participantID {
		pr.indexParticipant(f.participantID, id)
	}
	pr.facts[id] = f
	if r != nil {
		r.Seq = f.seq
		pr.Mobilities[id] = *r
	}
}

// countedCents is what a mobility's grant adds to the project's reported
// total: a negative grant, which only the integer overflow of an old
// release could record, counts as 0 so that it never leaves room under
// BUD-GRANT-CAP.
func countedCents(grant int64) int64 { return max(grant, 0) }

// Clone returns a copy of p that shares no map with it, so that it may be
// evolved in place (EvolveOwned) while p is read, or the other way round.
func (p Portfolio) Clone() Portfolio {
	c := p
	c.Organisation.Accreditations = maps.Clone(p.Organisation.Accreditations)
	if p.Projects != nil {
		c.Projects = make(map[string]Project, len(p.Projects))
		for id, pr := range p.Projects {
			pr.Mobilities = maps.Clone(pr.Mobilities)
			pr.facts = maps.Clone(pr.facts)
			pr.byParticipant = maps.Clone(pr.byParticipant)
			pr.mobilityIDs = maps.Clone(pr.mobilityIDs)
			pr.participantSums = maps.Clone(pr.participantSums)
			c.Projects[id] = pr
		}
	}
	return c
}
