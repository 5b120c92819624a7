package api

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// idParams names the kind of resource each ID path parameter stands for.
var idParams = map[string]string{
	"oid": "organisation",
	"id":  "project",
	"aid": "accreditation",
	"mid": "mobility",
	"pid": "participant",
}

// checkParams decodes percent-encoded path parameters (Echo leaves them
// encoded when the request path holds an escape) and answers a query
// naming an ID that cannot exist (dots, NATS wildcards, spaces, too long)
// with the same 404 as a missing resource, before it reaches a store.
// Commands keep such an ID: their validation names the field at fault.
// A query of the API refuses query parameters it does not know (a typo
// would otherwise silently widen a filter) and, when it reads the read
// models, waits for Grants-Min-Sequence.
func (s *Server) checkParams(r Route) echo.MiddlewareFunc {
	known := map[string]bool{}
	for _, p := range r.Query {
		if p.In != "header" {
			known[p.Name] = true
		}
	}
	strict := r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/v1/")
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			names, values := c.ParamNames(), c.ParamValues()
			decoded := values
			if escaped(values) {
				decoded = make([]string, len(values))
				for i, v := range values {
					decoded[i] = v
					if d, err := url.PathUnescape(v); err == nil {
						decoded[i] = d
					}
				}
				c.SetParamValues(decoded...)
			}
			if err := cleanParams(c, names, decoded); err != nil {
				return err
			}
			if r.Method != http.MethodGet {
				return next(c)
			}
			for i, name := range names {
				if i >= len(decoded) {
					break
				}
				if kind, ok := idParams[name]; ok && !events.ValidToken(decoded[i]) {
					return notFound(kind, decoded[i])
				}
			}
			if strict && c.QueryString() != "" {
				for name := range c.QueryParams() {
					if !known[name] {
						return unknownQueryParam(name, known)
					}
				}
			}
			if readsProjections(r) {
				if err := s.consistent(c); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// escaped tells whether a path parameter holds a %-escape to decode.
func escaped(values []string) bool {
	for _, v := range values {
		if strings.IndexByte(v, '%') >= 0 {
			return true
		}
	}
	return false
}

// cleanParams refuses a path or query parameter that is not clean text
// (INPUT-TEXT, INPUT-TEXT-LENGTH), as any field of a body would be: it
// would reach filters, audit reasons and error messages.
func cleanParams(c echo.Context, names, values []string) error {
	for i, name := range names {
		if i < len(values) {
			if err := aggregates.CheckText(name, values[i], false); err != nil {
				return err
			}
		}
	}
	if c.QueryString() == "" {
		return nil // no query: nothing to parse
	}
	for name, vs := range c.QueryParams() {
		if err := aggregates.CheckText(name, name, false); err != nil {
			return err
		}
		for _, v := range vs {
			if err := aggregates.CheckText(name, v, aggregates.MultiLine(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// unknownQueryParam refuses a query parameter the route does not take.
func unknownQueryParam(name string, known map[string]bool) error {
	if len(known) == 0 {
		return apperr.InvalidField(name, "unknown query parameter %q; this route takes none", name)
	}
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names)
	return apperr.InvalidField(name, "unknown query parameter %q; this route takes %s", name, strings.Join(names, ", "))
}

// readsProjections tells a query answered from the read models, where
// Grants-Min-Sequence (read your writes) applies.
func readsProjections(r Route) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/v1/") &&
		r.Path != "/v1/openapi.json" && !strings.HasPrefix(r.Path, "/v1/rates")
}

// withConsistency documents min_seq and Grants-Min-Sequence on every query
// that reads the read models.
func withConsistency(rs []Route) []Route {
	for i, r := range rs {
		if !readsProjections(r) {
			continue
		}
		has := false
		for _, p := range r.Query {
			has = has || p.Name == "min_seq"
		}
		if !has {
			rs[i].Query = append(append([]Param(nil), r.Query...), consistencyParams()...)
		}
	}
	return rs
}
