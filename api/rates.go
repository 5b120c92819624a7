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
	// Tables says, per call year, where the figures come from and
	// whether the national office confirmed them.
	Tables []RatesSummary `json:"tables"`
}

// RatesSummary is one rates table of the index.
type RatesSummary struct {
	CallYear  int    `json:"call_year"`
	Source    string `json:"source"`
	Confirmed bool   `json:"confirmed"`
}

// ratesBook is the book in force: the built-in (or --rates-file) tables
// with those the national office published laid over them.
func (s *Server) ratesBook(c echo.Context) (RatesBook, error) {
	d, err := s.referenceDomain(c.Request().Context())
	if err != nil {
		return nil, err
	}
	if d != nil && d.Rates != nil {
		return d.Rates, nil
	}
	if s.d.Rates == nil {
		return nil, apperr.New(apperr.Unavailable, "no rates book is loaded")
	}
	return s.d.Rates, nil
}

func (s *Server) listRates(c echo.Context) error {
	book, err := s.ratesBook(c)
	if err != nil {
		return err
	}
	out := RatesIndex{Years: []int{}, Tables: []RatesSummary{}}
	for _, y := range book.Years() {
		t, err := book.Year(y)
		if err != nil {
			return err
		}
		out.Years = append(out.Years, y)
		out.Tables = append(out.Tables, RatesSummary{CallYear: y, Source: t.Source, Confirmed: t.Confirmed})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getRates(c echo.Context) error {
	book, err := s.ratesBook(c)
	if err != nil {
		return err
	}
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return apperr.InvalidField("year", "the call year must be a number, not %q", c.Param("year"))
	}
	t, err := book.Year(y)
	if err != nil {
		// A year the book does not hold is a resource that does not exist.
		return apperr.Wrap(apperr.NotFound, err, "there is no rates table for call year %d; years with rates: %v", y, book.Years())
	}
	return jsonConditional(c, t)
}
