package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// mobilityStatsFilter reads the statistics filter of the query string.
func mobilityStatsFilter(c echo.Context) (projections.MobilityStatsFilter, error) {
	year, err := intParam(c, "call_year")
	if err != nil {
		return projections.MobilityStatsFilter{}, err
	}
	f := projections.MobilityStatsFilter{
		CallYear: year, Action: c.QueryParam("action"), Field: c.QueryParam("field"), Activity: c.QueryParam("activity"),
		SendingCountry: strings.ToUpper(c.QueryParam("sending_country")), ReceivingCountry: strings.ToUpper(c.QueryParam("receiving_country")),
	}
	if g := c.QueryParam("group_by"); g != "" {
		for _, d := range strings.Split(g, ",") {
			d = strings.TrimSpace(d)
			if !slices.Contains(projections.MobilityDimensions, d) {
				return f, apperr.InvalidField("group_by", "%q is not a dimension; use %s", d, strings.Join(projections.MobilityDimensions, ", "))
			}
			f.GroupBy = append(f.GroupBy, d)
		}
	}
	return f, nil
}

func projectStatsFilter(c echo.Context) (projections.ProjectStatsFilter, error) {
	year, err := intParam(c, "call_year")
	return projections.ProjectStatsFilter{CallYear: year, Action: c.QueryParam("action"), Field: c.QueryParam("field")}, err
}

// statsJSON answers a statistics query: the filter read from the request,
// the rows from the read models, an empty list rather than null.
func statsJSON[F, R any](c echo.Context, filter func(echo.Context) (F, error), query func(context.Context, F) ([]R, error)) error {
	f, err := filter(c)
	if err != nil {
		return err
	}
	rows, err := query(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []R{}
	}
	return c.JSON(http.StatusOK, rows)
}

func (s *Server) mobilityStats(c echo.Context) error {
	r, release, err := s.statsReader(c)
	if err != nil {
		return err
	}
	defer release()
	return statsJSON(c, mobilityStatsFilter, r.MobilityStats)
}

func (s *Server) projectStats(c echo.Context) error {
	r, release, err := s.statsReader(c)
	if err != nil {
		return err
	}
	defer release()
	return statsJSON(c, projectStatsFilter, r.ProjectStats)
}

func accreditationStatsFilter(c echo.Context) (projections.AccreditationStatsFilter, error) {
	year, err := intParam(c, "year")
	return projections.AccreditationStatsFilter{Year: year, Field: c.QueryParam("field")}, err
}

func (s *Server) accreditationStats(c echo.Context) error {
	return statsJSON(c, accreditationStatsFilter, s.d.Reader.AccreditationStats)
}

// csvWriter starts a CSV answer named filename.
func csvWriter(c echo.Context, filename string) *safeCSV {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Response().WriteHeader(http.StatusOK)
	return &safeCSV{csv.NewWriter(c.Response())}
}

func (s *Server) exportMobilityStats(c echo.Context) error {
	f, err := mobilityStatsFilter(c)
	if err != nil {
		return err
	}
	r, release, err := s.statsReader(c)
	if err != nil {
		return err
	}
	defer release()
	rows, err := r.MobilityStats(c.Request().Context(), f)
	if err != nil {
		return err
	}
	w := csvWriter(c, "mobility-statistics.csv")
	_ = w.Write([]string{"call_year", "action", "field", "activity", "sending_country", "receiving_country", "green_travel", "fewer_opportunities", "ukraine_exception", "mobilities", "participants", "accompanying", "days", "grant_cents"})
	for _, r := range rows {
		_ = w.Write([]string{optInt(r.CallYear), r.Action, r.Field, r.Activity, r.SendingCountry, r.ReceivingCountry,
			optBool(r.GreenTravel), optBool(r.FewerOpportunities), optBool(r.UkraineException),
			i64(r.Mobilities), i64(r.Participants), i64(r.Accompanying), i64(r.Days), i64(r.GrantCents)})
	}
	w.Flush()
	return w.Error()
}

func (s *Server) exportProjectStats(c echo.Context) error {
	f, err := projectStatsFilter(c)
	if err != nil {
		return err
	}
	r, release, err := s.statsReader(c)
	if err != nil {
		return err
	}
	defer release()
	rows, err := r.ProjectStats(c.Request().Context(), f)
	if err != nil {
		return err
	}
	w := csvWriter(c, "project-statistics.csv")
	_ = w.Write([]string{"call_year", "action", "field", "status", "projects", "requested_cents", "awarded_cents", "reported_cents", "paid_cents"})
	for _, r := range rows {
		_ = w.Write([]string{optInt(r.CallYear), r.Action, r.Field, r.Status, i64(r.Projects), i64(r.RequestedCents), i64(r.AwardedCents), i64(r.ReportedCents), i64(r.PaidCents)})
	}
	w.Flush()
	return w.Error()
}

// exportMobilities streams every mobility the filter selects, page by
// page, with pseudonymous participant IDs only.
func (s *Server) exportMobilities(c echo.Context) error {
	f, err := mobilityFilter(c)
	if err != nil {
		return err
	}
	if f.Org, err = ownOrg(c, f.Org); err != nil {
		return err
	}
	if err := s.consistent(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	personal, err := s.wantsPersonal(c, aggregates.Disclosure{Scope: aggregates.ScopeMobilityCSV, Org: f.Org})
	if err != nil {
		return err
	}
	f.Limit, f.Cursor = projections.MaxLimit, ""
	first, err := s.d.Reader.Mobilities(ctx, f)
	if err != nil {
		return err
	}
	w := csvWriter(c, "mobilities.csv")
	cols := exportColumns
	if personal {
		cols = append(append([]string(nil), exportColumns...), personalColumns...)
	}
	_ = w.Write(cols)
	page := first
	for {
		for _, m := range page.Items {
			row := exportRow(m)
			if personal {
				row = append(row, s.personalRow(ctx, m)...)
			}
			_ = w.Write(row)
		}
		w.Flush()
		if page.NextCursor == "" || len(page.Items) == 0 {
			break
		}
		f.Cursor = page.NextCursor
		if page, err = s.d.Reader.Mobilities(ctx, f); err != nil {
			s.log.Error("mobility export cut short", "request_id", requestID(c), "err", err)
			return nil // the status is sent; the client sees a short file
		}
	}
	return w.Error()
}

// exportColumns are the columns of the mobility export.
var exportColumns = []string{"project_id", "org", "mobility_id", "participant_id", "activity", "call_year", "action",
	"sending_country", "receiving_country", "receiving_city", "start_date", "end_date", "days", "travel_days", "distance_km",
	"green_travel", "fewer_opportunities", "accompanying", "ukraine_exception", "status", "grant_cents", "reported_on"}

// personalColumns are added to the mobility export when the national
// office discloses personal data (PD-DISCLOSE-REASON).
var personalColumns = []string{"first_name", "last_name", "birth_date", "email", "gender", "nationality"}

// personalRow reads a mobility's participant for the personal columns
// (empty when none are held).
func (s *Server) personalRow(ctx context.Context, m projections.MobilityView) []string {
	pv, err := s.d.Reader.Participant(ctx, m.Org, m.ParticipantID)
	if err != nil {
		return make([]string, len(personalColumns))
	}
	return []string{pv.FirstName, pv.LastName, pv.BirthDate, pv.Email, pv.Gender, pv.Nationality}
}

func exportRow(m projections.MobilityView) []string {
	return []string{m.ProjectID, m.Org, m.ID, m.ParticipantID, m.Activity, optInt(m.CallYear), m.Action,
		m.SendingCountry, m.ReceivingCountry, m.ReceivingCity, m.StartDate, m.EndDate, strconv.Itoa(m.Days), strconv.Itoa(m.TravelDays), strconv.Itoa(m.DistanceKm),
		strconv.FormatBool(m.GreenTravel), strconv.FormatBool(m.FewerOpportunities), strconv.FormatBool(m.Accompanying), strconv.FormatBool(m.UkraineException),
		m.Status, i64(m.GrantCents), m.ReportedOn}
}

func optInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func optBool(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }
