package aggregates

import (
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// Statuses of a support request (BUD-INCLUSION-REQ).
const (
	SupportPending  = "pending"
	SupportApproved = "approved"
	SupportRejected = "rejected"
)

// SupportRequest is a beneficiary's request, while its project runs, for
// inclusion support and exceptional costs, and the office's decision on it.
type SupportRequest struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// InclusionSupportCents and ExceptionalCostsCents are requested.
	InclusionSupportCents int64  `json:"inclusion_support_cents"`
	ExceptionalCostsCents int64  `json:"exceptional_costs_cents"`
	Justification         string `json:"justification"`
	RequestedOn           Date   `json:"requested_on"`
	// GrantedInclusionCents and GrantedExceptionalCents are what the
	// office granted (approved only).
	GrantedInclusionCents   int64  `json:"granted_inclusion_cents,omitempty"`
	GrantedExceptionalCents int64  `json:"granted_exceptional_cents,omitempty"`
	Reason                  string `json:"reason,omitempty"`
	DecidedOn               Date   `json:"decided_on,omitzero"`
}

// RequestInclusionSupport is the beneficiary's request for inclusion
// support and exceptional costs while its project runs (BUD-INCLUSION-REQ);
// mobilities claim them once the office approves.
type RequestInclusionSupport struct {
	ProjectID             string `json:"project_id"`
	RequestID             string `json:"request_id"`
	InclusionSupportCents int64  `json:"inclusion_support_cents,omitempty"`
	ExceptionalCostsCents int64  `json:"exceptional_costs_cents,omitempty"`
	Justification         string `json:"justification"`
}

// CommandType implements Command.
func (RequestInclusionSupport) CommandType() string { return "RequestInclusionSupport" }

// Target implements Command.
func (c RequestInclusionSupport) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (RequestInclusionSupport) OrgWide() bool { return false }

// Validate checks the fields.
func (c RequestInclusionSupport) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.id("request_id", c.RequestID)
	k.cents("inclusion_support_cents", c.InclusionSupportCents, money.MaxProjectCents, false)
	k.cents("exceptional_costs_cents", c.ExceptionalCostsCents, money.MaxProjectCents, false)
	if c.InclusionSupportCents == 0 && c.ExceptionalCostsCents == 0 {
		k.fail("", "a request asks for inclusion_support_cents, exceptional_costs_cents or both")
	}
	k.text("justification", c.Justification, true)
	return k.result()
}

// DecideInclusionSupport is the national office's decision on a support
// request: approved with the amounts granted (at most those requested),
// or rejected with a reason.
type DecideInclusionSupport struct {
	ProjectID string `json:"project_id"`
	RequestID string `json:"request_id"`
	// Outcome is approved or rejected.
	Outcome               string `json:"outcome"`
	InclusionSupportCents int64  `json:"inclusion_support_cents,omitempty"`
	ExceptionalCostsCents int64  `json:"exceptional_costs_cents,omitempty"`
	Reason                string `json:"reason,omitempty"`
}

// CommandType implements Command.
func (DecideInclusionSupport) CommandType() string { return "DecideInclusionSupport" }

// Target implements Command.
func (c DecideInclusionSupport) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (DecideInclusionSupport) OrgWide() bool { return false }

// Validate checks the fields.
func (c DecideInclusionSupport) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.id("request_id", c.RequestID)
	k.oneOf("outcome", c.Outcome, []string{OutcomeApproved, OutcomeRejected})
	k.cents("inclusion_support_cents", c.InclusionSupportCents, money.MaxProjectCents, false)
	k.cents("exceptional_costs_cents", c.ExceptionalCostsCents, money.MaxProjectCents, false)
	switch c.Outcome {
	case OutcomeApproved:
		if c.InclusionSupportCents == 0 && c.ExceptionalCostsCents == 0 {
			k.fail("", "an approval grants inclusion_support_cents, exceptional_costs_cents or both; reject the request to grant nothing")
		}
		k.text("reason", c.Reason, false)
	case OutcomeRejected:
		if c.InclusionSupportCents != 0 || c.ExceptionalCostsCents != 0 {
			k.fail("", "a rejection grants nothing; leave inclusion_support_cents and exceptional_costs_cents out")
		}
		k.text("reason", c.Reason, false)
		if strings.TrimSpace(c.Reason) == "" {
			k.fail("reason", "a rejection tells the beneficiary why the support is refused")
		}
	}
	return k.result()
}

// InclusionSupportRequested records a beneficiary's request for inclusion
// support and exceptional costs while its project runs.
type InclusionSupportRequested struct {
	ProjectID             string `json:"project_id"`
	OID                   string `json:"oid"`
	RequestID             string `json:"request_id"`
	InclusionSupportCents int64  `json:"inclusion_support_cents"`
	ExceptionalCostsCents int64  `json:"exceptional_costs_cents"`
	Justification         string `json:"justification"`
	RequestedOn           Date   `json:"requested_on"`
}

// EventType implements Event.
func (InclusionSupportRequested) EventType() string { return "InclusionSupportRequested" }

// InclusionSupportDecided records the office's decision on a support
// request. An approval adds the granted amounts to the project's decided
// inclusion support and exceptional costs; TotalInclusionCents and
// TotalExceptionalCents are the project's totals after it.
type InclusionSupportDecided struct {
	ProjectID               string `json:"project_id"`
	OID                     string `json:"oid"`
	RequestID               string `json:"request_id"`
	Outcome                 string `json:"outcome"`
	GrantedInclusionCents   int64  `json:"granted_inclusion_cents"`
	GrantedExceptionalCents int64  `json:"granted_exceptional_cents"`
	TotalInclusionCents     int64  `json:"total_inclusion_cents"`
	TotalExceptionalCents   int64  `json:"total_exceptional_cents"`
	Reason                  string `json:"reason,omitempty"`
	DecidedOn               Date   `json:"decided_on"`
}

// EventType implements Event.
func (InclusionSupportDecided) EventType() string { return "InclusionSupportDecided" }

// supportRequest returns the project's support request id.
func supportRequest(pr Project, id string) (SupportRequest, bool) {
	for _, r := range pr.SupportRequests {
		if r.ID == id {
			return r, true
		}
	}
	return SupportRequest{}, false
}

func decideRequestSupport(ctx Context, pr Project, c RequestInclusionSupport) (Event, error) {
	if err := requireOpen(pr, "a request for inclusion support", true); err != nil {
		return nil, err
	}
	if !pr.Approved {
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; an application asks for inclusion support in the application itself, a running project by request", pr.ID, pr.Status)
	}
	day := today(ctx)
	if day.Before(pr.ApprovedOn) {
		return nil, lifecycle("LIFE-ORDER", "RequestInclusionSupport of project %s is dated %s, but the application was approved on %s; it cannot come before that", pr.ID, day, pr.ApprovedOn)
	}
	if _, ok := supportRequest(pr, c.RequestID); ok {
		return nil, duplicate("request_id", "support request %s is already recorded for project %s", c.RequestID, pr.ID)
	}
	return InclusionSupportRequested{ProjectID: pr.ID, OID: pr.OID, RequestID: c.RequestID, InclusionSupportCents: c.InclusionSupportCents,
		ExceptionalCostsCents: c.ExceptionalCostsCents, Justification: strings.TrimSpace(c.Justification), RequestedOn: day}, nil
}

func decideSupportRequest(ctx Context, pr Project, c DecideInclusionSupport) (Event, error) {
	if err := requireOpen(pr, "a decision on inclusion support", true); err != nil {
		return nil, err
	}
	r, ok := supportRequest(pr, c.RequestID)
	if !ok {
		e := apperr.New(apperr.NotFound, "project %s has no support request %s", pr.ID, c.RequestID)
		e.Field = "request_id"
		return nil, e
	}
	if r.Status != SupportPending {
		return nil, lifecycle("LIFE-ORDER", "support request %s of project %s is already %s on %s", r.ID, pr.ID, r.Status, r.DecidedOn)
	}
	day := today(ctx)
	if day.Before(r.RequestedOn) {
		return nil, lifecycle("LIFE-ORDER", "DecideInclusionSupport of project %s is dated %s, but the request was made on %s; it cannot come before that", pr.ID, day, r.RequestedOn)
	}
	if c.InclusionSupportCents > r.InclusionSupportCents {
		return nil, apperr.RuleField("BUD-INCLUSION-REQ", "inclusion_support_cents", "request %s asks for %s of inclusion support; the office grants at most that (asked: %s)", r.ID, euros(r.InclusionSupportCents), euros(c.InclusionSupportCents))
	}
	if c.ExceptionalCostsCents > r.ExceptionalCostsCents {
		return nil, apperr.RuleField("BUD-INCLUSION-REQ", "exceptional_costs_cents", "request %s asks for %s of exceptional costs; the office grants at most that (asked: %s)", r.ID, euros(r.ExceptionalCostsCents), euros(c.ExceptionalCostsCents))
	}
	ev := InclusionSupportDecided{ProjectID: pr.ID, OID: pr.OID, RequestID: r.ID, Outcome: c.Outcome,
		GrantedInclusionCents: c.InclusionSupportCents, GrantedExceptionalCents: c.ExceptionalCostsCents,
		TotalInclusionCents: pr.InclusionSupportCents, TotalExceptionalCents: pr.ExceptionalCostsCents,
		Reason: strings.TrimSpace(c.Reason), DecidedOn: day}
	if !pr.SupportDecided {
		// A project approved before the rule had no decision: this
		// request's decision is its first.
		ev.TotalInclusionCents, ev.TotalExceptionalCents = 0, 0
	}
	ev.TotalInclusionCents = money.SatAdd(ev.TotalInclusionCents, c.InclusionSupportCents)
	ev.TotalExceptionalCents = money.SatAdd(ev.TotalExceptionalCents, c.ExceptionalCostsCents)
	return ev, nil
}

// evolveSupportRequest applies a support request or decision to pr.
func evolveSupportRequest(pr *Project, e Event) {
	reqs := append([]SupportRequest(nil), pr.SupportRequests...)
	switch e := e.(type) {
	case InclusionSupportRequested:
		reqs = append(reqs, SupportRequest{ID: e.RequestID, Status: SupportPending, InclusionSupportCents: e.InclusionSupportCents,
			ExceptionalCostsCents: e.ExceptionalCostsCents, Justification: e.Justification, RequestedOn: e.RequestedOn})
	case InclusionSupportDecided:
		for i := range reqs {
			if reqs[i].ID != e.RequestID {
				continue
			}
			reqs[i].Status, reqs[i].Reason, reqs[i].DecidedOn = SupportRejected, e.Reason, e.DecidedOn
			if e.Outcome == OutcomeApproved {
				reqs[i].Status = SupportApproved
				reqs[i].GrantedInclusionCents, reqs[i].GrantedExceptionalCents = e.GrantedInclusionCents, e.GrantedExceptionalCents
			}
		}
		if e.Outcome == OutcomeApproved {
			pr.SupportDecided, pr.InclusionSupportCents, pr.ExceptionalCostsCents = true, e.TotalInclusionCents, e.TotalExceptionalCents
		}
	}
	pr.SupportRequests = reqs
}

// PendingSupportRequests returns the project's support requests the office
// has not decided yet.
func (p Project) PendingSupportRequests() []SupportRequest {
	var out []SupportRequest
	for _, r := range p.SupportRequests {
		if r.Status == SupportPending {
			out = append(out, r)
		}
	}
	return out
}
