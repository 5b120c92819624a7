package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// ProblemContentType is the media type of every error answer (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object with the ledger's
// extension members.
type Problem struct {
	// Type is a URI reference on this server naming the kind of problem:
	// the rule broken, /v1/rules/{id}, or else the kind of error,
	// /v1/problems/{code}. GET it for its documentation.
	Type string `json:"type"`
	// Code is the kind of error (invalid, rule-violation, conflict,
	// not-found, forbidden, ...), for clients to switch on.
	Code string `json:"code"`
	// Title is a short summary of the kind of problem: the rule's title
	// (in English) when a rule is broken, else the title of the code.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail explains this occurrence in plain English.
	Detail string `json:"detail,omitempty"`
	// Instance is the request path.
	Instance string `json:"instance,omitempty"`
	// Rule is the ID of the rule broken, in the catalogue at /v1/rules.
	Rule string `json:"rule,omitempty"`
	// Field is the path of the input field at fault.
	Field string `json:"field,omitempty"`
	// Version is the aggregate's current version, for conflicts.
	Version *uint64 `json:"version,omitempty"`
	// RequestID identifies the request in the server's log.
	RequestID string `json:"request_id,omitempty"`
}

// statusByCode is the ONE mapping of application error codes to HTTP
// statuses. Nothing else in the API chooses an error status.
var statusByCode = map[apperr.Code]int{
	apperr.Invalid:            http.StatusBadRequest,
	apperr.Unauthenticated:    http.StatusUnauthorized,
	apperr.Forbidden:          http.StatusForbidden,
	apperr.NotFound:           http.StatusNotFound,
	apperr.Conflict:           http.StatusConflict,
	apperr.PreconditionFailed: http.StatusPreconditionFailed,
	apperr.RuleViolation:      http.StatusUnprocessableEntity,
	apperr.TooManyRequests:    http.StatusTooManyRequests,
	apperr.Unavailable:        http.StatusServiceUnavailable,
	apperr.Internal:           http.StatusInternalServerError,
}

// codeByStatus turns the HTTP errors Echo itself raises (unknown route,
// wrong method, body too large) into application codes.
func codeByStatus(status int) apperr.Code {
	for c, s := range statusByCode {
		if s == status {
			return c
		}
	}
	switch {
	case status == http.StatusMethodNotAllowed, status == http.StatusRequestEntityTooLarge,
		status == http.StatusUnsupportedMediaType:
		return apperr.Invalid
	case status >= 500:
		return apperr.Internal
	}
	return apperr.Invalid
}

// StatusOf returns the HTTP status of err, as the API answers it.
func StatusOf(err error) int {
	if s, ok := statusByCode[apperr.CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// problemOf builds the problem details of err. Internal errors never show
// their cause.
func problemOf(err error) Problem {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return echoProblem(he)
	}
	ae := apperr.As(err)
	status := StatusOf(ae)
	p := Problem{
		Type:   problemType(ae.Code, ae.Rule),
		Code:   string(ae.Code),
		Title:  problemTitle(ae.Code, ae.Rule),
		Status: status,
		Rule:   ae.Rule,
		Field:  ae.Field,
	}
	switch {
	case ae.Code == apperr.Internal:
		p.Detail = "An unexpected error occurred; it has been logged."
	case ae.Message != "":
		p.Detail = ae.Message
	case ae.Err != nil && ae.Code != apperr.Unavailable:
		p.Detail = ae.Err.Error()
	}
	// A conflict about existence (already reported) knows no version;
	// "version": 0 would mislead, so only a known version is shown.
	if ae.Code == apperr.PreconditionFailed || (ae.Code == apperr.Conflict && ae.Version > 0) {
		v := ae.Version
		p.Version = &v
	}
	return p
}

// echoProblem renders an error raised by Echo's router or middleware.
func echoProblem(he *echo.HTTPError) Problem {
	status := he.Code
	code := codeByStatus(status)
	if status == 0 {
		status, code = http.StatusInternalServerError, apperr.Internal
	}
	p := Problem{Type: problemType(code, ""), Code: string(code), Title: problemTitle(code, ""), Status: status}
	if msg, ok := he.Message.(string); ok && status < 500 && msg != http.StatusText(status) {
		p.Detail = msg
	}
	switch status {
	case http.StatusNotFound:
		if p.Detail == "" {
			p.Detail = "There is no such resource."
		}
	case http.StatusMethodNotAllowed:
		p.Detail = "This resource does not support the method; see /v1/openapi.json."
	case http.StatusRequestEntityTooLarge:
		if p.Detail == "" {
			p.Detail = "The request body is larger than the server accepts."
		}
	}
	return p
}

// errorHandler is Echo's HTTPErrorHandler: every error leaves as
// application/problem+json. Internal errors are logged with their cause.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := problemOf(err)
	if p.Status == http.StatusUnauthorized && c.Request().Method == http.MethodGet &&
		strings.HasPrefix(c.Request().URL.Path, "/ui/") && strings.Contains(c.Request().Header.Get("Accept"), "text/html") {
		// A browser without a session is sent to the sign-in page.
		_ = c.Redirect(http.StatusSeeOther, "/ui/login?next="+url.QueryEscape(c.Request().URL.Path))
		return
	}
	p.Instance = c.Request().URL.Path
	p.RequestID = requestID(c)
	if p.Status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", p.Status, "request_id", p.RequestID, "err", err)
	}
	if ae := apperr.As(err); ae != nil && ae.Code == apperr.TooManyRequests {
		c.Response().Header().Set("Retry-After", "1")
	}
	if wantsPage(c) {
		if err := s.renderProblem(c, p); err == nil {
			return
		}
	}
	if err := writeProblem(c, p); err != nil {
		s.log.Warn("writing problem", "err", err)
	}
}

// writeProblem writes p as the response.
func writeProblem(c echo.Context, p Problem) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if c.Request().Method == http.MethodHead {
		return c.NoContent(p.Status)
	}
	return c.Blob(p.Status, ProblemContentType, body)
}
