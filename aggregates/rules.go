package aggregates

// RuleIDs returns every rule ID the domain cites: those of RULES.md
// sections 1 to 5 (with the rules added on 2026-12-06: DUR-MONTHS,
// ACTION-FIELD, ACT-ADULT-*, BUD-ORG-SUPPORT, BUD-LINGUISTIC,
// BUD-INCLUSION-REQ, BUD-PAYMENTS, KA2-WORK-PACKAGES) and the lifecycle and
// mobility rules of LifecycleRules. Each has at least one test case named
// after it.
func RuleIDs() []string {
	ids := []string{
		// 1. Programme, countries, calls.
		"PRG-PERIOD", "CTRY-PROGRAMME", "CTRY-UK", "CALL-DEADLINE", "CALL-ONE-PER-ROUND",
		// 2. Actions.
		"KA121-ACCREDITED", "KA121-DURATION", "KA121-GLOBAL",
		"KA122-NOT-ACCREDITED", "KA122-DURATION", "KA122-MAX-MOB", "KA122-MAX-PROJECTS", "KA122-NO-PARTNER-COUNTRY",
		"KA210-DURATION", "KA210-PARTNERS", "KA210-LUMP",
		"KA220-DURATION", "KA220-PARTNERS", "KA220-LUMP",
		"KA202-SP", "CORE-TASKS", "DUR-MONTHS", "ACTION-FIELD",
		// 3. Mobility activities.
		"ACT-JOB-SHADOW", "ACT-TEACHING", "ACT-COURSE", "ACT-SKILLS-COMP", "ACT-VET-SHORT", "ACT-ERASMUSPRO",
		"ACT-INVITED-EXPERT", "ACT-HOSTING-TEACHER", "ACT-PREP-VISIT", "ACT-PUPIL-GROUP", "ACT-PUPIL-SHORT", "ACT-PUPIL-LONG",
		"ACT-ADULT-GROUP", "ACT-ADULT-SHORT",
		// 4. Budget.
		"BUD-GRANT-CAP", "BUD-TRAVEL-BAND", "BUD-TRAVEL-DAYS", "BUD-INDIVIDUAL", "BUD-EXC-TRAVEL", "BUD-PREP-VISIT", "BUD-RATES-DATA",
		"BUD-ORG-SUPPORT", "BUD-LINGUISTIC", "KA2-WORK-PACKAGES", "BUD-INCLUSION-REQ",
		"BUD-PAYMENTS",
		// 5. Ukraine exception.
		"UA-SCOPE", "UA-GRANT-FIXED", "UA-VENUE", "UA-STAFF-ACTS", "UA-PUPIL-ACTS", "UA-ELIG-PUPIL", "UA-ELIG-STAFF",
		"UA-EVIDENCE", "UA-ORG-SUPPORT", "UA-LINGUISTIC", "UA-INDIVIDUAL", "UA-INCLUSION", "UA-PROOF",
	}
	for _, r := range LifecycleRules() {
		ids = append(ids, r.ID)
	}
	return ids
}

// RuleDoc is a rule this package defines beyond RULES.md, with its text.
type RuleDoc struct {
	ID   string `json:"id"`
	Rule string `json:"rule"`
}

// LifecycleRules documents the rule IDs this package adds to RULES.md: the
// lifecycle order of section 6, the accreditation plan of section 7 and the
// placement of mobilities of section 3, which the rulebook states without
// an ID.
func LifecycleRules() []RuleDoc {
	return []RuleDoc{
		{"ORG-REGISTERED", "An organisation is registered once, before it applies for an accreditation or a project."},
		{"ACC-PLAN", "An accreditation application carries an Erasmus plan covering at least two years, with at least one objective, each measured by at least one indicator (section 7)."},
		{"LIFE-ORDER", "Commands follow the lifecycle of section 6: submitted -> eligible or ineligible -> approved, reserve-listed or rejected -> grant agreement signed -> ongoing -> final report -> assessed -> closed, or terminated; each command is accepted only in the states where it belongs, and, when the past is recorded, not dated before the step it depends on (a payment before the signature, a decision before the submission)."},
		{"LIFE-REPORT-LOCKED", "Once the final report is submitted, reporting is locked: no mobility is reported, corrected or cancelled, and no interim report, amendment or Ukraine exception is accepted."},
		{"LIFE-FINAL-AFTER-END", "The final report is submitted on or after the project's end date, not before."},
		{"LIFE-ENDED", "Nothing changes a closed or terminated project."},
		{"LIFE-INTERIM", "Interim reports exist for KA121 projects, and for KA2 partnerships (KA210, KA220) from call 2023 on."},
		{"LIFE-SETTLED", "A project closes only when the net amount paid equals the final grant: the balance is paid or the overpayment recovered."},
		{"MOB-ACTION", "Mobilities are reported one by one only in mobility projects (KA121, KA122) and, with the staff training event code, in KA202 strategic partnerships."},
		{"MOB-COMPLETED", "A mobility is reported once it has ended: its end date is on or before the reporting day."},
		{"MOB-IN-PROJECT", "A reported mobility falls inside its project's duration (section 3); an amendment may not move the project's dates so that a reported mobility falls outside."},
		{"MOB-ABROAD", "A mobility crosses a border: the receiving country differs from the sending country, except under the Ukraine exception (UA-VENUE)."},
	}
}
