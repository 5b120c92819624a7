package aggregates

import (
	"maps"
	"reflect"
)

// Evolve returns the state after event e. It is pure: p is not modified
// (maps and slices are copied on write), so a state may be shared by
// readers while the next one is built. Events of unknown types leave the
// state unchanged.
func Evolve(p Portfolio, e Event) Portfolio {
	if v := reflect.ValueOf(e); v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return p
		}
		e, _ = v.Elem().Interface().(Event)
	}
	switch e := e.(type) {
	case OrganisationRegistered:
		o := p.Organisation
		o.Registered = true
		o.OID, o.LegalName, o.Country, o.City, o.Kind = e.OID, e.LegalName, e.Country, e.City, e.Kind
		p.Organisation = o
	case AccreditationApplied:
		p = p.withAccreditation(e.AccreditationID, func(a *Accreditation) {
			*a = Accreditation{ID: e.AccreditationID, Field: e.Field, Kind: e.Kind, Plan: e.Plan,
				StrategyAttached: e.StrategyAttached, Status: AccreditationStatusApplied, AppliedOn: e.AppliedOn}
		})
	case AccreditationDecided:
		p = p.withAccreditation(e.AccreditationID, func(a *Accreditation) {
			a.DecidedOn = e.DecidedOn
			a.Status = AccreditationStatusRejected
			if e.Outcome == OutcomeGranted {
				a.Status = AccreditationStatusGranted
			}
		})
	case AccreditationWithdrawn:
		p = p.withAccreditation(e.AccreditationID, func(a *Accreditation) {
			a.Status = AccreditationStatusWithdrawn
			a.WithdrawnOn = e.WithdrawnOn
		})
	case ApplicationSubmitted:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			*pr = Project{ID: e.ProjectID, OID: e.OID, Action: e.Action, Field: e.Field, CallYear: e.CallYear,
				Round: e.Round, Consortium: e.Consortium, Title: e.Title, Partners: e.Partners,
				ApplicantCountry: e.ApplicantCountry, StartDate: e.StartDate, EndDate: e.EndDate,
				RequestedCents: e.RequestedCents, Status: StatusSubmitted, SubmittedOn: e.SubmittedOn,
				Mobilities: map[string]MobilityRecord{}}
		})
	case ApplicationWithdrawn:
		p = p.withProject(e.ProjectID, func(pr *Project) { pr.Status = StatusWithdrawn })
	case EligibilityAssessed:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			pr.Status = StatusIneligible
			if e.Outcome == OutcomeEligible {
				pr.Status = StatusEligible
			}
		})
	case ApplicationDecided:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			switch e.Outcome {
			case OutcomeApproved:
				pr.Status, pr.Approved, pr.ApprovedOn, pr.AwardedCents = StatusApproved, true, e.DecidedOn, e.AwardedCents
			case OutcomeReserve:
				pr.Status = StatusReserve
			default:
				pr.Status = StatusRejected
			}
		})
	case GrantAgreementSigned:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			pr.Status, pr.AgreementSigned, pr.SignedOn = StatusOngoing, true, e.SignedOn
		})
	case PaymentRecorded:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			pr.Payments = append(pr.Payments[:len(pr.Payments):len(pr.Payments)],
				Payment{ID: e.PaymentID, Kind: e.Kind, AmountCents: e.AmountCents, PaidOn: e.PaidOn})
			if e.Kind == PaymentRecovery {
				pr.NetPaidCents -= e.AmountCents
			} else {
				pr.NetPaidCents += e.AmountCents
			}
		})
	case ProjectAmended:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			pr.StartDate, pr.EndDate, pr.AwardedCents = e.StartDate, e.EndDate, e.AwardedCents
			pr.Amendments = append(pr.Amendments[:len(pr.Amendments):len(pr.Amendments)], e.AmendmentID)
		})
	case UkraineExceptionRequested:
		p = p.withProject(e.ProjectID, func(pr *Project) { pr.UkraineRequested = true })
	case UkraineExceptionDecided:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			pr.UkraineRequested = false
			pr.UkraineApplied = e.Outcome == OutcomeApplied
		})
	case MobilityReported:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			pr.putMobility(MobilityRecord{Mobility: e.Mobility, Days: e.Days, DistanceKm: e.DistanceKm,
				Grant: e.Grant, ReportedOn: e.ReportedOn})
		})
	case MobilityCorrected:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			reported := pr.Mobilities[e.Mobility.MobilityID].ReportedOn
			pr.putMobility(MobilityRecord{Mobility: e.Mobility, Days: e.Days, DistanceKm: e.DistanceKm,
				Grant: e.Grant, ReportedOn: reported})
		})
	case MobilityCancelled:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			r, ok := pr.Mobilities[e.MobilityID]
			if !ok {
				return
			}
			r.Cancelled = true
			pr.putMobility(r)
		})
	case InterimReportSubmitted:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			pr.InterimReports = append(pr.InterimReports[:len(pr.InterimReports):len(pr.InterimReports)], e.ReportID)
		})
	case FinalReportSubmitted:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			pr.Status, pr.FinalReportOn = StatusReportLocked, e.SubmittedOn
		})
	case FinalReportAssessed:
		p = p.withProject(e.ProjectID, func(pr *Project) {
			pr.Status, pr.FinalCents, pr.AssessedOn = StatusReportAssessed, e.FinalCents, e.AssessedOn
		})
	case ProjectClosed:
		p = p.withProject(e.ProjectID, func(pr *Project) { pr.Status = StatusClosed })
	case ProjectTerminated:
		p = p.withProject(e.ProjectID, func(pr *Project) { pr.Status = StatusTerminated })
	}
	return p
}

// withAccreditation returns p with accreditation id changed by f, copying
// the accreditation map.
func (p Portfolio) withAccreditation(id string, f func(*Accreditation)) Portfolio {
	a := p.Organisation.Accreditations[id]
	f(&a)
	o := p.Organisation
	o.Accreditations = maps.Clone(o.Accreditations)
	if o.Accreditations == nil {
		o.Accreditations = map[string]Accreditation{}
	}
	o.Accreditations[id] = a
	p.Organisation = o
	return p
}

// withProject returns p with project id changed by f, copying the project
// map. f gets a copy of the project; it must copy any map or slice it
// changes (putMobility and the three-index appends above do).
func (p Portfolio) withProject(id string, f func(*Project)) Portfolio {
	pr := p.Projects[id]
	f(&pr)
	projects := make(map[string]Project, len(p.Projects)+1)
	maps.Copy(projects, p.Projects)
	projects[id] = pr
	p.Projects = projects
	return p
}

// putMobility stores r in a copy of the mobility map and recomputes the
// project's running totals from the previous and new record.
func (pr *Project) putMobility(r MobilityRecord) {
	old, had := pr.Mobilities[r.Mobility.MobilityID]
	if had && !old.Cancelled {
		pr.ReportedCents -= old.Grant.TotalCents
		if old.countsTowardKA122Max() {
			pr.CountedMobilities--
		}
	}
	if !r.Cancelled {
		pr.ReportedCents += r.Grant.TotalCents
		if r.countsTowardKA122Max() {
			pr.CountedMobilities++
		}
	}
	m := make(map[string]MobilityRecord, len(pr.Mobilities)+1)
	maps.Copy(m, pr.Mobilities)
	m[r.Mobility.MobilityID] = r
	pr.Mobilities = m
}
