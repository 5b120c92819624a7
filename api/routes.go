package api

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// Param documents one path or query parameter.
type Param struct {
	// Name is the parameter's name.
	Name string
	// In is "path", "query" or "header".
	In string
	// Description says what it means.
	Description string
	// Type is the JSON schema type: "string" (default), "integer", "boolean".
	Type string
	// Required tells a required parameter (path parameters always are).
	Required bool
	// Enum lists the allowed values (none: any, or the list fieldValues
	// gives for the name).
	Enum []string
	// Minimum and Maximum bound an integer parameter when Maximum is not
	// zero (else it is only not negative); Default is its value when absent.
	Minimum, Maximum, Default int
}

// Route is one entry of the route table: the single source from which the
// routes are registered with Echo and documented in the OpenAPI document.
type Route struct {
	// Method is the HTTP method.
	Method string
	// Path is Echo's path pattern, with :name parameters.
	Path string
	// OperationID is the OpenAPI operation ID (unique).
	OperationID string
	// Summary is a one-line description.
	Summary string
	// Tag groups the operation in the documentation.
	Tag string
	// Roles may call the route; empty means no authentication is needed.
	Roles []string
	// Command is the command type a command route issues, for metrics and docs.
	Command string
	// Request is a sample of the JSON request body (nil: no JSON body).
	Request any
	// BodyFromPath lists the JSON fields of Request that are taken from
	// the URL: the body may leave them out.
	BodyFromPath []string
	// RequestType is the content type of a non-JSON body (e.g. text/csv).
	RequestType string
	// Response is a sample of the JSON answer (nil: see ResponseType).
	Response any
	// ResponseType is the content type of a non-JSON answer.
	ResponseType string
	// Status is the success status (200 when zero).
	Status int
	// Query lists the query parameters and extra headers.
	Query []Param
	// ETag tells that the answer carries the aggregate version as ETag
	// (the tag If-Match of a command compares).
	ETag bool
	// Conditional tells that the route answers 304 Not Modified to an
	// If-None-Match naming its current ETag.
	Conditional bool
	// Idempotent tells that the route accepts an Idempotency-Key.
	Idempotent bool
	// DryRun tells a command route that answers ?dry_run=true with the
	// decision (the events it would record, or the rule at fault) and
	// records nothing.
	DryRun bool
	// Handler serves the route once authentication and role checks passed.
	Handler echo.HandlerFunc
}

// pathParams returns the names of the :parameters of the route's path.
func (r Route) pathParams() []string {
	var out []string
	for _, seg := range strings.Split(r.Path, "/") {
		if strings.HasPrefix(seg, ":") {
			out = append(out, seg[1:])
		}
	}
	return out
}

// openAPIPath turns /v1/projects/:id into /v1/projects/{id}.
func openAPIPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// success is the route's success status.
func (r Route) success() int {
	if r.Status == 0 {
		return 200
	}
	return r.Status
}
