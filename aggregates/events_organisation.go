package aggregates

// OrganisationRegistered records an organisation in the ledger.
type OrganisationRegistered struct {
	OID       string `json:"oid"`
	LegalName string `json:"legal_name"`
	Country   string `json:"country"`
	City      string `json:"city"`
	Kind      string `json:"kind"`
}

// EventType implements Event.
func (OrganisationRegistered) EventType() string { return "OrganisationRegistered" }

// AccreditationApplied records an application for an Erasmus accreditation.
type AccreditationApplied struct {
	OID              string      `json:"oid"`
	AccreditationID  string      `json:"accreditation_id"`
	Field            string      `json:"field"`
	Kind             string      `json:"kind"`
	Plan             ErasmusPlan `json:"plan"`
	StrategyAttached bool        `json:"strategy_attached"`
	AppliedOn        Date        `json:"applied_on"`
}

// EventType implements Event.
func (AccreditationApplied) EventType() string { return "AccreditationApplied" }

// AccreditationDecided records the national office's decision on an
// accreditation application (granted or rejected).
type AccreditationDecided struct {
	OID             string `json:"oid"`
	AccreditationID string `json:"accreditation_id"`
	Field           string `json:"field"`
	Kind            string `json:"kind"`
	Outcome         string `json:"outcome"`
	DecidedOn       Date   `json:"decided_on"`
}

// EventType implements Event.
func (AccreditationDecided) EventType() string { return "AccreditationDecided" }

// AccreditationWithdrawn records that a granted accreditation was withdrawn.
type AccreditationWithdrawn struct {
	OID             string `json:"oid"`
	AccreditationID string `json:"accreditation_id"`
	Field           string `json:"field"`
	WithdrawnOn     Date   `json:"withdrawn_on"`
	Reason          string `json:"reason,omitempty"`
}

// EventType implements Event.
func (AccreditationWithdrawn) EventType() string { return "AccreditationWithdrawn" }
