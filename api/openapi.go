package api

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// OpenAPIVersion is the version of the OpenAPI specification the document follows.
const OpenAPIVersion = "3.1.0"

// buildOpenAPI documents every route of the table. It is the only source
// of the document: a route is registered and documented from the same entry.
func buildOpenAPI(routes []Route, version string) map[string]any {
	set := newSchemaSet()
	problemRef := set.of(Problem{})
	paths := map[string]any{}
	tags := map[string]bool{}
	for _, r := range routes {
		p := openAPIPath(r.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(r.Method)] = operation(r, set, problemRef)
		if r.Tag != "" {
			tags[r.Tag] = true
		}
	}
	addSchemaExamples(set.defs)
	var tagList []any
	names := make([]string, 0, len(tags))
	for t := range tags {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		tagList = append(tagList, map[string]any{"name": t})
	}
	return map[string]any{
		"openapi":           OpenAPIVersion,
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": map[string]any{
			"title":       "Erasmus+ grant ledger API",
			"version":     version,
			"description": "The national agency's system of record for Erasmus+ grants. Errors are application/problem+json (RFC 9457) with the rule ID in \"rule\", the rule's entry in the catalogue in \"type\" (/v1/rules/{id}; when no rule is broken, the page of the kind of error, /v1/problems/{code}), a title per rule or kind in \"title\", the kind of error in \"code\" and the input field in \"field\". Commands accept Idempotency-Key and If-Match; answers carry ETag (the aggregate version) and Grants-Sequence (the stream sequence) which queries accept as Grants-Min-Sequence for read-your-writes. CSV columns of the mobility upload are documented in docs/api.md.",
		},
		"servers": []any{map[string]any{"url": "/", "description": "this server"}},
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"schemas": set.defs,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "A token made with `grants token create`."},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "The web session opened by POST /ui/login (web pages only)."},
			},
		},
	}
}

// operation documents one route.
func operation(r Route, set *schemaSet, problemRef map[string]any) map[string]any {
	op := map[string]any{"operationId": r.OperationID, "summary": r.Summary}
	if r.Tag != "" {
		op["tags"] = []string{r.Tag}
	}
	desc := ""
	switch {
	case len(r.Roles) == 0:
		op["security"] = []any{} // public
	case strings.HasPrefix(r.Path, "/ui/"):
		op["security"] = []any{map[string]any{"session": []string{}}, map[string]any{"bearer": []string{}}}
	default:
		op["security"] = []any{map[string]any{"bearer": []string{}}}
	}
	if len(r.Roles) > 0 {
		desc = "Roles: " + strings.Join(r.Roles, ", ") + "."
	}
	if r.Command != "" {
		desc += " Issues the command " + r.Command + "."
	}
	if desc != "" {
		op["description"] = strings.TrimSpace(desc)
	}
	if params := parameters(r); params != nil {
		op["parameters"] = params
	}
	switch {
	case r.Request != nil:
		media := map[string]any{"schema": set.request(r.Request, r.BodyFromPath)}
		if ex := exampleOf(r.Command); ex != nil {
			media["example"] = ex
		}
		// An empty body is read as {}: a command whose fields all come
		// from the URL or are optional needs none; one with a required
		// field needs a body.
		op["requestBody"] = map[string]any{"required": set.hasRequired(media["schema"].(map[string]any)), "description": "The command as JSON; an empty body is read as {}.", "content": map[string]any{"application/json": media}}
	case r.RequestType == formType:
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{r.RequestType: map[string]any{"schema": map[string]any{
			"type": "object", "additionalProperties": map[string]any{"type": "string"},
			"description": "the form's fields, with the anti-forgery token csrf",
		}}}}
	case r.RequestType != "":
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{r.RequestType: map[string]any{"schema": map[string]any{"type": "string"}}}}
	}
	op["responses"] = responses(r, set, problemRef)
	return op
}

// parameters documents the path, query and header parameters of r.
func parameters(r Route) []any {
	var params []any
	for _, name := range r.pathParams() {
		p := map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
		if doc, ok := pathParamDocs[name]; ok {
			p["description"] = doc.description
			if doc.example != nil {
				p["example"] = doc.example
			}
			if doc.typ != "" {
				p["schema"] = map[string]any{"type": doc.typ}
			}
		}
		if pat, ok := pathParamPatterns[name]; ok {
			p["schema"].(map[string]any)["pattern"] = pat
		}
		if name == "code" {
			p["schema"].(map[string]any)["enum"] = problemCodes()
		}
		params = append(params, p)
	}
	for _, q := range r.Query {
		typ := q.Type
		if typ == "" {
			typ = "string"
		}
		in := q.In
		if in == "" {
			in = "query"
		}
		sc := map[string]any{"type": typ}
		if typ == "integer" {
			sc["minimum"] = 0
			if q.Maximum != 0 {
				sc["minimum"], sc["maximum"] = q.Minimum, q.Maximum
			}
			if q.Default != 0 {
				sc["default"] = q.Default
			}
		}
		if len(q.Enum) > 0 {
			sc["enum"] = q.Enum
		} else if values := fieldValues[q.Name]; values != nil && typ == "string" && in == "query" {
			sc["enum"] = values()
		}
		p := map[string]any{"name": q.Name, "in": in, "required": q.Required, "schema": sc}
		if q.Description != "" {
			p["description"] = q.Description
		} else if d := queryParamDescriptions[q.Name]; d != "" {
			p["description"] = d
		}
		params = append(params, p)
	}
	if r.Idempotent {
		params = append(params,
			map[string]any{"name": HeaderIdempotencyKey, "in": "header", "description": "Makes a retry safe: a repeat returns the first answer and writes nothing.", "schema": map[string]any{"type": "string", "maxLength": maxIdempotencyKeyLen}},
			map[string]any{"name": "If-Match", "in": "header", "description": "The aggregate version (ETag) the change is based on; 412 if it moved on.", "schema": map[string]any{"type": "string"}, "example": `"17"`})
	}
	if r.Conditional {
		params = append(params, map[string]any{"name": "If-None-Match", "in": "header", "description": "ETags the caller holds (weak comparison); 304 Not Modified when one is current.", "schema": map[string]any{"type": "string"}, "example": `"17"`})
	}
	if r.Command != "" {
		params = append(params,
			map[string]any{"name": HeaderReason, "in": "header", "description": "Why the command is issued; kept in the audit history (one line or several, clean text).", "schema": map[string]any{"type": "string"}},
			map[string]any{"name": HeaderEffectiveAt, "in": "header", "description": "National office only: records the command as of a past time (RFC 3339 time or YYYY-MM-DD); the audit history keeps both times.", "schema": map[string]any{"type": "string"}, "example": "2024-03-01"})
	}
	return params
}

// responses documents the answers of r: success, problems, headers.
func responses(r Route, set *schemaSet, problemRef map[string]any) map[string]any {
	okContent := map[string]any{}
	if r.Response != nil {
		okContent["application/json"] = map[string]any{"schema": set.of(r.Response)}
	}
	if _, done := okContent[r.ResponseType]; r.ResponseType != "" && !done {
		typ := "string"
		if strings.HasSuffix(r.ResponseType, "json") && !strings.HasSuffix(r.ResponseType, "ndjson") { // NDJSON is lines of text
			typ = "object"
		}
		okContent[r.ResponseType] = map[string]any{"schema": map[string]any{"type": typ}}
	}
	headers := map[string]any{
		HeaderRequestID: header("the request's ID, also in the log and in problem details", "string"),
	}
	if r.Command != "" {
		headers["ETag"] = header("the aggregate's version after the command", "string")
		headers[HeaderSequence] = header("the stream sequence of the last event written; send it as Grants-Min-Sequence to read your write", "integer")
		headers[HeaderReplayed] = header("true when the answer is the replay of an earlier request with the same Idempotency-Key", "string")
	}
	if r.Conditional && !r.ETag {
		headers["ETag"] = header("a strong tag of the representation: send it as If-None-Match to be told 304 Not Modified", "string")
	}
	if r.ETag {
		headers["ETag"] = header("the aggregate's version: send it as If-Match to change the aggregate only if it did not move on", "string")
	}
	if r.success() == http.StatusCreated {
		headers["Location"] = header("the new resource", "string")
	}
	if r.success() == http.StatusSeeOther {
		headers["Location"] = header("the page to go to", "string")
	}
	ok := map[string]any{"description": http.StatusText(r.success()), "headers": headers}
	if len(okContent) > 0 && r.success() != http.StatusSeeOther {
		ok["content"] = okContent
	}
	problem := func(what string) map[string]any {
		content := map[string]any{ProblemContentType: map[string]any{"schema": problemRef}}
		if strings.HasPrefix(r.Path, "/ui/") { // the web pages show errors as pages
			content["text/html"] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		return map[string]any{"description": what, "content": content}
	}
	out := map[string]any{strconv.Itoa(r.success()): ok, "default": problem("An error, as problem details (RFC 9457)")}
	if r.DryRun && r.success() != http.StatusOK {
		out["200"] = map[string]any{"description": "The dry run's decision (?dry_run=true): the events the command would record; nothing was recorded",
			"headers": map[string]any{HeaderRequestID: headers[HeaderRequestID]}, "content": okContent}
	}
	if r.Conditional {
		out["304"] = map[string]any{"description": "Not Modified: the If-None-Match names the current ETag", "headers": map[string]any{"ETag": headers["ETag"]}}
	}
	if len(r.Roles) > 0 {
		out["401"] = problem("No or bad bearer token")
		out["403"] = problem("The role may not do this")
	}
	if r.Request != nil || r.RequestType != "" || len(r.Query) > 0 {
		out["400"] = problem("The input is malformed or breaks an input rule (field at fault in \"field\")")
	}
	if len(r.pathParams()) > 0 {
		out["404"] = problem("No such resource, or not one the caller may see")
	}
	if r.Command != "" {
		out["409"] = problem("Conflict: the aggregate changed or its state does not allow this (current version in \"version\")")
		out["412"] = problem("If-Match does not match the aggregate version")
		out["422"] = problem("A grant rule forbids it (rule ID in \"rule\")")
	}
	return out
}

// pathParamDoc documents a path parameter by its name.
type pathParamDoc struct {
	description string
	typ         string
	example     any
}

// pathParamDocs document the path parameters of the route table.
var pathParamDocs = map[string]pathParamDoc{
	"id":      {description: "the project number (the Erasmus+ project ID)", example: "2024-1-FR01-KA122-SCH-000123"},
	"oid":     {description: "the organisation ID: E and 8 digits", example: "E10012345"},
	"aid":     {description: "the accreditation ID", example: "2024-1-FR01-KA120-SCH-000045"},
	"mid":     {description: "the mobility ID, unique in its project", example: "M-0001"},
	"pid":     {description: "the participant's pseudonymous ID, unique in its organisation", example: "P-0001"},
	"sid":     {description: "the web session's ID"},
	"member":  {description: "the member organisation's ID: E and 8 digits", example: "E10054321"},
	"rid":     {description: "the support request's ID, unique in its project", example: "R-1"},
	"code":    {description: "the kind of error (a problem's code)", example: "rule-violation"},
	"command": {description: "the organisation command whose web form is shown or issued"},
	"op":      {description: "the project command whose web form is shown or issued"},
	"name":    {description: "the asset's file name"},
	"year":    {description: "the call year", typ: "integer", example: 2024},
	"rule":    {description: "the rule ID", example: "KA122-MAX-MOB"},
}

// formType is the content type of the web pages' forms.
const formType = "application/x-www-form-urlencoded"

// header documents a response header.
func header(desc, typ string) map[string]any {
	return map[string]any{"description": desc, "schema": map[string]any{"type": typ}}
}
