// Package aggregates is the pure grant domain: the Organisation and Project
// aggregates, their commands and events, and every rule of the rulebook
// docs/rules.md, cited by rule ID. It imports no NATS, SQL or HTTP
// package and never reads the system clock: the effective time of a
// command comes in its Context.
//
// A command is decided from state into events (Domain.Decide) and state is
// rebuilt by the pure Evolve (EvolveAll to fold many events in linear
// time). State is kept per organisation (Portfolio), because several rules
// span the aggregates of one organisation; commands whose rules do so
// report OrgWide() and are appended with the organisation-wide consistency
// boundary of the event store.
//
// # Aggregates, commands and events
//
// Every command gives exactly one event.
//
//	organisation (id = OID)
//	  RegisterOrganisation    -> OrganisationRegistered      beneficiary (own OID) or office
//	  ApplyForAccreditation   -> AccreditationApplied        beneficiary or office
//	  DecideAccreditation     -> AccreditationDecided        office
//	  WithdrawAccreditation   -> AccreditationWithdrawn      office
//	project (id = project number; org = the applicant)
//	  SubmitApplication       -> ApplicationSubmitted        beneficiary or office, org-wide
//	  WithdrawApplication     -> ApplicationWithdrawn        beneficiary or office
//	  AssessEligibility       -> EligibilityAssessed         office
//	  DecideApplication       -> ApplicationDecided          office, org-wide
//	  SignGrantAgreement      -> GrantAgreementSigned        beneficiary or office
//	  RecordPayment           -> PaymentRecorded             office
//	  AmendProject            -> ProjectAmended              office
//	  SetPaymentPlan          -> PaymentPlanSet              office
//	  RequestInclusionSupport -> InclusionSupportRequested   beneficiary or office
//	  DecideInclusionSupport  -> InclusionSupportDecided     office
//	  RequestUkraineException -> UkraineExceptionRequested   beneficiary or office
//	  DecideUkraineException  -> UkraineExceptionDecided     office
//	  ReportMobility          -> MobilityReported            beneficiary or office
//	  CorrectMobility         -> MobilityCorrected           beneficiary or office
//	  CancelMobility          -> MobilityCancelled           beneficiary or office
//	  SubmitInterimReport     -> InterimReportSubmitted      beneficiary or office
//	  SubmitFinalReport       -> FinalReportSubmitted        beneficiary or office
//	  AssessFinalReport       -> FinalReportAssessed         office
//	  CloseProject            -> ProjectClosed               office
//	  TerminateProject        -> ProjectTerminated           office
//
// Analysts issue no commands (CORE-TASKS). Events are self-contained: they
// carry the project and organisation IDs and every amount a read model
// needs; a mobility's personal data sits in its Personal block only.
//
// # Rules
//
// RuleIDs lists every rule ID cited; LifecycleRules documents the IDs this
// package adds to the rulebook (ORG-*, ACC-PLAN, LIFE-*, MOB-*; section 9
// of docs/rules.md). Rates and
// lump sums come from the rates book of the project's call year; the call
// deadlines are a table (DefaultDeadlines, overridable by Policy.Deadlines
// and ParseDeadlines); calendar days are taken in the office's time zone
// (Policy.TimeZone, Europe/Helsinki by default).
package aggregates
