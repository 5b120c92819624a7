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
	defs := map[string]any{}
	problemRef := schemaOf(Problem{}, defs)
	paths := map[string]any{}
	tags := map[string]bool{}
	for _, r := range routes {
		p := openAPIPath(r.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(r.Method)] = operation(r, defs, problemRef)
		if r.Tag != "" {
			tags[r.Tag] = true
		}
	}
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
			"description": "The national agency's system of record for Erasmus+ grants. Errors are application/problem+json (RFC 9457) with the rule ID in \"rule\", the rule's entry in the catalogue in \"type\" (/v1/rules/{id}; about:blank when no rule is broken), the kind of error in \"code\" and the input field in \"field\". Commands accept Idempotency-Key and If-Match; answers carry ETag (the aggregate version) and Grants-Sequence (the stream sequence) which queries accept as Grants-Min-Sequence for read-your-writes. CSV columns of the mobility upload are documented in docs/api.md.",
		},
		"servers": []any{map[string]any{"url": "/", "description": "this server"}},
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"schemas": defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "A token made with `grants token create`."},
			},
		},
	}
}

// operation documents one route.
func operation(r Route, defs map[string]any, problemRef map[string]any) map[string]any {
	op := map[string]any{"operationId": r.OperationID, "summary": r.Summary}
	if r.Tag != "" {
		op["tags"] = []string{r.Tag}
	}
	desc := ""
	if len(r.Roles) > 0 {
		op["security"] = []any{map[string]any{"bearer": []string{}}}
		desc = "Roles: " + strings.Join(r.Roles, ", ") + "."
	}
	if r.Command != "" {
		desc += " Issues the command " + r.Command + "."
	}
	if desc != "" {
		op["description"] = strings.TrimSpace(desc)
	}
	var params []any
	for _, name := range r.pathParams() {
		params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
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
		params = append(params, map[string]any{"name": q.Name, "in": in, "required": q.Required, "description": q.Description, "schema": map[string]any{"type": typ}})
	}
	if r.Idempotent {
		params = append(params,
			map[string]any{"name": HeaderIdempotencyKey, "in": "header", "description": "Makes a retry safe: a repeat returns the first answer and writes nothing.", "schema": map[string]any{"type": "string", "maxLength": maxIdempotencyKeyLen}},
			map[string]any{"name": "If-Match", "in": "header", "description": "The aggregate version (ETag) the change is based on; 412 if it moved on.", "schema": map[string]any{"type": "string"}})
	}
	if params != nil {
		op["parameters"] = params
	}
	switch {
	case r.Request != nil:
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(r.Request, defs)}}}
	case r.RequestType != "":
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{r.RequestType: map[string]any{"schema": map[string]any{"type": "string"}}}}
	}
	okContent := map[string]any{}
	if r.Response != nil {
		okContent["application/json"] = map[string]any{"schema": schemaOf(r.Response, defs)}
	}
	if _, done := okContent[r.ResponseType]; r.ResponseType != "" && !done {
		typ := "string"
		if strings.HasSuffix(r.ResponseType, "json") {
			typ = "object"
		}
		okContent[r.ResponseType] = map[string]any{"schema": map[string]any{"type": typ}}
	}
	ok := map[string]any{"description": http.StatusText(r.success())}
	if r.Command != "" {
		ok["headers"] = map[string]any{
			"ETag":         map[string]any{"description": "the aggregate's version after the command", "schema": map[string]any{"type": "string"}},
			HeaderSequence: map[string]any{"description": "the stream sequence of the last event written; send it as Grants-Min-Sequence to read your write", "schema": map[string]any{"type": "integer"}},
		}
	}
	if len(okContent) > 0 {
		ok["content"] = okContent
	}
	problem := func(what string) map[string]any {
		return map[string]any{"description": what, "content": map[string]any{ProblemContentType: map[string]any{"schema": problemRef}}}
	}
	responses := map[string]any{strconv.Itoa(r.success()): ok, "default": problem("An error, as problem details (RFC 9457)")}
	if len(r.Roles) > 0 {
		responses["401"] = problem("No or bad bearer token")
		responses["403"] = problem("The role may not do this")
	}
	if r.Command != "" {
		responses["409"] = problem("Conflict: the aggregate changed or its state does not allow this (current version in \"version\")")
		responses["412"] = problem("If-Match does not match the aggregate version")
		responses["422"] = problem("A grant rule forbids it (rule ID in \"rule\")")
	}
	op["responses"] = responses
	return op
}
