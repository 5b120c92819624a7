package api

import (
	"net/http"
	"net/url"

	"github.com/erasmus-ledger/grants/events"
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

// checkPathParams decodes percent-encoded path parameters (Echo leaves
// them encoded when the request path holds an escape) and answers a query
// naming an ID that cannot exist (dots, NATS wildcards, spaces, too long)
// with the same 404 as a missing resource, before it reaches a store.
// Commands keep such an ID: their validation names the field at fault.
func checkPathParams(r Route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			names, values := c.ParamNames(), c.ParamValues()
			decoded := make([]string, len(values))
			for i, v := range values {
				decoded[i] = v
				if d, err := url.PathUnescape(v); err == nil {
					decoded[i] = d
				}
			}
			c.SetParamValues(decoded...)
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
			return next(c)
		}
	}
}
