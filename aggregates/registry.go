package aggregates

import "github.com/erasmus-ledger/grants/events"

// AllEvents returns a zero value of every event type, in registration order.
func AllEvents() []Event {
	return []Event{
		OrganisationRegistered{}, AccreditationApplied{}, AccreditationDecided{}, AccreditationWithdrawn{},
		ApplicationSubmitted{}, ApplicationWithdrawn{}, EligibilityAssessed{}, ApplicationDecided{},
		GrantAgreementSigned{}, PaymentRecorded{}, ProjectAmended{},
		UkraineExceptionRequested{}, UkraineExceptionDecided{},
		MobilityReported{}, MobilityCorrected{}, MobilityCancelled{},
		InterimReportSubmitted{}, FinalReportSubmitted{}, FinalReportAssessed{},
		ProjectClosed{}, ProjectTerminated{},
		CallRoundPublished{}, CallRoundCorrected{}, RatesTablePublished{}, RatesTableCorrected{}, GrantsRecomputed{},
		PaymentPlanSet{}, InclusionSupportRequested{}, InclusionSupportDecided{},
		DeadlineFlagRaised{},
		ConsortiumMemberAdded{}, ConsortiumMemberRemoved{},
		ParticipantErased{},
		PersonalDataDisclosed{},
	}
}

// Registry returns a registry of every event type of the domain at its
// current schema version: version 1, but for the types of
// SchemaVersions, which have an upcaster from each older version.
func Registry() *events.Registry {
	r := events.NewRegistry()
	for _, e := range AllEvents() {
		if v, ok := schemaVersions[e.EventType()]; ok {
			r.Register(e.EventType(), v.version, e, v.upcasters)
			continue
		}
		r.Register(e.EventType(), 1, e, nil)
	}
	// The national office's resolution of a damaged aggregate: recorded
	// by the command handler, not decided by the domain.
	r.Register(events.DamageResolvedType, 1, events.DamageResolved{}, nil)
	return r
}
