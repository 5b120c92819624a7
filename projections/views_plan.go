package projections

import "context"

// InstalmentView is one planned pre-financing instalment (BUD-PAYMENTS).
type InstalmentView struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	AmountCents int64  `json:"amount_cents"`
	// DueDate is YYYY-MM-DD.
	DueDate string `json:"due_date"`
}

// PaymentPlanView is the payment plan of a project's grant agreement.
type PaymentPlanView struct {
	ProjectID    string `json:"project_id"`
	Org          string `json:"org"`
	PlannedCents int64  `json:"planned_cents"`
	// BalanceDueDays is the term of the balance or recovery after the
	// final assessment.
	BalanceDueDays int              `json:"balance_due_days"`
	SetOn          string           `json:"set_on"`
	Instalments    []InstalmentView `json:"instalments"`
	// Sequence is the stream sequence of the event that set the plan.
	Sequence uint64 `json:"sequence"`
}

// SupportRequestView is a request for inclusion support and exceptional
// costs made while a project runs, and the office's decision on it
// (BUD-INCLUSION-REQ).
type SupportRequestView struct {
	ProjectID string `json:"project_id"`
	ID        string `json:"id"`
	Org       string `json:"org"`
	// Status is pending, approved or rejected.
	Status                  string `json:"status"`
	InclusionSupportCents   int64  `json:"inclusion_support_cents"`
	ExceptionalCostsCents   int64  `json:"exceptional_costs_cents"`
	Justification           string `json:"justification"`
	RequestedOn             string `json:"requested_on"`
	GrantedInclusionCents   int64  `json:"granted_inclusion_cents"`
	GrantedExceptionalCents int64  `json:"granted_exceptional_cents"`
	Reason                  string `json:"reason,omitempty"`
	DecidedOn               string `json:"decided_on,omitempty"`
	Sequence                uint64 `json:"sequence"`
}

// PlanReader answers the queries on payment plans and support requests.
// It is apart from Reader so that readers without these read models keep
// compiling; the API answers Unavailable when its reader lacks it.
type PlanReader interface {
	// PaymentPlan returns the project's payment plan; ok is false when
	// its agreement has none.
	PaymentPlan(ctx context.Context, projectID string) (plan PaymentPlanView, ok bool, err error)
	// SupportRequests returns the project's support requests in the order
	// they were made.
	SupportRequests(ctx context.Context, projectID string) ([]SupportRequestView, error)
}
