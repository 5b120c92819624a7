package api

import (
	"reflect"
	"strings"
)

// schemaDescription is the description of component name of Go type t:
// schemaDescriptions first, else the type's doc comment (typeDocs).
func schemaDescription(name string, t reflect.Type) string {
	if d := schemaDescriptions[name]; d != "" {
		return d
	}
	return typeDocs[goTypeKey(t)]
}

// describeField gives the property schema sc of the JSON field json of
// component owner its description: the doc comment of the Go field f
// declared in struct decl (fieldDocs, generated from the code), else
// propertyDescriptions by "Component.field", else by the field's name.
// A note of conditionalFields that annotate put there is kept after it.
func describeField(sc map[string]any, owner, decl reflect.Type, f reflect.StructField, json string) {
	d := fieldDocs[goTypeKey(decl)+"."+f.Name]
	if d == "" {
		d = propertyDescriptions[docName(owner)+"."+json]
	}
	if d == "" {
		d = propertyDescriptions[json]
	}
	if d == "" {
		return
	}
	if note, ok := sc["description"].(string); ok && note != "" && !strings.Contains(d, note) {
		d += " " + note
	}
	sc["description"] = d
}

// hasRequired tells whether the schema sc (a component's $ref or inline)
// has a required property.
func (s *schemaSet) hasRequired(sc map[string]any) bool {
	if ref, ok := sc["$ref"].(string); ok {
		sc, _ = s.defs[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	req, _ := sc["required"].([]string)
	return len(req) > 0
}

// goTypeKey is "import/path.Type" for a named type (a generic type without
// its type arguments), the key of typeDocs and fieldDocs.
func goTypeKey(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() + "." + componentName(t)
}

// docName is the component name of named type t as the tables of the
// document know it: its Go name without type arguments, or its alias in
// schemaAliases (ProjectState for aggregates.Project).
func docName(t reflect.Type) string {
	n := componentName(t)
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	if a, ok := schemaAliases[pkg+"."+n]; ok {
		return a
	}
	return n
}

// componentName is t's Go name without type arguments.
func componentName(t reflect.Type) string {
	n := t.Name()
	if i := strings.Index(n, "["); i >= 0 {
		n = n[:i]
	}
	return n
}

// propertyDescriptions describe the properties whose Go field has no doc
// comment, by "Component.field" or by the field's JSON name alone.
var propertyDescriptions = map[string]string{
	// Identifiers.
	"project_id":            "The project number (the Erasmus+ project ID).",
	"oid":                   "The organisation ID: E and 8 digits.",
	"member_oid":            "The member organisation's ID: E and 8 digits.",
	"org":                   "The organisation ID (E and 8 digits) the record belongs to.",
	"accreditation_id":      "The accreditation ID.",
	"mobility_id":           "The mobility ID, unique in its project.",
	"amendment_id":          "The amendment's ID, unique in its project: a repeat with the same ID changes nothing.",
	"payment_id":            "The payment's ID, unique in its project: a repeat with the same ID changes nothing.",
	"report_id":             "The interim report's ID, unique in its project.",
	"request_id":            "The support request's ID, unique in its project.",
	"event_id":              "The event's unique ID.",
	"correlation_id":        "The ID shared by the events of one command, and the request ID of the call that issued it.",
	"user_id":               "The user's name, as in the token.",
	"aggregate_id":          "The ID of the aggregate whose stream is damaged.",
	"aggregate_kind":        "The kind of the aggregate whose stream is damaged.",
	"agreement_no":          "The grant agreement's number.",
	"AggregateRef.id":       "The aggregate's ID (a project number, an organisation ID, ...).",
	"AggregateRef.kind":     "The kind of aggregate.",
	"AggregateRef.org":      "The organisation the aggregate belongs to.",
	"EventSummary.id":       "The event's unique ID.",
	"ProjectState.id":       "The project number.",
	"Payment.id":            "The payment's ID, unique in its project.",
	"SupportRequest.id":     "The support request's ID, unique in its project.",
	"SupportRequestView.id": "The support request's ID, unique in its project.",
	"SessionInfo.org":       "The organisation of the session's user (empty for the national office and analysts).",
	"Actor.org":             "The organisation the actor acts for (empty for the national office and analysts).",

	// The call and the project.
	"action":                "The Erasmus+ key action code (KA1xx, KA2xx).",
	"field":                 "The field of education and training.",
	"activity":              "The mobility activity's code in the catalogue.",
	"call_year":             "The call year.",
	"round":                 "The call round (1 or 2).",
	"rounds":                "The call rounds, by call year, round and action.",
	"deadline":              "The application deadline (12:00 Brussels time on that day).",
	"start_to":              "The last day on which the projects of the round may start.",
	"title":                 "The project's title.",
	"start_date":            "The first day (YYYY-MM-DD).",
	"end_date":              "The last day (YYYY-MM-DD).",
	"partners":              "The partner organisations named in the application.",
	"consortium":            "Whether the application is made by a consortium (KA121).",
	"coordinator":           "The coordinator organisation of the consortium (E and 8 digits).",
	"applicant_country":     "The applicant organisation's country (ISO 3166-1 alpha-2).",
	"submitted_on":          "The day the application was submitted.",
	"approved_on":           "The day the application was approved.",
	"signed_on":             "The day the grant agreement was signed.",
	"assessed_on":           "The day the final report was assessed.",
	"balance_due_days":      "The days after the final report's assessment within which the balance is due.",
	"ukraine_applied":       "Whether the Ukraine exception applies to the project.",
	"support_justification": "Why the application asks for inclusion support or exceptional costs.",
	"strategy_attached":     "Whether the Erasmus plan's strategy document was attached.",
	"plan":                  "The Erasmus plan of the accreditation.",
	"plan_to_year":          "The last year the Erasmus plan covers.",
	"to_year":               "The last year the plan covers.",
	"objectives":            "The objectives of the plan.",
	"indicators":            "How the objective's progress is measured.",
	"Objective.text":        "The objective, in the applicant's words.",
	"added_on":              "The day the member joined the consortium.",
	"project":               "The project.",
	"projects":              "The projects.",
	"organisation":          "The organisation.",

	// Money.
	"requested_cents":             "The grant requested, in euro cents.",
	"awarded_cents":               "The grant awarded, in euro cents.",
	"amount_cents":                "The amount, in euro cents.",
	"paid_cents":                  "What was paid, net of recoveries, in euro cents.",
	"net_paid_cents":              "Payments net of recoveries, in euro cents.",
	"reported_cents":              "The grant of the reported mobilities, in euro cents.",
	"remaining_cents":             "The awarded grant not yet reported, in euro cents.",
	"planned_cents":               "The total of the planned instalments, in euro cents.",
	"overdue_cents":               "What is due and unpaid, in euro cents.",
	"total_cents":                 "The total, in euro cents.",
	"exceptional_costs_cents":     "Exceptional costs (expensive travel, visas, ...), in euro cents.",
	"inclusion_support_cents":     "Inclusion support for participants with fewer opportunities, in euro cents.",
	"granted_exceptional_cents":   "The exceptional costs granted, in euro cents.",
	"granted_inclusion_cents":     "The inclusion support granted, in euro cents.",
	"requested_exceptional_cents": "The exceptional costs requested, in euro cents.",
	"budget":                      "The project's budget.",
	"totals":                      "The sums over the organisation's projects.",
	"category":                    "The budget category (travel, individual support, organisational support, ...).",
	"explanation":                 "How the amount was computed, in words.",
	"rules":                       "The rule IDs the amount follows.",
	"rule":                        "The rule ID.",
	"mobilities":                  "The number of mobilities.",
	"lines":                       "The lines of the grant, one per budget category.",
	"grant":                       "The mobility's grant, line by line.",
	"instalments":                 "The instalments of the payment plan.",
	"due_date":                    "The day the instalment is due.",
	"paid_on":                     "The day of the payment.",
	"Payment.kind":                "The kind of payment.",
	"InstalmentStatus.kind":       "The kind of payment the instalment is.",

	// Mobilities and participants.
	"mobility":               "The mobility as reported.",
	"origin":                 "Where the travel starts; with destination, the distance is computed (leave distance_km out).",
	"destination":            "Where the travel ends; with origin, the distance is computed (leave distance_km out).",
	"lat":                    "Latitude in degrees.",
	"lon":                    "Longitude in degrees.",
	"receiving_city":         "The receiving city.",
	"receiving_country":      "The receiving country (ISO 3166-1 alpha-2).",
	"sending_country":        "The sending country (ISO 3166-1 alpha-2).",
	"receiving_organisation": "The receiving organisation's name.",
	"receiving_org":          "The receiving organisation's name.",
	"distance_km":            "The travel distance in km, as the distance band counts it.",
	"days":                   "The days of the activity counted for support.",
	"cancelled":              "Whether the mobility was cancelled.",
	"reported_on":            "The day the mobility was first reported.",
	"fewer_opportunities":    "Whether the participant has fewer opportunities.",
	"green_travel":           "Whether the participant travels green.",
	"ukraine_exception":      "Whether the Ukraine exception applies.",
	"first_name":             "The participant's first name (personal data).",
	"last_name":              "The participant's last name (personal data).",
	"birth_date":             "The participant's date of birth (personal data).",
	"email":                  "The participant's e-mail address (personal data).",
	"gender":                 "The participant's gender as declared (personal data).",
	"nationality":            "The participant's nationality (ISO 3166-1 alpha-2; personal data).",

	// Decisions, reports, reasons.
	"reason":               "Why, in words; kept in the audit history.",
	"justification":        "Why the request is made, in words.",
	"note":                 "The national office's note, kept in the audit history.",
	"summary":              "A summary, in words.",
	"HistoryEntry.summary": "What the event did, in one line.",
	"resolution":           "How the damaged stream is resolved.",
	"decided_on":           "The day of the decision.",
	"requested_on":         "The day of the request.",
	"flag":                 "The deadline flag.",
	"due_on":               "The day the deadline falls due.",
	"raised_on":            "The day the flag was raised.",
	"status":               "The status.",

	// Organisations.
	"legal_name":       "The organisation's legal name.",
	"city":             "The organisation's city.",
	"country":          "The country (ISO 3166-1 alpha-2).",
	"name":             "The name.",
	"role":             "The role.",
	"PartnerView.role": "The partner's role in the project.",
	"Actor.role":       "The actor's role.",
	"SessionInfo.role": "The role of the session's user.",
	"SessionInfo.name": "The user's name.",
	"last_seen_at":     "When the session was last used.",

	// The event stream and its checks.
	"sequence":              "The event's sequence in the stream.",
	"version":               "The aggregate's version (the number of its events).",
	"hash":                  "The event's hash (hex SHA-256), chaining the aggregate's events.",
	"prev_hash":             "The hash of the aggregate's previous event.",
	"recorded_at":           "When the event was recorded.",
	"occurred_at":           "When the event took effect (the effective time of the command).",
	"type":                  "The event type.",
	"aggregate":             "The aggregate.",
	"subject":               "The event's stream subject.",
	"head":                  "The aggregate's last event at that time.",
	"at":                    "The time the project is shown as of.",
	"events":                "The number of events checked.",
	"valid":                 "Whether the chain is intact.",
	"chains":                "The number of aggregate chains checked.",
	"checkpoints":           "The number of checkpoints checked.",
	"signatures":            "The number of signatures checked.",
	"source":                "Where the rates come from: built in, or published by the national office.",
	"confirmed":             "Whether the national office confirmed the rates.",
	"years":                 "The call years that have rates.",
	"Health.status":         "ok, or what is not.",
	"QuarantinedEvent.kind": "The kind of check the event failed.",
	"WebCheck.ok":           "Whether the form's command would be accepted.",

	// Right of access and a past state (the routes of the exports work).
	"effective_at":                "When the event took effect (the effective clock).",
	"AccessEvent.actor":           "Who issued the command that wrote the event.",
	"disclosure_sequence":         "The stream sequence of the PersonalDataDisclosed event that records this export.",
	"AccessExport.participant_id": "The participant's pseudonymous ID, unique in its organisation.",
	"AccessExport.personal":       "The participant's personal data, while the ledger holds them.",
	"applied_on":                  "The day of the application.",
	"withdrawn_on":                "The day of the withdrawal.",
	"removed_on":                  "The day the member left the consortium.",
	"Accreditation.id":            "The accreditation ID.",
	"Accreditation.kind":          "The kind of accreditation: one organisation's, or a consortium's.",
	"accreditations":              "The organisation's accreditations, by accreditation ID.",
	"Organisation.kind":           "The kind of organisation.",
	"registered":                  "Whether the organisation was registered at that time.",
	"clock":                       "The clock the time is read on: recorded (when the ledger recorded the events) or effective (when they took effect).",

	// Lists and bulk uploads.
	"items":               "The page's items.",
	"next_cursor":         "The cursor of the next page; empty on the last page.",
	"accepted":            "The rows accepted.",
	"refused":             "The rows refused.",
	"rows":                "The outcome of each row.",
	"column":              "The CSV column at fault.",
	"message":             "What is wrong, in words.",
	"BulkRow.sequence":    "The stream sequence of the event the row wrote.",
	"BulkResult.sequence": "The stream sequence of the last event written; send it as Grants-Min-Sequence to read your writes.",
	"BulkRow.field":       "The input field at fault.",
}

// queryParamDescriptions describe the query parameters that the route
// table leaves undescribed, by name: most are filters.
var queryParamDescriptions = map[string]string{
	"action":            "Only those of this key action.",
	"activity":          "Only mobilities of this activity.",
	"call_year":         "Only those of this call year.",
	"code":              "The kind of error.",
	"field":             "Only those of this field of education and training.",
	"include_cancelled": "Also list cancelled mobilities (true or false; default false).",
	"org":               "Only those of this organisation (E and 8 digits).",
	"participant_id":    "Only the mobilities of this participant.",
	"project_id":        "Only those of this project.",
	"receiving_country": "Only mobilities to this country (ISO 3166-1 alpha-2).",
	"sending_country":   "Only mobilities from this country (ISO 3166-1 alpha-2).",
	"status":            "Only those in this status.",
	"year":              "Only those of this year.",
	"country":           "Only those of this country (ISO 3166-1 alpha-2).",
	"cursor":            "next_cursor of the previous page.",
	"overdue":           "Only those with an overdue deadline or instalment (true or false).",
	"round":             "The call round (1 or 2).",
	"accreditation_id":  "The accreditation the form is about.",
}
