package api

import (
	"slices"
	"strconv"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// pageOf reads ?cursor= and ?limit=. An absent limit is the default; a
// given one must be within 1 to MaxLimit, 0 included: the error says so.
func pageOf(c echo.Context) (projections.Page, error) {
	limit, err := intParam(c, "limit")
	if err != nil {
		return projections.Page{}, err
	}
	if c.QueryParams().Has("limit") && (limit < 1 || limit > projections.MaxLimit) {
		return projections.Page{}, apperr.InvalidField("limit", "limit %d is not within 1 to %d", limit, projections.MaxLimit)
	}
	return projections.Page{Cursor: c.QueryParam("cursor"), Limit: limit}, nil
}

// intParam reads an optional integer query parameter (0 when absent).
func intParam(c echo.Context, name string) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.InvalidField(name, "%s must be an integer, not %q", name, v)
	}
	return n, nil
}

// boolParam reads an optional boolean query parameter.
func boolParam(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.InvalidField(name, "%s must be true or false, not %q", name, v)
	}
	return b, nil
}

// projectStatuses are the values of a project's status.
var projectStatuses = []string{aggregates.StatusSubmitted, aggregates.StatusWithdrawn, aggregates.StatusEligible,
	aggregates.StatusIneligible, aggregates.StatusApproved, aggregates.StatusReserve, aggregates.StatusRejected,
	aggregates.StatusOngoing, aggregates.StatusReportLocked, aggregates.StatusReportAssessed, aggregates.StatusClosed,
	aggregates.StatusTerminated}

// mobilityStatuses are the values of a mobility's status in the read models.
var mobilityStatuses = []string{"reported", "corrected", "cancelled"}

// oneOfParam returns query parameter name, which when given must be one
// of allowed: a misspelt filter value would silently select nothing.
func oneOfParam(c echo.Context, name string, allowed []string) (string, error) {
	v := c.QueryParam(name)
	if v == "" || slices.Contains(allowed, v) {
		return v, nil
	}
	return "", apperr.InvalidField(name, "%s %q is not one of %s", name, v, strings.Join(allowed, ", "))
}
