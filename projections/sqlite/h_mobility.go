package sqlite

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events"
)

// Mobility statuses in the read models.
const (
	mobReported  = "reported"
	mobCorrected = "corrected"
	mobCancelled = "cancelled"
)

// mobilityEvent mirrors aggregates.MobilityReported and
// aggregates.MobilityCorrected with only what the read models keep: dates
// stay text and the grant lines stay raw JSON, so the hottest events of a
// replay decode without custom unmarshalers and the lines are stored as
// they came. TestMobilityMirrorReadsLikeTheDomainTypes guards the mirror.
type mobilityEvent struct {
	ProjectID string `json:"project_id"`
	OID       string `json:"oid"`
	Action    string `json:"action"`
	CallYear  int    `json:"call_year"`
	Mobility  struct {
		MobilityID    string `json:"mobility_id"`
		ParticipantID string `json:"participant_id"`
		Personal      struct {
			FirstName   string `json:"first_name"`
			LastName    string `json:"last_name"`
			BirthDate   string `json:"birth_date"`
			Email       string `json:"email"`
			Gender      string `json:"gender"`
			Nationality string `json:"nationality"`
		} `json:"personal"`
		// PersonalSealed is the sealed personal block (schema version
		// 2, PD-SEALED), opened by the applier (h_personal.go).
		PersonalSealed        json.RawMessage `json:"personal_sealed"`
		Activity              string          `json:"activity"`
		StartDate             string          `json:"start_date"`
		EndDate               string          `json:"end_date"`
		SendingOrganisation   string          `json:"sending_organisation"`
		ReceivingOrganisation string          `json:"receiving_organisation"`
		SendingCountry        string          `json:"sending_country"`
		ReceivingCountry      string          `json:"receiving_country"`
		ReceivingCity         string          `json:"receiving_city"`
		GreenTravel           bool            `json:"green_travel"`
		TravelDays            int             `json:"travel_days"`
		FewerOpportunities    bool            `json:"fewer_opportunities"`
		Accompanying          bool            `json:"accompanying"`
		GroupID               string          `json:"group_id"`
		Persons               int             `json:"persons"`
		Ukraine               json.RawMessage `json:"ukraine"`
	} `json:"mobility"`
	Days       int `json:"days"`
	DistanceKm int `json:"distance_km"`
	Grant      struct {
		Lines      json.RawMessage `json:"lines"`
		TotalCents int64           `json:"total_cents"`
	} `json:"grant"`
	ReportedOn         string `json:"reported_on"`
	CorrectedOn        string `json:"corrected_on"`
	PreviousTotalCents int64  `json:"previous_total_cents"`

	// opened is set when the sealed personal block was opened ahead of
	// the writer (preOpen): Mobility.Personal holds it, or openErr says
	// why it did not open.
	opened  bool
	openErr error
	// kept is set, in a projector that keeps sealed blocks sealed
	// (ProjectorConfig.KeepSealed), when the block is an AES-256-GCM one
	// that stays in the stream (checked ahead of the writer, preOpen),
	// and keptFor names the subject it is sealed for; kept is false when
	// the block is not kept sealed (another algorithm: it is opened
	// instead).
	kept    bool
	keptFor string
	// budget are Grant.Lines as the budget counts them, read with the
	// event by the fast path (budgetRead set), in the reader, so that the
	// writer does not parse the lines a second time; their strings alias
	// the payload. budgetBuf holds them for most mobilities, so that a
	// recycled event reads them without allocating.
	budget     []budgetLine
	budgetRead bool
	budgetBuf  [8]budgetLine
}

// ukraine reports whether the mobility uses the Ukraine exception.
func (e *mobilityEvent) ukraine() bool {
	u := e.Mobility.Ukraine
	return len(u) > 0 && string(u) != "null"
}

// lines returns the grant breakdown as stored: a JSON array.
func (e *mobilityEvent) lines() []byte {
	if l := e.Grant.Lines; len(l) > 0 && string(l) != "null" {
		return l
	}
	return []byte("[]")
}

// registerMobilityHandlers projects the mobility events of a project.
func registerMobilityHandlers(hs map[string]*handler) {
	onAs[aggregates.MobilityReported](hs, decodeMobilityEvent, applyMobilityReported, appendReportedSummary)
	onAs[aggregates.MobilityCorrected](hs, decodeMobilityEvent, applyMobilityCorrected, func(b []byte, e *mobilityEvent) []byte {
		m := &e.Mobility
		return fmt.Appendf(b, "Mobility %s of project %s corrected: %s %s to %s, %s to %s (%d days), grant %s (was %s)",
			m.MobilityID, e.ProjectID, m.Activity, m.SendingCountry, m.ReceivingCountry, m.StartDate, m.EndDate, e.Days, eur(e.Grant.TotalCents), eur(e.PreviousTotalCents))
	})
	on(hs, applyMobilityCancelled, func(_ *events.Envelope, e *aggregates.MobilityCancelled) string {
		return fmt.Sprintf("Mobility %s of project %s cancelled on %s: %s no longer counts", e.MobilityID, e.ProjectID, e.CancelledOn, eur(e.CancelledCents))
	})
}

// appendReportedSummary appends the audit line of a reported mobility to
// b, e.g. "Mobility M0001 of project P reported: participant X,
// SM-JOB-SHDW FI to DE, 2024-03-01 to 2024-03-10 (10 days), grant 1 234.00
// EUR". It is built without fmt: it is written for most events of the
// ledger.
func appendReportedSummary(b []byte, e *mobilityEvent) []byte {
	m := &e.Mobility
	b = append(b, "Mobility "...)
	b = append(b, m.MobilityID...)
	b = append(b, " of project "...)
	b = append(b, e.ProjectID...)
	b = append(b, " reported: participant "...)
	b = append(b, m.ParticipantID...)
	b = append(b, ", "...)
	b = append(b, m.Activity...)
	b = append(b, ' ')
	b = append(b, m.SendingCountry...)
	b = append(b, " to "...)
	b = append(b, m.ReceivingCountry...)
	b = append(b, ", "...)
	b = append(b, m.StartDate...)
	b = append(b, " to "...)
	b = append(b, m.EndDate...)
	b = append(b, " ("...)
	b = strconv.AppendInt(b, int64(e.Days), 10)
	b = append(b, " days), grant "...)
	return appendEUR(b, e.Grant.TotalCents)
}

// facts returns what the statistics need to know about the mobility.
func (e *mobilityEvent) facts() mobilityFacts {
	m := &e.Mobility
	return mobilityFacts{
		participantID: m.ParticipantID, activity: m.Activity, sendingCountry: m.SendingCountry, receivingCountry: m.ReceivingCountry,
		callYear: int64(e.CallYear), action: e.Action, days: int64(e.Days), grant: e.Grant.TotalCents, persons: int64(m.Persons),
		green: m.GreenTravel, fewer: m.FewerOpportunities, ukraine: e.ukraine(), accompanying: m.Accompanying,
		lines: e.lines(), budget: e.budget, budgetRead: e.budgetRead,
	}
}

// statKey is the statistics row a mobility of a project in field counts in.
func (f *mobilityFacts) statKey(field string) statMobKey {
	return statMobKey{callYear: f.callYear, action: f.action, field: field, activity: f.activity,
		sendingCountry: f.sendingCountry, receivingCountry: f.receivingCountry,
		green: f.green, fewerOpportunities: f.fewer, ukraine: f.ukraine}
}

// putMobility queues the mobility row of project p and the participant's
// personal data.
func (a *applier) putMobility(env *events.Envelope, p *projectRow, e *mobilityEvent, status, reportedOn, changedOn string, revision int64) error {
	m := &e.Mobility
	var b *rowBuffer
	if a.bulk {
		// The rowid is the key: a correction replaces the row in place.
		// A correction has read and checked the row (storedMobility).
		rowid, err := a.claim(p, m.MobilityID, status != mobReported)
		if err != nil {
			return err
		}
		b = a.st.mobPutRowid
		b.int(rowid)
	} else {
		b = a.st.mobPut
	}
	b.text(e.ProjectID)
	b.fresh(m.MobilityID)
	b.text(p.org)
	b.text(m.ParticipantID)
	b.text(e.Action)
	b.int(int64(e.CallYear))
	b.text(m.Activity)
	b.text(m.SendingCountry)
	b.text(m.ReceivingCountry)
	b.text(m.ReceivingCity)
	b.text(m.SendingOrganisation)
	b.text(m.ReceivingOrganisation)
	b.text(m.StartDate)
	b.text(m.EndDate)
	b.int(int64(e.Days))
	b.int(int64(m.TravelDays))
	b.int(int64(e.DistanceKm))
	b.bool(m.GreenTravel)
	b.bool(m.FewerOpportunities)
	b.bool(e.ukraine())
	b.bool(m.Accompanying)
	b.text(m.GroupID)
	b.int(int64(m.Persons))
	b.text(status)
	b.int(e.Grant.TotalCents)
	b.textBytes(e.lines())
	b.text(reportedOn)
	b.text(changedOn)
	b.int(revision)
	b.int(int64(env.Sequence))
	written, err := b.end()
	if err != nil {
		return err
	}
	if !a.bulk {
		if written {
			clear(a.pendingMob)
		} else {
			f := e.facts()
			// The lines read ahead are the recycled event's: the row's
			// JSON (f.lines) is read again if needed.
			f.budget, f.budgetRead = nil, false
			f.status, f.reportedOn, f.revision = status, reportedOn, revision
			a.pendingMob[pairKey{e.ProjectID, m.MobilityID}] = f
		}
	}
	fill, err := a.openPersonal(env, p.org, e)
	if err != nil || !fill {
		return err
	}
	pd := &m.Personal
	if a.bulk {
		// The rowid is the key: a participant reported again (a second
		// mobility, a correction) replaces the row in place, in memory
		// until the load's end (bulkparts.go).
		rowid, err := a.claimParticipant(p, m.ParticipantID)
		if err != nil {
			return err
		}
		a.partRows.put(rowid, p.org, &personalTexts{pd.FirstName, pd.LastName, pd.BirthDate, pd.Email, pd.Gender, pd.Nationality}, int64(env.Sequence))
		return nil
	}
	b = a.st.partPut
	b.text(p.org)
	b.text(m.ParticipantID)
	b.text(pd.FirstName)
	b.text(pd.LastName)
	b.text(pd.BirthDate)
	b.text(pd.Email)
	b.text(pd.Gender)
	b.text(pd.Nationality)
	b.int(int64(env.Sequence))
	_, err = b.end()
	return err
}

// bulkRowid returns the rowid of mobility id of project p in a bulk load,
// writing the queued rows first if the mobility's row is among them. The
// row may be another mobility's (see rowSlots): storedMobility checks.
func (a *applier) bulkRowid(p *projectRow, id string) (int64, error) {
	rowid, ok := p.mobs.find(id)
	if !ok {
		return 0, fmt.Errorf("mobility %s of project %s was never reported", id, p.id)
	}
	if err := a.st.mobPutRowid.flushIfHolds(rowid); err != nil {
		return 0, err
	}
	return rowid, nil
}

// storedMobility reads the facts of a stored (or queued) mobility of p.
func (a *applier) storedMobility(p *projectRow, id string) (mobilityFacts, error) {
	var f mobilityFacts
	var lines string
	dest := []any{&f.participantID, &f.activity, &f.sendingCountry, &f.receivingCountry, &f.status, &f.reportedOn,
		&f.callYear, &f.action, &f.days, &f.grant, &f.persons, &f.revision, &f.green, &f.fewer, &f.ukraine, &f.accompanying, &lines}
	var err error
	if a.bulk {
		var rowid int64
		if rowid, err = a.bulkRowid(p, id); err != nil {
			return f, err
		}
		var stored string
		err = a.st.mobGetRowid.queryRow(append(dest, &stored), rowid)
		if err == nil && stored != id {
			err = errNoRow // the slot of another mobility with the same hash
		}
	} else {
		if f, ok := a.pendingMob[pairKey{p.id, id}]; ok {
			return f, nil
		}
		err = a.st.mobGet.queryRow(dest, p.id, id)
	}
	if errors.Is(err, errNoRow) {
		return f, fmt.Errorf("mobility %s of project %s was never reported", id, p.id)
	}
	f.lines = []byte(lines)
	return f, err
}

// cancelMobility marks a stored (or queued) mobility of p cancelled.
func (a *applier) cancelMobility(env *events.Envelope, p *projectRow, id, cancelledOn string) error {
	if a.bulk {
		rowid, err := a.bulkRowid(p, id)
		if err != nil {
			return err
		}
		return a.st.mobStatusRowid.exec(mobCancelled, cancelledOn, int64(env.Sequence), rowid)
	}
	if _, pending := a.pendingMob[pairKey{p.id, id}]; pending {
		// The row is still queued: write it before updating it.
		if err := a.st.mobPut.flush(); err != nil {
			return err
		}
		clear(a.pendingMob)
	}
	return a.st.mobStatus.exec(mobCancelled, cancelledOn, int64(env.Sequence), p.id, id)
}

// countMobility adds (sign +1) or removes (sign -1) a live mobility from
// its project's counters and the statistics.
func (a *applier) countMobility(p *projectRow, id string, f *mobilityFacts, sign int64) error {
	p.mobilities += sign
	p.reported = money.SatAdd(p.reported, money.SatMul(sign, f.grant))
	if a.countsTowardMax(f.activity, f.accompanying) {
		p.counted += sign
	}
	a.touchProject(p)
	if err := a.countBudget(p, id, f, sign); err != nil {
		return err
	}
	if err := a.countParticipant(p, f.participantID, sign); err != nil {
		return err
	}
	return a.addMobilityStats(f.statKey(p.field), sign, f)
}

func applyMobilityReported(a *applier, env *events.Envelope, e *mobilityEvent) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	if e.Action == "" {
		e.Action = p.action
	}
	if e.CallYear == 0 {
		e.CallYear = int(p.callYear)
	}
	f := e.facts()
	if err := a.countMobility(p, e.Mobility.MobilityID, &f, 1); err != nil {
		return err
	}
	return a.putMobility(env, p, e, mobReported, e.ReportedOn, "", 0)
}

func applyMobilityCorrected(a *applier, env *events.Envelope, e *mobilityEvent) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	old, err := a.storedMobility(p, e.Mobility.MobilityID)
	if err != nil {
		return err
	}
	if old.status != mobCancelled {
		if err := a.countMobility(p, e.Mobility.MobilityID, &old, -1); err != nil {
			return err
		}
	} else {
		p.cancelled--
	}
	if e.Action == "" {
		e.Action = old.action
	}
	if e.CallYear == 0 {
		e.CallYear = int(old.callYear)
	}
	f := e.facts()
	if err := a.countMobility(p, e.Mobility.MobilityID, &f, 1); err != nil {
		return err
	}
	return a.putMobility(env, p, e, mobCorrected, old.reportedOn, e.CorrectedOn, old.revision+1)
}

func applyMobilityCancelled(a *applier, env *events.Envelope, e *aggregates.MobilityCancelled) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	old, err := a.storedMobility(p, e.MobilityID)
	if err != nil {
		return err
	}
	if old.status == mobCancelled {
		return nil
	}
	if err := a.countMobility(p, e.MobilityID, &old, -1); err != nil {
		return err
	}
	p.cancelled++
	return a.cancelMobility(env, p, e.MobilityID, e.CancelledOn.String())
}
