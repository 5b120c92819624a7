package api

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/erasmus-ledger/grants/aggregates/rulebook"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// ProblemsPath is the path of the problem kinds' documentation; a kind's
// page is ProblemsPath + "/" + its code, which is the "type" of a problem
// of that kind that breaks no rule.
const ProblemsPath = "/v1/problems"

// ProblemKind documents one kind of error the API answers with: the page
// a problem's "type" points at when no rule is broken.
type ProblemKind struct {
	// Code is the kind of error, as in a problem's "code".
	Code string `json:"code"`
	// Status is the HTTP status of problems of this kind.
	Status int `json:"status"`
	// Title is the "title" of problems of this kind.
	Title string `json:"title"`
	// Meaning says what the error means.
	Meaning string `json:"meaning"`
	// Action says what a client should do about it.
	Action string `json:"action"`
	// Href is this page, the "type" of problems of this kind.
	Href string `json:"href"`
}

// ProblemKindList lists every kind of error.
type ProblemKindList struct {
	// Problems are the kinds of error, by code.
	Problems []ProblemKind `json:"problems"`
}

// problemKinds is THE description of every application error code: its
// title and what it means. Every code of statusByCode has one.
var problemKinds = map[apperr.Code]struct{ title, meaning, action string }{
	apperr.Invalid: {"Invalid input",
		"The request is malformed: bad JSON, an unknown or repeated field, a wrong type, a value out of range, or a query parameter or header the route does not take. \"field\" names the input at fault.",
		"Correct the input named in \"field\" and send the request again; nothing was changed."},
	apperr.RuleViolation: {"Rule violated",
		"A grant rule forbids the command in the aggregate's current state. \"rule\" is the rule's ID and \"type\" its entry in the rule catalogue (/v1/rules/{id}).",
		"Read the rule; the command cannot succeed unchanged. Nothing was changed."},
	apperr.Conflict: {"Version conflict",
		"The aggregate changed concurrently, or its state does not allow the command (it already exists). \"version\" is the current version when one is known.",
		"Read the resource again and decide whether to retry the command with If-Match set to the new version."},
	apperr.PreconditionFailed: {"Precondition failed",
		"If-Match does not match the aggregate's current version (strong comparison). \"version\" is the current version.",
		"Read the resource again and retry with its current ETag if the command still applies."},
	apperr.NotFound: {"Not found",
		"There is no such resource, or none the caller may see.",
		"Check the identifiers in the path; the lists (/v1/projects, /v1/organisations) show what the caller may see."},
	apperr.Unauthenticated: {"Not signed in",
		"No bearer token or session was given, or the token is unknown or revoked.",
		"Send a valid bearer token in Authorization, or sign in again."},
	apperr.Forbidden: {"Forbidden",
		"The caller's role or organisation may not do this (rule CORE-TASKS for a command).",
		"Ask a user with the right role, or the national office, to do it."},
	apperr.TooManyRequests: {"Too many requests",
		"The token sent more requests than the rate limit allows.",
		"Wait for the seconds in Retry-After, then retry."},
	apperr.Unavailable: {"Unavailable",
		"A dependency (the event store or the read models) is down, or the read models did not reach Grants-Min-Sequence in time.",
		"Retry later; a command that was refused was not recorded, and a command sent with Idempotency-Key can be retried safely."},
	apperr.Internal: {"Internal error",
		"A bug: the server could not complete the request. The details are in the server log under \"request_id\".",
		"Report the request_id to the operators; retry with the same Idempotency-Key is safe."},
}

// problemRoutes are the routes of the problem kinds' documentation; it is
// public, like the rule catalogue.
func (s *Server) problemRoutes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: ProblemsPath, OperationID: "listProblemKinds", Summary: "Every kind of error the API answers with: its code, status, title and meaning", Tag: tagRef, Response: ProblemKindList{}, Handler: s.listProblemKinds},
		{Method: http.MethodGet, Path: ProblemsPath + "/:code", OperationID: "getProblemKind", Summary: "One kind of error (the type of a problem that breaks no rule): what it means and what to do", Tag: tagRef, Conditional: true, Response: ProblemKind{}, Handler: s.getProblemKind},
	}
}

func (s *Server) listProblemKinds(c echo.Context) error {
	list := ProblemKindList{Problems: []ProblemKind{}}
	for _, code := range problemCodes() {
		k, _ := problemKind(apperr.Code(code))
		list.Problems = append(list.Problems, k)
	}
	sort.Slice(list.Problems, func(i, j int) bool { return list.Problems[i].Status < list.Problems[j].Status })
	return jsonConditional(c, list)
}

func (s *Server) getProblemKind(c echo.Context) error {
	code := c.Param("code")
	k, ok := problemKind(apperr.Code(code))
	if !ok {
		return apperr.New(apperr.NotFound, "there is no kind of error %q; %s lists every kind", code, ProblemsPath)
	}
	return jsonConditional(c, k)
}

// problemKind returns the documentation of code.
func problemKind(code apperr.Code) (ProblemKind, bool) {
	d, ok := problemKinds[code]
	status, known := statusByCode[code]
	if !ok || !known {
		return ProblemKind{}, false
	}
	return ProblemKind{Code: string(code), Status: status, Title: d.title, Meaning: d.meaning, Action: d.action,
		Href: ProblemsPath + "/" + url.PathEscape(string(code))}, true
}

// problemType is THE mapping of a problem to its "type", a URI reference
// relative to this server: the catalogue entry of the rule broken
// (/v1/rules/KA122-MAX-MOB), else the page of its kind of error
// (/v1/problems/not-found).
func problemType(code apperr.Code, rule string) string {
	if rule != "" {
		return RulesPath + "/" + url.PathEscape(rule)
	}
	return ProblemsPath + "/" + url.PathEscape(string(code))
}

// problemTitle is THE mapping of a problem to its "title", which follows
// its type: the rule's English title when a rule of the catalogue is
// broken, else the title of its kind of error.
func problemTitle(code apperr.Code, rule string) string {
	if r, ok := rulebook.Lookup(rule); ok && rule != "" {
		if t, ok := r.In(rulebook.English); ok && t.Title != "" {
			return t.Title
		}
	}
	if d, ok := problemKinds[code]; ok {
		return d.title
	}
	return problemKinds[apperr.Internal].title
}
