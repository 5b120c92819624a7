package aggregates

// MobilityReported records a completed mobility with its computed grant.
// It carries the whole mobility and everything a read model needs.
type MobilityReported struct {
	ProjectID string   `json:"project_id"`
	OID       string   `json:"oid"`
	Action    string   `json:"action"`
	CallYear  int      `json:"call_year"`
	Mobility  Mobility `json:"mobility"`
	// Days is the activity's inclusive day count.
	Days int `json:"days"`
	// DistanceKm is the distance used for the travel band.
	DistanceKm int            `json:"distance_km"`
	Grant      GrantBreakdown `json:"grant"`
	ReportedOn Date           `json:"reported_on"`
}

// EventType implements Event.
func (MobilityReported) EventType() string { return "MobilityReported" }

// MobilityCorrected replaces a reported mobility with a corrected one and
// its recomputed grant.
type MobilityCorrected struct {
	ProjectID  string         `json:"project_id"`
	OID        string         `json:"oid"`
	Action     string         `json:"action"`
	CallYear   int            `json:"call_year"`
	Mobility   Mobility       `json:"mobility"`
	Days       int            `json:"days"`
	DistanceKm int            `json:"distance_km"`
	Grant      GrantBreakdown `json:"grant"`
	// PreviousTotalCents is the grant of the mobility before correction.
	PreviousTotalCents int64  `json:"previous_total_cents"`
	Reason             string `json:"reason,omitempty"`
	CorrectedOn        Date   `json:"corrected_on"`
}

// EventType implements Event.
func (MobilityCorrected) EventType() string { return "MobilityCorrected" }

// MobilityCancelled removes a reported mobility; its grant no longer counts.
type MobilityCancelled struct {
	ProjectID     string `json:"project_id"`
	OID           string `json:"oid"`
	MobilityID    string `json:"mobility_id"`
	ParticipantID string `json:"participant_id"`
	// CancelledCents is the grant of the mobility that no longer counts.
	CancelledCents int64  `json:"cancelled_cents"`
	Reason         string `json:"reason,omitempty"`
	CancelledOn    Date   `json:"cancelled_on"`
}

// EventType implements Event.
func (MobilityCancelled) EventType() string { return "MobilityCancelled" }
