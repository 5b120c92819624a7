package aggregates

import "github.com/erasmus-ledger/grants/events"

// DecidedAlone reports whether the decision on cmd, an organisation-wide
// command (OrgWide), reads of the organisation's state p nothing but its
// target aggregate and facts that never change once recorded (the
// organisation's registration and country: an organisation is registered
// once). Such a decision needs the organisation-wide boundary for none of
// its rules: no write to another aggregate of the organisation can make it
// wrong, so it may be appended expecting its target's subject alone, which
// the store checks in constant time, however many aggregates the
// organisation has (issue 16). The others read the other projects or the
// accreditations:
//   - SubmitApplication of KA121 (KA121-ACCREDITED: the accreditation, one
//     application a year per field) or KA122 (KA122-NOT-ACCREDITED,
//     CALL-ONE-PER-ROUND); KA210, KA220 and KA202 read neither;
//   - DecideApplication approving a KA122 project (KA122-MAX-PROJECTS
//     counts the organisation's approved ones); any other award decision
//     reads its project alone;
//   - every other org-wide command (EraseParticipant reads every project).
//
// A project not in p is not decided alone (its action is not known).
func DecidedAlone(p Portfolio, cmd Command) bool {
	switch c := derefCommand(cmd).(type) {
	case SubmitApplication:
		return c.Action != ActionKA121 && c.Action != ActionKA122
	case DecideApplication:
		pr, ok := p.Projects[c.ProjectID]
		return ok && (c.Outcome != OutcomeApproved || pr.Action != ActionKA122)
	}
	return false
}

// AloneReads returns the aggregates a decision on cmd, an
// organisation-wide command on target, reads when it may be decided alone
// (DecidedAlone), so that a handler that does not hold the whole
// organisation loads these and no more before asking DecidedAlone: the
// organisation's own aggregate (its registration and country, which never
// change once recorded) and, for a command on an existing project, that
// project. A new project is not read: its append expects its subject to
// be empty, which the store checks. ok is false for a command never
// decided alone: its decision reads the whole organisation. The cost of
// deciding such a command on a cold cache is thus constant, not in
// proportion to the organisation's projects (issue 16).
func AloneReads(cmd Command, target events.Ref) (reads []events.Ref, ok bool) {
	switch c := derefCommand(cmd).(type) {
	case SubmitApplication:
		if !DecidedAlone(Portfolio{}, c) {
			return nil, false
		}
		return []events.Ref{orgRef(target.Org)}, true
	case DecideApplication:
		// Whether it is decided alone depends on the project's action.
		return []events.Ref{orgRef(target.Org), target}, true
	}
	return nil, false
}
