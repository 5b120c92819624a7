package api

import (
	"strconv"

	"github.com/labstack/echo/v4"

	a "github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// personalParams are the query parameters with which the national office
// asks an export for personal data (PD-DISCLOSE-REASON).
func personalParams() []Param {
	return []Param{
		{Name: "personal_data", Type: "boolean", Description: "national office only: include the participants' personal data; needs reason, and is recorded as a PersonalDataDisclosed event before anything is sent (PD-DISCLOSE-REASON). Without it the export is pseudonymous (PD-EXPORT-PSEUDONYMOUS)"},
		{Name: "reason", Description: "why the national office discloses personal data (recorded)"},
	}
}

// wantsPersonal reads personal_data and reason: false for a pseudonymous
// export; true once the disclosure d (scope and range filled by the
// caller) is recorded. Only the national office may ask.
func (s *Server) wantsPersonal(c echo.Context, d a.Disclosure) (bool, error) {
	on, err := boolParam(c, "personal_data")
	if err != nil {
		return false, err
	}
	if !on {
		if c.QueryParam("reason") != "" {
			return false, apperr.InvalidField("reason", "reason goes with personal_data=true")
		}
		return false, nil
	}
	d.Reason = c.QueryParam("reason")
	return true, s.disclose(c, d)
}

// disclose records a disclosure of personal data before any is sent
// (PD-DISCLOSE-REASON): national office only, with a reason.
func (s *Server) disclose(c echo.Context, d a.Disclosure) error {
	p := principal(c)
	if p.Role != a.RoleNationalOffice {
		return &apperr.Error{Code: apperr.Forbidden, Rule: "PD-DISCLOSE-REASON", Field: "personal_data",
			Message: "only the national office may ask for personal data; analysts' exports are pseudonymous (PD-EXPORT-PSEUDONYMOUS)"}
	}
	d.Channel = "api"
	res, err := s.d.Commands.Handle(c.Request().Context(), command.Request{
		Command: a.RecordDisclosure{Disclosure: d}, Actor: p.Actor(), CorrelationID: requestID(c), Reason: d.Reason,
	})
	if err != nil {
		if e := apperr.As(err); e.Field == "reason" && e.Rule == "" {
			e.Rule = "PD-DISCLOSE-REASON"
		}
		return err
	}
	c.Response().Header().Set(HeaderDisclosure, strconv.FormatUint(res.Sequence, 10))
	c.Response().Header().Set("Cache-Control", "no-store")
	return nil
}

// HeaderDisclosure is the stream sequence of the PersonalDataDisclosed
// event an answer with personal data was recorded by.
const HeaderDisclosure = "Grants-Disclosure-Sequence"

// noStore keeps an answer with personal data out of every cache.
func noStore(c echo.Context) { c.Response().Header().Set("Cache-Control", "no-store") }
