package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	a "github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/export"
	"github.com/erasmus-ledger/grants/events/privacy"
	"github.com/erasmus-ledger/grants/projections"
)

// eventExportParams are the query parameters of the event export.
func eventExportParams() []Param {
	return append([]Param{
		{Name: "from", Description: "first event: a stream sequence (1500), or a time (RFC 3339, or a date: its start, UTC) on the clock"},
		{Name: "to", Description: "last event: a stream sequence, or a time (RFC 3339, or a date: its end, UTC) on the clock"},
		clockParam(),
	}, personalParams()...)
}

// exportRange reads from, to and clock.
func exportRange(c echo.Context) (export.Options, error) {
	axis, ok := events.ParseTimeAxis(c.QueryParam("clock"))
	if !ok {
		return export.Options{}, invalidRule("ASOF-CLOCK", "clock", "clock %q: use recorded or effective", c.QueryParam("clock"))
	}
	from, ok := export.ParseBound(c.QueryParam("from"), false)
	if !ok {
		return export.Options{}, apperr.InvalidField("from", "%q is neither a stream sequence (1500) nor a time (2024-06-30 or 2024-06-30T12:00:00Z)", c.QueryParam("from"))
	}
	to, ok := export.ParseBound(c.QueryParam("to"), true)
	if !ok {
		return export.Options{}, apperr.InvalidField("to", "%q is neither a stream sequence (1500) nor a time (2024-06-30 or 2024-06-30T12:00:00Z)", c.QueryParam("to"))
	}
	return export.Options{From: from, To: to, Axis: axis}, nil
}

// lazyStart writes the status and headers of a streamed answer with its
// first bytes, so that an answer that turns out empty can still carry a
// Warning header (ASOF-EMPTY).
type lazyStart struct {
	c       echo.Context
	started bool
}

func (l *lazyStart) start() {
	if !l.started {
		l.started = true
		l.c.Response().WriteHeader(http.StatusOK)
	}
}

// Write implements io.Writer.
func (l *lazyStart) Write(p []byte) (int, error) {
	l.start()
	return l.c.Response().Write(p)
}

// exportEvents streams the event log as NDJSON CloudEvents (chunked,
// flushed as it goes; it stops when the client goes away),
// pseudonymised unless the national office discloses personal data.
func (s *Server) exportEvents(c echo.Context) error {
	if s.d.Events == nil {
		return apperr.New(apperr.Unavailable, "the event export is not available on this server")
	}
	o, err := exportRange(c)
	if err != nil {
		return err
	}
	rng := ""
	if q := c.Request().URL.Query(); q.Get("from") != "" || q.Get("to") != "" {
		parts := []string{}
		if v := q.Get("from"); v != "" {
			parts = append(parts, "from "+v)
		}
		if v := q.Get("to"); v != "" {
			parts = append(parts, "to "+v)
		}
		rng = strings.Join(parts, " ") + " (" + string(o.Axis) + " clock)"
	}
	if o.Personal, err = s.wantsPersonal(c, a.Disclosure{Scope: a.ScopeEventExport, Range: rng}); err != nil {
		return err
	}
	if o.Personal && s.d.Personal != nil {
		o.Open = personal.DiscloseFunc(c.Request().Context(), s.d.Personal)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, export.ContentType)
	h.Set("Content-Disposition", `attachment; filename="events.ndjson"`)
	noStore(c)
	w := &lazyStart{c: c}
	o.Flush = func() {
		if w.started {
			c.Response().Flush()
		}
	}
	st, err := export.Write(c.Request().Context(), s.d.Events, w, o)
	if err != nil {
		if !w.started {
			h.Del("Content-Disposition")
			return err
		}
		s.log.Warn("event export cut short", "request_id", requestID(c), "events", st.Events, "err", err)
		return nil // the status is sent; the client sees a short file
	}
	if st.Events == 0 {
		warnEmpty(c, "no event in the range: the export is empty")
	}
	w.start()
	return nil
}

// AccessExport is everything the ledger holds on one participant
// (PD-ACCESS-EXPORT), for the data subject's right of access.
type AccessExport struct {
	OID           string `json:"oid"`
	ParticipantID string `json:"participant_id"`
	// GeneratedAt is when the export was made; DisclosureSequence the
	// PersonalDataDisclosed event that records it.
	GeneratedAt        time.Time `json:"generated_at"`
	DisclosureSequence uint64    `json:"disclosure_sequence"`
	// Status is "held" (the personal data below), "erased" (erased on
	// request or by retention) or "none" (never given).
	Status   string                       `json:"status"`
	Personal *projections.ParticipantView `json:"personal,omitempty"`
	// Mobilities are the participant's mobilities, cancelled ones too.
	Mobilities []projections.MobilityView `json:"mobilities"`
	// Events are the events that mention the participant, pseudonymous.
	Events []AccessEvent `json:"events"`
}

// AccessEvent is one event of an access export.
type AccessEvent struct {
	Sequence    uint64          `json:"sequence"`
	Type        string          `json:"type"`
	Aggregate   string          `json:"aggregate"`
	RecordedAt  time.Time       `json:"recorded_at"`
	EffectiveAt time.Time       `json:"effective_at"`
	Actor       events.Actor    `json:"actor"`
	Data        json.RawMessage `json:"data"`
}

// ErasedEventType is the type of the event that erases a participant's
// personal data (its decision lives elsewhere; the access export only
// reports it).
const ErasedEventType = "ParticipantErased"

func (s *Server) accessExport(c echo.Context) error {
	oid, pid := c.Param("oid"), c.Param("pid")
	if !events.ValidToken(oid) || pid == "" {
		return notFound("participant", pid)
	}
	ctx := c.Request().Context()
	if err := s.consistent(c); err != nil {
		return err
	}
	out := AccessExport{OID: oid, ParticipantID: pid, GeneratedAt: s.d.Clock.Now().UTC(), Mobilities: []projections.MobilityView{}, Events: []AccessEvent{}}
	// The mobilities, and through them the projects whose events mention
	// the participant.
	f := projections.MobilityFilter{Org: oid, ParticipantID: pid, IncludeCancelled: true}
	f.Limit = projections.MaxLimit
	for {
		page, err := s.d.Reader.Mobilities(ctx, f)
		if err != nil {
			return err
		}
		out.Mobilities = append(out.Mobilities, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			break
		}
		f.Cursor = page.NextCursor
	}
	pv, err := s.d.Reader.Participant(ctx, oid, pid)
	switch {
	case err == nil:
		out.Personal, out.Status = &pv, "held"
	case apperr.As(err).Code == apperr.NotFound:
		out.Status = "none"
	default:
		return err
	}
	if len(out.Mobilities) == 0 && out.Personal == nil {
		return notFound("participant", pid)
	}
	// Every event of the organisation's aggregates and the participant's
	// projects that names the participant or one of its mobilities.
	mobs := map[string]map[string]bool{}
	for _, m := range out.Mobilities {
		if mobs[m.ProjectID] == nil {
			mobs[m.ProjectID] = map[string]bool{}
		}
		mobs[m.ProjectID][m.ID] = true
	}
	refs := []events.Ref{{Org: oid, Kind: a.KindOrganisation, ID: oid}}
	for p := range mobs {
		refs = append(refs, events.Ref{Kind: a.KindProject, ID: p})
	}
	pidNeedle := []byte(`"participant_id":` + strconv.Quote(pid))
	ps := privacy.NewPseudonymiser()
	for _, ref := range refs {
		envs, err := s.d.Commands.History(ctx, ref)
		if err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				continue
			}
			return err
		}
		for _, env := range envs {
			if !mentions(env, pidNeedle, mobs[env.Ref.ID]) {
				continue
			}
			if env.Type == ErasedEventType {
				out.Status = "erased"
			}
			data, _ := privacy.StripPersonal(env.Payload)
			out.Events = append(out.Events, AccessEvent{Sequence: env.Sequence, Type: env.Type, Aggregate: env.Ref.Subject(),
				RecordedAt: env.RecordedAt, EffectiveAt: env.OccurredAt, Data: data,
				Actor: events.Actor{UserID: ps.User(env.Actor.UserID), Role: env.Actor.Role, Org: env.Actor.Org}})
		}
	}
	if out.Status == "erased" {
		out.Personal = nil
	}
	d := a.Disclosure{Scope: a.ScopeAccessExport, Org: oid, ParticipantID: pid, Reason: c.QueryParam("reason")}
	if err := s.disclose(c, d); err != nil {
		return err
	}
	if seq, err := strconv.ParseUint(c.Response().Header().Get(HeaderDisclosure), 10, 64); err == nil {
		out.DisclosureSequence = seq
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="access-`+oid+`-`+pid+`.json"`)
	return c.JSON(http.StatusOK, out)
}

// mentions reports whether env names the participant (its ID in the
// payload) or one of its mobilities of that project.
func mentions(env events.Envelope, pidNeedle []byte, mobs map[string]bool) bool {
	if bytes.Contains(env.Payload, pidNeedle) {
		return true
	}
	if len(mobs) == 0 || env.Ref.Kind != a.KindProject {
		return false
	}
	var p struct {
		MobilityID string `json:"mobility_id"`
		Mobility   struct {
			MobilityID string `json:"mobility_id"`
		} `json:"mobility"`
	}
	if !bytes.Contains(env.Payload, []byte(`"mobility_id"`)) || json.Unmarshal(env.Payload, &p) != nil {
		return false
	}
	return mobs[p.MobilityID] || mobs[p.Mobility.MobilityID]
}
