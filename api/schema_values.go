package api

import (
	"reflect"
	"sort"
	"strings"

	a "github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
)

// The value lists of the document come from the domain's own lists and
// constants, so that an enum of the contract cannot drift from what the
// commands accept.
var (
	tokenRoles            = []string{a.RoleBeneficiary, a.RoleNationalOffice, a.RoleAnalyst}
	accreditationKinds    = []string{a.AccreditationSingle, a.AccreditationConsortium}
	accreditationStatuses = []string{a.AccreditationStatusApplied, a.AccreditationStatusGranted, a.AccreditationStatusRejected, a.AccreditationStatusWithdrawn}
	paymentKinds          = []string{a.PaymentPreFinancing, a.PaymentBalance, a.PaymentRecovery}
	ukraineCategories     = []string{a.UkrainePupil, a.UkraineStaff, a.UkraineInvitedExpert}
	ukraineDocuments      = append(a.PupilEvidence(), a.StaffEvidence()...)
	aggregateKinds        = []string{a.KindOrganisation, a.KindProject, a.KindCalls, a.KindRates}
	supportStatuses       = []string{a.SupportPending, a.SupportApproved, a.SupportRejected}
	chainProblemKinds     = []string{events.ProblemUnsigned, events.ProblemSignature, events.ProblemHash, events.ProblemChain,
		events.ProblemUnreadable, events.ProblemMissing, events.ProblemCheckpoint}
)

// eventTypes are the event types of the registry (an audit entry's type).
func eventTypes() []string {
	out := a.Registry().Names()
	sort.Strings(out)
	return out
}

// fieldValues gives the allowed values of a string field: by
// "Component.field" first (nil: any value), then by the field's name alone.
var fieldValues = map[string]func() []string{
	"Problem.field":                  nil, // the input field at fault
	"BulkRow.field":                  nil,
	"ProblemKind.action":             nil, // what to do, in plain English
	"Problem.code":                   problemCodes,
	"action":                         a.Actions,
	"field":                          a.ProjectFields,
	"activity":                       catalog.Codes,
	"ApplyForAccreditation.field":    a.AccreditationFields,
	"AccreditationView.field":        a.AccreditationFields,
	"AccreditationStatsRow.field":    a.AccreditationFields,
	"Accreditation.field":            a.AccreditationFields,
	"RegisterOrganisation.kind":      a.OrganisationKinds,
	"Organisation.kind":              a.OrganisationKinds,
	"AccessExport.status":            list([]string{"held", "erased", "none"}), // api/export_events.go
	"OrganisationView.kind":          a.OrganisationKinds,
	"ApplyForAccreditation.kind":     list(accreditationKinds),
	"AccreditationView.kind":         list(accreditationKinds),
	"Accreditation.kind":             list(accreditationKinds),
	"RecordPayment.kind":             list(paymentKinds),
	"Payment.kind":                   list(paymentKinds),
	"PaymentView.kind":               list(paymentKinds),
	"Partner.role":                   a.PartnerRoles,
	"PartnerView.role":               a.PartnerRoles,
	"Actor.role":                     list(tokenRoles),
	"SessionInfo.role":               list(tokenRoles),
	"ProjectState.status":            list(projectStatuses),
	"ProjectView.status":             list(projectStatuses),
	"ProjectStatsRow.status":         list(projectStatuses),
	"AccreditationView.status":       list(accreditationStatuses),
	"Accreditation.status":           list(accreditationStatuses),
	"DecideAccreditation.outcome":    list([]string{a.OutcomeGranted, a.OutcomeRejected}),
	"AssessEligibility.outcome":      list([]string{a.OutcomeEligible, a.OutcomeIneligible}),
	"DecideApplication.outcome":      list([]string{a.OutcomeApproved, a.OutcomeReserve, a.OutcomeRejected}),
	"DecideUkraineException.outcome": list([]string{a.OutcomeApplied, a.OutcomeRefused}),
	"AssessFinalReport.outcome":      list([]string{a.OutcomeAccepted, a.OutcomeReduced}),
	"UkraineParticipant.category":    list(ukraineCategories),
	"UkraineParticipant.documents":   list(ukraineDocuments),
	"BulkRow.status":                 list([]string{"accepted", "refused"}),
	"ReportView.kind":                list([]string{"interim", "final"}),
	"ReportView.status":              list([]string{"submitted", "assessed"}),
	"MobilityView.status":            list(mobilityStatuses),
	"fields":                         a.ProjectFields,
	"DeadlineFlagView.flag":          a.DeadlineFlags,
	"RaisedFlag.flag":                a.DeadlineFlags,
	"AggregateRef.kind":              list(aggregateKinds),
	"ResolveDamage.aggregate_kind":   list(aggregateKinds),
	"ResolveDamage.resolution":       list([]string{command.ResolutionDismissed, command.ResolutionLost}),
	"AccreditationView.outcome":      list([]string{a.OutcomeGranted, a.OutcomeRejected}),
	"ReportView.outcome":             list([]string{a.OutcomeAccepted, a.OutcomeReduced}),
	"DecideInclusionSupport.outcome": list([]string{a.OutcomeApproved, a.OutcomeRejected}),
	"SupportRequest.status":          list(supportStatuses),
	"SupportRequestView.status":      list(supportStatuses),
	"InstalmentStatus.status":        list([]string{a.InstalmentPlanned, a.InstalmentDue, a.InstalmentOverdue, a.InstalmentPaid}),
	"InstalmentStatus.kind":          list(paymentKinds),
	"PlannedInstalment.kind":         list([]string{a.PaymentPreFinancing}),
	"Health.status":                  list([]string{"up", "ready", "degraded"}),
	"EventSummary.type":              eventTypes,
	"ChainProblem.kind":              list(chainProblemKinds),
	"QuarantinedEvent.kind":          list(chainProblemKinds),
}

// problemCodes are the values of a problem's code: the application error
// codes of the one mapping to HTTP statuses.
func problemCodes() []string {
	out := make([]string, 0, len(statusByCode))
	for c := range statusByCode {
		out = append(out, string(c))
	}
	sort.Strings(out)
	return out
}

func list(v []string) func() []string { return func() []string { return v } }

// optionalFields are the fields without omitempty that a request may
// leave out all the same: the command's Validate does not require them.
var optionalFields = map[string]bool{
	"SubmitFinalReport.summary":     true,
	"SubmitInterimReport.summary":   true,
	"ReportMobility.personal":       true,
	"ReportMobility.distance_km":    true, // or origin and destination
	"CorrectMobility.distance_km":   true,
	"WithdrawAccreditation.reason":  true,
	"SubmitApplication.partners":    true, // absent: none
	"AssessFinalReport.final_cents": true,
	"CorrectMobility.personal":      true,
}

// conditionalFields are the optional fields that the command requires
// in some cases, which their description says.
var conditionalFields = map[string]string{
	"DecideApplication.awarded_cents": "Required (positive) when outcome is approved.",
	"AmendProject.start_date":         "An amendment changes at least one of start_date, end_date, awarded_cents, inclusion_support_cents and exceptional_costs_cents.",
	"AmendProject.end_date":           "An amendment changes at least one of start_date, end_date, awarded_cents, inclusion_support_cents and exceptional_costs_cents.",
	"AmendProject.awarded_cents":      "An amendment changes at least one of start_date, end_date, awarded_cents, inclusion_support_cents and exceptional_costs_cents.",
	"ReportMobility.distance_km":      "Required unless both origin and destination are given (then leave it out); not needed for a preparatory visit.",
	"CorrectMobility.distance_km":     "Required unless both origin and destination are given (then leave it out); not needed for a preparatory visit.",
}

// fieldExamples are sample values by field name.
var fieldExamples = map[string]any{
	"oid": "E10012345", "org": "E10012345", "project_id": "2024-1-FR01-KA122-SCH-000123",
	"mobility_id": "M-0001", "participant_id": "P-0001", "accreditation_id": "2024-1-FR01-KA120-SCH-000045",
	"call_year": 2024, "round": 1, "start_date": "2024-09-01", "end_date": "2025-08-31",
	"birth_date": "2008-03-14", "country": "FR", "sending_country": "FR", "receiving_country": "DE",
	"nationality": "FR", "requested_cents": 6000000, "awarded_cents": 5400000, "amount_cents": 2160000,
	"legal_name": "Lycée Jean Moulin", "city": "Lyon", "receiving_city": "Berlin", "email": "ana@example.org",
}

// fieldFormats are the string formats by field name or name suffix.
var fieldFormats = map[string]string{
	"email": "email", "event_id": "uuid", "EventSummary.id": "uuid", "href": "uri-reference",
	"_on": "date", "_date": "date", "QuarantinedEvent.recorded_at": "date-time",
}

// annotate adds to the schema sc of the field json of component owner its
// allowed values, format and example.
func annotate(sc map[string]any, owner reflect.Type, json string) {
	comp := docName(owner)
	if note := conditionalFields[comp+"."+json]; note != "" {
		sc["description"] = note
	}
	target := sc
	if sc["type"] == "array" {
		if items, ok := sc["items"].(map[string]any); ok && items["type"] == "string" {
			target = items
		}
	}
	if target["type"] != "string" {
		if ex, ok := fieldExamples[json]; ok && sc["type"] != "array" && sc["$ref"] == nil {
			if _, isNum := ex.(int); isNum == (sc["type"] == "integer") {
				sc["examples"] = []any{ex}
			}
		}
		return
	}
	values, own := fieldValues[comp+"."+json]
	if !own {
		values = fieldValues[json]
	}
	if values != nil {
		target["enum"] = values()
	}
	addPattern(target, json)
	if f, ok := fieldFormats[comp+"."+json]; ok {
		target["format"] = f
	} else if f, ok := fieldFormats[json]; ok {
		target["format"] = f
	} else if _, has := target["format"]; !has {
		for _, suffix := range []string{"_on", "_date"} {
			if strings.HasSuffix(json, suffix) {
				target["format"] = fieldFormats[suffix]
			}
		}
	}
	if ex, ok := fieldExamples[json]; ok && target["enum"] == nil && sc["type"] == "string" {
		if _, isString := ex.(string); isString {
			sc["examples"] = []any{ex}
		}
	}
}
