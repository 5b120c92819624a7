package api

import (
	"net/http"
	"strconv"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// RatesIndex lists the call years with a rates table.
type RatesIndex struct {
	Years []int `json:"years"`
}

func (s *Server) listRates(c echo.Context) error {
	if s.d.Rates == nil {
		return apperr.New(apperr.Unavailable, "no rates book is loaded")
	}
	years := s.d.Rates.Years()
	if years == nil {
		years = []int{}
	}
	return c.JSON(http.StatusOK, RatesIndex{Years: years})
}

func (s *Server) getRates(c echo.Context) error {
	if s.d.Rates == nil {
		return apperr.New(apperr.Unavailable, "no rates book is loaded")
	}
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return apperr.InvalidField("year", "the call year must be a number, not %q", c.Param("year"))
	}
	t, err := s.d.Rates.Year(y)
	if err != nil {
		// A year the book does not hold is a resource that does not exist.
		return apperr.Wrap(apperr.NotFound, err, "there is no rates table for call year %d; years with rates: %v", y, s.d.Rates.Years())
	}
	return jsonConditional(c, t)
}
