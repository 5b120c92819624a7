package aggregates

import "github.com/erasmus-ledger/grants/aggregates/rulebook"

// RuleIDs returns every rule ID the domain cites: those of docs/rules.md
// sections 1 to 5 (with the rules added on 2026-12-06: DUR-MONTHS,
// ACTION-FIELD, ACT-ADULT-*, BUD-ORG-SUPPORT, BUD-LINGUISTIC,
// BUD-INCLUSION-REQ, BUD-PAYMENTS, KA2-WORK-PACKAGES) and the lifecycle and
// mobility rules of LifecycleRules. Each has at least one test case named
// after it.
func RuleIDs() []string {
	ids := []string{
		// 1. Programme, countries, calls.
		"PRG-PERIOD", "CTRY-PROGRAMME", "CTRY-UK", "CALL-DEADLINE", "CALL-START", "CALL-ONE-PER-ROUND",
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

// RuleDoc is a rule this package defines beyond the source documents,
// with its English text from the rule catalogue (aggregates/rulebook).
type RuleDoc struct {
	ID   string `json:"id"`
	Rule string `json:"rule"`
}

// LifecycleRules documents the rule IDs this package adds to the source
// documents (docs/rules.md section 9): the lifecycle order of section 6,
// the accreditation plan of section 7 and the placement of mobilities of
// section 3, which the rulebook states without an ID. Their text is the
// catalogue's, the one source; an ID the catalogue lacks has no text.
func LifecycleRules() []RuleDoc {
	ids := []string{
		"ORG-REGISTERED", "ACC-PLAN",
		"LIFE-ORDER", "LIFE-REPORT-LOCKED", "LIFE-FINAL-AFTER-END", "LIFE-ENDED", "LIFE-INTERIM", "LIFE-SETTLED",
		"MOB-ACTION", "MOB-COMPLETED", "MOB-IN-PROJECT", "MOB-ABROAD",
	}
	docs := make([]RuleDoc, len(ids))
	for i, id := range ids {
		docs[i].ID = id
		if r, ok := rulebook.Lookup(id); ok {
			t, _ := r.In(rulebook.English)
			docs[i].Rule = t.Text
		}
	}
	return docs
}
