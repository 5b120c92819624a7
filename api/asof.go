package api

import (
	"context"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	a "github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
)

// HistoryAt gives read models as they stood at a point of the history
// (ASOF-CLOCK): a Reader over them, how many events they hold, and a
// release to call when done. cmd/grants builds them with a bounded
// replay.
type HistoryAt func(ctx context.Context, at events.AsOf) (projections.Reader, int64, func(), error)

// clockParam is the clock query parameter of every "as of".
func clockParam() Param {
	return Param{Name: "clock", Enum: []string{string(events.Recorded), string(events.Effective)},
		Description: "the clock `at` is read on (ASOF-CLOCK): recorded (default: what the ledger held then) or effective (what was in effect then, back-dated events included)"}
}

// atParam is the at query parameter of every "as of".
func atParam(required bool) Param {
	return Param{Name: "at", Required: required, Description: "RFC 3339 time or YYYY-MM-DD (end of that day, UTC), on the clock `clock`"}
}

// asOfParams are the parameters of an as-of route.
func asOfParams(required bool) []Param { return []Param{atParam(required), clockParam()} }

// parseAsOf reads at and clock; ok is false when at is absent.
func parseAsOf(c echo.Context) (events.AsOf, bool, error) {
	axis, valid := events.ParseTimeAxis(c.QueryParam("clock"))
	if !valid {
		return events.AsOf{}, false, invalidRule("ASOF-CLOCK", "clock", "clock %q: use recorded or effective", c.QueryParam("clock"))
	}
	raw := c.QueryParam("at")
	if raw == "" {
		if c.QueryParam("clock") != "" {
			return events.AsOf{}, false, invalidRule("ASOF-CLOCK", "at", "clock names the clock of at: give at too (?at=2024-05-31&clock=%s)", axis)
		}
		return events.AsOf{Axis: axis}, false, nil
	}
	at, err := parseInstant("at", raw)
	if err != nil {
		return events.AsOf{}, false, err
	}
	if len(raw) == len(time.DateOnly) {
		at = at.Add(24*time.Hour - time.Nanosecond) // the whole day
	}
	return events.AsOf{At: at, Axis: axis}, true, nil
}

// invalidRule is a malformed parameter (400) that names the rule saying
// what is allowed.
func invalidRule(rule, field, format string, args ...any) error {
	e := apperr.InvalidField(field, format, args...)
	e.Rule = rule
	return e
}

// warnEmpty marks an answer whose history as of the point holds nothing
// (ASOF-EMPTY) with a Warning header (RFC 9111's code 299, "miscellaneous
// persistent warning").
func warnEmpty(c echo.Context, what string) {
	c.Response().Header().Set("Warning", `299 - "ASOF-EMPTY: `+what+`"`)
}

// asOfErr adds the Warning header to an empty-history error.
func asOfErr(c echo.Context, err error) error {
	if e := apperr.As(err); e.Rule == "ASOF-EMPTY" {
		warnEmpty(c, e.Message)
	}
	return err
}

// OrganisationAsOf is an organisation as it stood at a point of its
// history: its registration, accreditations and projects.
type OrganisationAsOf struct {
	// At and Clock are the point asked for.
	At    time.Time       `json:"at"`
	Clock events.TimeAxis `json:"clock"`
	// Head is the last event folded (of any of the organisation's
	// aggregates).
	Head         events.Head          `json:"head"`
	Organisation a.Organisation       `json:"organisation"`
	Projects     map[string]a.Project `json:"projects"`
}

func (s *Server) organisationAsOf(c echo.Context) error {
	oid := c.Param("oid")
	if _, err := ownOrg(c, oid); err != nil {
		return err
	}
	at, ok, err := parseAsOf(c)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.InvalidField("at", "give the time to rebuild the organisation at: ?at=2024-05-31 or ?at=2024-05-31T12:00:00Z")
	}
	p, head, err := s.d.Commands.OrganisationAt(c.Request().Context(), oid, at)
	if err != nil {
		return asOfErr(c, err)
	}
	analyst := principal(c).Role == a.RoleAnalyst
	for id, pr := range p.Projects {
		p.Projects[id] = redactProject(pr, analyst)
	}
	projects := make(map[string]a.Project, len(p.Projects))
	for id, pr := range p.Projects {
		projects[id] = withEmptyLists(pr)
	}
	if p.Organisation.Accreditations == nil {
		p.Organisation.Accreditations = map[string]a.Accreditation{}
	}
	return jsonConditional(c, OrganisationAsOf{At: at.At, Clock: at.Axis, Head: head, Organisation: p.Organisation, Projects: projects})
}

// statsReader returns the reader of a statistics query: the served read
// models, or with at those as of a point (ASOF-CLOCK).
func (s *Server) statsReader(c echo.Context) (projections.Reader, func(), error) {
	at, ok, err := parseAsOf(c)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return s.d.Reader, func() {}, nil
	}
	if s.d.HistoryAt == nil {
		return nil, nil, apperr.New(apperr.Unavailable, "statistics as of a past point are not available on this server")
	}
	r, n, release, err := s.d.HistoryAt(c.Request().Context(), at)
	if err != nil {
		return nil, nil, err
	}
	c.Response().Header().Set("Grants-Events", strconv.FormatInt(n, 10))
	if n == 0 {
		warnEmpty(c, "no event as of "+at.String()+": the statistics are empty")
	}
	return r, release, nil
}
