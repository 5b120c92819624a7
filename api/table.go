package api

import (
	"net/http"

	a "github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/export"
	"github.com/erasmus-ledger/grants/projections"
)

// Role sets of the route table.
var (
	everyone       = []string{a.RoleBeneficiary, a.RoleNationalOffice, a.RoleAnalyst}
	reporters      = []string{a.RoleBeneficiary, a.RoleNationalOffice}
	officeAnalysts = []string{a.RoleNationalOffice, a.RoleAnalyst}
)

// Tags of the documentation.
const (
	tagOrgs     = "organisations"
	tagProjects = "projects"
	tagMob      = "mobilities"
	tagAudit    = "audit"
	tagStats    = "statistics"
	tagRef      = "reference"
	tagOps      = "operations"
	tagWeb      = "web pages"
)

var (
	pProject  = map[string]string{"id": "project_id"}
	pOrg      = map[string]string{"oid": "oid"}
	pOrgAccr  = map[string]string{"oid": "oid", "aid": "accreditation_id"}
	pOrgMem   = map[string]string{"oid": "oid", "aid": "accreditation_id", "member": "member_oid"}
	pOrgPart  = map[string]string{"oid": "oid", "pid": "participant_id"}
	pMobility = map[string]string{"id": "project_id", "mid": "mobility_id"}
	pRequest  = map[string]string{"id": "project_id", "rid": "request_id"}
)

// created answers 201 with the Location of the new resource.
func created(prefix string) cmdSpec {
	return cmdSpec{status: http.StatusCreated, location: func(r command.Result) string { return prefix + r.Ref.ID }}
}

// routeTable is THE route table: every route is registered from it and
// documented from it.
func (s *Server) routeTable() []Route {
	G, P := http.MethodGet, http.MethodPost
	orgSpec := func(path map[string]string) cmdSpec { return cmdSpec{path: path} }
	prj := cmdSpec{path: pProject}
	mobCreated := cmdSpec{path: pProject, status: http.StatusCreated}
	rs := []Route{
		// Operations.
		{Method: G, Path: "/healthz", OperationID: "health", Summary: "Tell that the process is up", Tag: tagOps, Response: Health{}, Handler: s.healthz},
		{Method: G, Path: "/readyz", OperationID: "ready", Summary: "Tell that JetStream is reachable, the stream present and the projections caught up", Tag: tagOps, Response: Health{}, Handler: s.readyz},
		{Method: G, Path: "/metrics", OperationID: "metrics", Summary: "Prometheus metrics (a national-office token or the metrics token)", Tag: tagOps, Roles: []string{a.RoleNationalOffice}, ResponseType: "text/plain", Handler: s.metrics.handler()},
		{Method: G, Path: "/v1/openapi.json", OperationID: "openapi", Summary: "This OpenAPI 3.1 document", Tag: tagOps, Conditional: true, ResponseType: "application/json", Handler: s.openAPI},

		// Organisations and accreditations.
		commandRoute[a.RegisterOrganisation](s, P, "/v1/organisations", "registerOrganisation", "Register an organisation", tagOrgs, created("/v1/organisations/")),
		{Method: G, Path: "/v1/organisations", OperationID: "listOrganisations", Summary: "List organisations", Tag: tagOrgs, Roles: officeAnalysts, Response: projections.OrganisationPage{}, Query: append(pageParams(), Param{Name: "country", Description: "ISO country code of the seat"}), Handler: s.listOrganisations},
		{Method: G, Path: "/v1/organisations/:oid", OperationID: "getOrganisation", Summary: "Read an organisation's status: accreditations and projects with their budgets", Tag: tagOrgs, Roles: everyone, ETag: true, Response: OrganisationStatus{}, Query: consistencyParams(), Handler: s.getOrganisation},
		{Method: G, Path: "/v1/organisations/:oid/as-of", OperationID: "organisationAsOf", Summary: "Rebuild an organisation (registration, accreditations, projects) as it stood at a past time, on the recorded (default) or the effective clock (ASOF-CLOCK)", Tag: tagOrgs, Roles: everyone, Conditional: true, Response: OrganisationAsOf{}, Query: asOfParams(true), Handler: s.organisationAsOf},
		{Method: G, Path: "/v1/organisations/:oid/participants/:pid/access-export", OperationID: "participantAccessExport", Summary: "Right of access: everything the ledger holds on one participant, as JSON (national office; recorded as a disclosure, PD-ACCESS-EXPORT)", Tag: tagMob, Roles: []string{a.RoleNationalOffice}, Response: AccessExport{},
			Query: append([]Param{{Name: "reason", Required: true, Description: "why the national office discloses the data (the data subject's request; recorded, PD-DISCLOSE-REASON)"}}, consistencyParams()...), Handler: s.accessExport},
		commandRoute[a.ApplyForAccreditation](s, P, "/v1/organisations/:oid/accreditations", "applyForAccreditation", "Apply for an Erasmus accreditation", tagOrgs, orgSpec(pOrg)),
		commandRoute[a.DecideAccreditation](s, P, "/v1/organisations/:oid/accreditations/:aid/decision", "decideAccreditation", "Decide an accreditation application", tagOrgs, orgSpec(pOrgAccr)),
		commandRoute[a.WithdrawAccreditation](s, P, "/v1/organisations/:oid/accreditations/:aid/withdrawal", "withdrawAccreditation", "Withdraw an accreditation", tagOrgs, orgSpec(pOrgAccr)),
		commandRoute[a.AddConsortiumMember](s, P, "/v1/organisations/:oid/accreditations/:aid/members", "addConsortiumMember", "Register an organisation as a member of a consortium accreditation (CONS-MEMBER)", tagOrgs, orgSpec(pOrgAccr)),
		commandRoute[a.RemoveConsortiumMember](s, P, "/v1/organisations/:oid/accreditations/:aid/members/:member/removal", "removeConsortiumMember", "End an organisation's membership of a consortium (CONS-MEMBER)", tagOrgs, orgSpec(pOrgMem)),
		commandRoute[a.EraseParticipant](s, P, "/v1/organisations/:oid/participants/:pid/erasure", "eraseParticipant", "Erase a participant's personal data for good: the participant's key is destroyed (PD-ERASE; national office)", tagOrgs, orgSpec(pOrgPart)),
		{Method: G, Path: "/v1/organisations/:oid/consortium-members", OperationID: "listConsortiumMembers", Summary: "List the members of the organisation's consortium accreditations, past and present (CONS-MEMBER)", Tag: tagOrgs, Roles: everyone, Response: []projections.ConsortiumMemberView{}, Query: consistencyParams(), Handler: s.listConsortiumMembers},
		{Method: G, Path: "/v1/organisations/:oid/history", OperationID: "organisationHistory", Summary: "Read the audit history of an organisation and its projects", Tag: tagAudit, Roles: reporters, Response: HistoryPage{}, Query: historyParams(), Handler: s.organisationHistory},
		{Method: G, Path: "/v1/organisations/:oid/verification", OperationID: "verifyOrganisation", Summary: "Verify the hash chain of an organisation's events", Tag: tagAudit, Roles: reporters, Response: Verification{}, Handler: s.verifyOrganisation},

		// Projects (applications, decisions, agreements, payments, amendments, Ukraine exception, reports).
		commandRoute[a.SubmitApplication](s, P, "/v1/projects", "submitApplication", "Submit an application (a project)", tagProjects, created("/v1/projects/")),
		{Method: G, Path: "/v1/projects", OperationID: "listProjects", Summary: "List projects", Tag: tagProjects, Roles: everyone, Response: projections.ProjectPage{}, Query: append(pageParams(), Param{Name: "org"}, Param{Name: "call_year", Type: "integer"}, Param{Name: "action"}, Param{Name: "field"}, Param{Name: "status", Enum: projectStatuses}, Param{Name: "overdue", Type: "boolean", Description: "only the projects whose final report or its assessment is overdue (LIFE-REPORT-DUE, LIFE-ASSESS-DUE)"}), Handler: s.listProjects},
		{Method: G, Path: "/v1/projects/:id", OperationID: "getProject", Summary: "Read a project's status with its budget: awarded, reported, remaining and the breakdown explained", Tag: tagProjects, Roles: everyone, ETag: true, Response: ProjectStatus{}, Query: consistencyParams(), Handler: s.getProject},
		{Method: G, Path: "/v1/projects/:id/as-of", OperationID: "projectAsOf", Summary: "Rebuild a project as it stood at a past time, on the recorded (default) or the effective clock (ASOF-CLOCK)", Tag: tagProjects, Roles: everyone, ETag: true, Conditional: true, Response: ProjectAsOf{}, Query: asOfParams(true), Handler: s.projectAsOf},
		commandRoute[a.RaiseDeadlineFlags](s, P, "/v1/projects/:id/deadline-flags", "raiseDeadlineFlags", "Record the deadline reminders and overdue flags due on a project now (LIFE-REPORT-DUE, LIFE-ASSESS-DUE); the scheduler does it periodically", tagProjects, prj),
		commandRoute[a.WithdrawApplication](s, P, "/v1/projects/:id/withdrawal", "withdrawApplication", "Withdraw an application", tagProjects, prj),
		commandRoute[a.AssessEligibility](s, P, "/v1/projects/:id/eligibility", "assessEligibility", "Assess an application's eligibility", tagProjects, prj),
		commandRoute[a.DecideApplication](s, P, "/v1/projects/:id/decision", "decideApplication", "Decide an application (approve, reserve-list or reject)", tagProjects, prj),
		commandRoute[a.SignGrantAgreement](s, P, "/v1/projects/:id/agreement", "signGrantAgreement", "Sign the grant agreement", tagProjects, prj),
		commandRoute[a.RecordPayment](s, P, "/v1/projects/:id/payments", "recordPayment", "Record a payment or a recovery", tagProjects, prj),
		{Method: G, Path: "/v1/projects/:id/payments", OperationID: "listPayments", Summary: "List a project's payments and recoveries", Tag: tagProjects, Roles: reporters, Response: []projections.PaymentView{}, Query: consistencyParams(), Handler: s.listPayments},
		commandRoute[a.AmendProject](s, P, "/v1/projects/:id/amendments", "amendProject", "Amend a project (dates or grant)", tagProjects, prj),
		commandRoute[a.SetPaymentPlan](s, http.MethodPut, "/v1/projects/:id/payment-plan", "setPaymentPlan", "Set (or replace) the payment plan of a signed grant agreement", tagProjects, prj),
		{Method: G, Path: "/v1/projects/:id/payment-plan", OperationID: "getPaymentPlan", Summary: "A project's payment schedule: each instalment, and the balance or recovery after the final assessment, planned, due, overdue or paid", Tag: tagProjects, Roles: reporters, Conditional: true, Response: a.PaymentSchedule{},
			Query: append(consistencyParams(), Param{Name: "on", Description: "the day to show the statuses for, YYYY-MM-DD (default today)"}), Handler: s.getPaymentPlan},
		commandRoute[a.RequestInclusionSupport](s, P, "/v1/projects/:id/support-requests", "requestInclusionSupport", "Request inclusion support or exceptional costs while the project runs", tagProjects, prj),
		{Method: G, Path: "/v1/projects/:id/support-requests", OperationID: "listSupportRequests", Summary: "List a project's requests for inclusion support and exceptional costs, pending and decided", Tag: tagProjects, Roles: reporters, Response: []projections.SupportRequestView{},
			Query: append(consistencyParams(), Param{Name: "status", Description: "pending, approved or rejected"}), Handler: s.listSupportRequests},
		commandRoute[a.DecideInclusionSupport](s, P, "/v1/projects/:id/support-requests/:rid/decision", "decideInclusionSupport", "Decide a request for inclusion support (approve with the amounts or reject with a reason)", tagProjects, cmdSpec{path: pRequest}),
		commandRoute[a.RequestUkraineException](s, P, "/v1/projects/:id/ukraine-exception", "requestUkraineException", "Request the Ukraine exception for a project", tagProjects, prj),
		commandRoute[a.DecideUkraineException](s, P, "/v1/projects/:id/ukraine-exception/decision", "decideUkraineException", "Decide the Ukraine exception of a project", tagProjects, prj),
		commandRoute[a.SubmitInterimReport](s, P, "/v1/projects/:id/reports/interim", "submitInterimReport", "Submit an interim report", tagProjects, prj),
		commandRoute[a.SubmitFinalReport](s, P, "/v1/projects/:id/reports/final", "submitFinalReport", "Submit the final report (locks reporting)", tagProjects, prj),
		commandRoute[a.AssessFinalReport](s, P, "/v1/projects/:id/reports/final/assessment", "assessFinalReport", "Assess the final report", tagProjects, prj),
		{Method: G, Path: "/v1/projects/:id/reports", OperationID: "listReports", Summary: "List a project's reports", Tag: tagProjects, Roles: reporters, Response: []projections.ReportView{}, Query: consistencyParams(), Handler: s.listReports},
		commandRoute[a.CloseProject](s, P, "/v1/projects/:id/closure", "closeProject", "Close a project (balance paid or recovered)", tagProjects, prj),
		commandRoute[a.TerminateProject](s, P, "/v1/projects/:id/termination", "terminateProject", "Terminate a project", tagProjects, prj),
		commandRoute[a.RecomputeGrants](s, P, "/v1/projects/:id/grant-recomputation", "recomputeGrants", "Recompute a project's mobility grants with the rates in force (the office's decision after a rates correction)", tagProjects, prj),
		{Method: G, Path: "/v1/projects/:id/history", OperationID: "projectHistory", Summary: "Read the audit history of a project", Tag: tagAudit, Roles: reporters, Response: HistoryPage{}, Query: historyParams(), Handler: s.projectHistory},
		{Method: G, Path: "/v1/audit/verification", OperationID: "verifyLedger", Summary: "Verify the whole event stream: every chain, every signature, every checkpoint, no missing sequence", Tag: tagAudit, Roles: []string{a.RoleNationalOffice}, Response: events.StreamReport{}, Handler: s.verifyLedger},
		commandRoute[command.ResolveDamage](s, P, "/v1/audit/damage-resolutions", "resolveDamage", "Resolve a damaged aggregate: acknowledge a quarantined or lost sequence so that the aggregate accepts writes again", tagAudit, cmdSpec{}),
		{Method: G, Path: "/v1/audit/quarantine", OperationID: "listQuarantine", Summary: "The events the projector refused (failed signature, hash or chain): sequence, subject, reason, resolution", Tag: tagAudit, Roles: []string{a.RoleNationalOffice}, Response: []projections.QuarantinedEvent{}, Handler: s.quarantine},
		{Method: G, Path: "/v1/projects/:id/verification", OperationID: "verifyProject", Summary: "Verify the hash chain of a project's events", Tag: tagAudit, Roles: reporters, Response: Verification{}, Handler: s.verifyProject},

		// Mobilities.
		commandRoute[a.ReportMobility](s, P, "/v1/projects/:id/mobilities", "reportMobility", "Report a mobility", tagMob, mobCreated),
		{Method: G, Path: "/v1/projects/:id/mobilities", OperationID: "listProjectMobilities", Summary: "List a project's mobilities", Tag: tagMob, Roles: everyone, Response: projections.MobilityPage{}, Query: mobilityParams(false), Handler: s.listProjectMobilities},
		{Method: P, Path: "/v1/projects/:id/mobilities.csv", OperationID: "uploadMobilities", Summary: "Report mobilities in bulk from CSV (one row per mobility; see docs/api.md)", Tag: tagMob, Roles: reporters, Command: "ReportMobility", RequestType: "text/csv", Response: BulkResult{}, ResponseType: "text/csv", Idempotent: true, Handler: s.uploadMobilities},
		commandRoute[a.CorrectMobility](s, http.MethodPut, "/v1/projects/:id/mobilities/:mid", "correctMobility", "Correct a reported mobility", tagMob, cmdSpec{path: pMobility}),
		commandRoute[a.CancelMobility](s, http.MethodDelete, "/v1/projects/:id/mobilities/:mid", "cancelMobility", "Cancel a reported mobility", tagMob, cmdSpec{path: pMobility}),
		{Method: G, Path: "/v1/projects/:id/mobilities/:mid", OperationID: "getMobility", Summary: "Read a mobility with its grant breakdown", Tag: tagMob, Roles: everyone, ETag: true, Conditional: true, Response: projections.MobilityView{}, Query: consistencyParams(), Handler: s.getMobility},
		{Method: G, Path: "/v1/mobilities", OperationID: "listMobilities", Summary: "List mobilities across projects", Tag: tagMob, Roles: everyone, Response: projections.MobilityPage{}, Query: mobilityParams(true), Handler: s.listMobilities},
		{Method: G, Path: "/v1/participants/:pid", OperationID: "getParticipant", Summary: "Read a participant's personal data (never for analysts)", Tag: tagMob, Roles: reporters, Conditional: true, Response: projections.ParticipantView{}, Query: []Param{{Name: "org", Description: "the organisation that reported the participant (national office)"}}, Handler: s.getParticipant},

		// Statistics and exports.
		{Method: G, Path: "/v1/statistics/mobilities", OperationID: "mobilityStatistics", Summary: "Mobility and participant statistics", Tag: tagStats, Roles: officeAnalysts, Response: []projections.MobilityStatsRow{}, Query: append(mobilityStatsParams(), asOfParams(false)...), Handler: s.mobilityStats},
		{Method: G, Path: "/v1/statistics/projects", OperationID: "projectStatistics", Summary: "Project counts and grants", Tag: tagStats, Roles: officeAnalysts, Response: []projections.ProjectStatsRow{}, Query: append(projectStatsParams(), asOfParams(false)...), Handler: s.projectStats},
		{Method: G, Path: "/v1/statistics/accreditations", OperationID: "accreditationStatistics", Summary: "Accreditation applications and outcomes by year and field", Tag: tagStats, Roles: officeAnalysts, Response: []projections.AccreditationStatsRow{}, Query: []Param{{Name: "year", Type: "integer"}, {Name: "field"}}, Handler: s.accreditationStats},
		{Method: G, Path: "/v1/exports/mobilities.csv", OperationID: "exportMobilities", Summary: "Export mobilities as CSV (pseudonymous participant IDs only)", Tag: tagStats, Roles: everyone, ResponseType: "text/csv", Query: append(mobilityParams(true), personalParams()...), Handler: s.exportMobilities},
		{Method: G, Path: "/v1/exports/events.ndjson", OperationID: "exportEvents", Summary: "Export the event log as NDJSON, one CloudEvents 1.0 event per line, pseudonymised (PD-EXPORT-PSEUDONYMOUS), streamed", Tag: tagStats, Roles: officeAnalysts, ResponseType: export.ContentType, Query: eventExportParams(), Handler: s.exportEvents},
		{Method: G, Path: "/v1/exports/statistics/mobilities.csv", OperationID: "exportMobilityStatistics", Summary: "Export mobility statistics as CSV", Tag: tagStats, Roles: officeAnalysts, ResponseType: "text/csv", Query: append(mobilityStatsParams(), asOfParams(false)...), Handler: s.exportMobilityStats},
		{Method: G, Path: "/v1/exports/statistics/projects.csv", OperationID: "exportProjectStatistics", Summary: "Export project statistics as CSV", Tag: tagStats, Roles: officeAnalysts, ResponseType: "text/csv", Query: append(projectStatsParams(), asOfParams(false)...), Handler: s.exportProjectStats},

		// Reference data.
		{Method: G, Path: "/v1/rates", OperationID: "listRates", Summary: "The call years of the rates tables", Tag: tagRef, Roles: everyone, Response: RatesIndex{}, Handler: s.listRates},
		{Method: G, Path: "/v1/rates/:year", OperationID: "getRates", Summary: "The rates table in force for a call year", Tag: tagRef, Roles: everyone, Conditional: true, Response: rates.Table{}, Handler: s.getRates},
		commandRoute[a.PublishRatesTable](s, P, "/v1/rates", "publishRatesTable", "Publish the rates table of a call year that has none", tagRef, cmdSpec{status: http.StatusCreated}),
		commandRoute[a.CorrectRatesTable](s, P, "/v1/rates/corrections", "correctRatesTable", "Correct the rates table of a call year (grants already computed keep their amounts)", tagRef, cmdSpec{}),
		{Method: G, Path: "/v1/calls", OperationID: "listCalls", Summary: "The call rounds with their deadlines and start windows, open or closed now", Tag: tagRef, Roles: everyone, Response: CallsList{},
			Query: []Param{{Name: "call_year", Type: "integer"}, {Name: "action"}, {Name: "open", Type: "boolean", Description: "only the rounds open now"}}, Handler: s.listCalls},
		commandRoute[a.PublishCallRound](s, P, "/v1/calls", "publishCallRound", "Publish a call round the deadline table does not hold", tagRef, cmdSpec{status: http.StatusCreated}),
		commandRoute[a.CorrectCallRound](s, P, "/v1/calls/corrections", "correctCallRound", "Correct a call round (applications already submitted stay as they are)", tagRef, cmdSpec{}),
	}
	rs = append(rs, s.ruleRoutes()...)
	rs = append(rs, s.problemRoutes()...)
	rs = append(rs, s.sessionRoutes()...)
	rs = append(rs, s.homeRoutes()...)
	rs = append(rs, s.statRoutes()...)
	rs = append(rs, s.formRoutes()...)
	rs = append(rs, s.commandFormRoutes()...)
	return append(rs, s.webRoutes()...)
}

// pageParams documents cursor pagination.
func pageParams() []Param {
	return []Param{
		{Name: "cursor", Description: "next_cursor of the previous page"},
		{Name: "limit", Type: "integer", Minimum: 1, Maximum: projections.MaxLimit, Default: projections.DefaultLimit, Description: "page size, 1 to 1000 (default 50); another value is refused (400, field limit)"},
	}
}

// historyParams documents the audit history's pagination and filter.
func historyParams() []Param {
	return append(append(pageParams(), Param{Name: "type", Description: "only events of this type, e.g. MobilityReported"}), consistencyParams()...)
}

// consistencyParams documents read-your-writes.
func consistencyParams() []Param {
	return []Param{
		{Name: "min_seq", Type: "integer", Description: "wait until the read models include this stream sequence (read-your-writes)"},
		{Name: HeaderMinSequence, In: "header", Type: "integer", Description: "the same as min_seq"},
	}
}

func mobilityParams(acrossProjects bool) []Param {
	ps := append(pageParams(), consistencyParams()...)
	if acrossProjects {
		ps = append(ps, Param{Name: "org"}, Param{Name: "project_id"})
	}
	return append(ps,
		Param{Name: "participant_id"}, Param{Name: "activity", Description: "Beneficiary Module activity code"},
		Param{Name: "status", Enum: mobilityStatuses}, Param{Name: "receiving_country"},
		Param{Name: "include_cancelled", Type: "boolean"})
}

func mobilityStatsParams() []Param {
	return []Param{
		{Name: "call_year", Type: "integer"}, {Name: "action"}, {Name: "field"}, {Name: "activity"},
		{Name: "sending_country"}, {Name: "receiving_country"},
		{Name: "group_by", Description: "comma-separated dimensions: call_year, action, field, activity, sending_country, receiving_country, green_travel, fewer_opportunities, ukraine_exception"},
	}
}

func projectStatsParams() []Param {
	return []Param{{Name: "call_year", Type: "integer"}, {Name: "action"}, {Name: "field"}}
}
