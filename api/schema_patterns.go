package api

import (
	"strconv"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// The forms of the IDs the commands check (aggregates/validate.go): an
// organisation ID is E and 8 digits (aggregates.ValidOID); every other ID
// is a token of the event subjects (events.ValidToken). A test checks
// these patterns against the validators.
var (
	oidPattern   = `^E[0-9]{8}$`
	tokenPattern = `^[A-Za-z0-9_-]{1,` + strconv.Itoa(events.MaxTokenLen) + `}$`
	// optionalTokenPattern also allows the empty text of an optional ID
	// sent as "" (group_id: no group).
	optionalTokenPattern = `^[A-Za-z0-9_-]{0,` + strconv.Itoa(events.MaxTokenLen) + `}$`
)

// idPatterns give the pattern of an ID field by its JSON name (and of a
// path parameter by its name, see pathParamPatterns).
var idPatterns = map[string]string{
	"oid":              oidPattern,
	"member_oid":       oidPattern,
	"sending_oid":      oidPattern,
	"project_id":       tokenPattern,
	"mobility_id":      tokenPattern,
	"participant_id":   tokenPattern,
	"accreditation_id": tokenPattern,
	"amendment_id":     tokenPattern,
	"payment_id":       tokenPattern,
	"instalment_id":    tokenPattern,
	"report_id":        tokenPattern,
	"request_id":       tokenPattern,
	"group_id":         optionalTokenPattern,
}

// pathParamPatterns give the pattern of a path parameter.
var pathParamPatterns = map[string]string{
	"id":     tokenPattern,
	"oid":    oidPattern,
	"aid":    tokenPattern,
	"mid":    tokenPattern,
	"pid":    tokenPattern,
	"member": oidPattern,
	"rid":    tokenPattern,
}

// addPattern sets the pattern of the ID field json on its string schema.
func addPattern(target map[string]any, json string) {
	if p, ok := idPatterns[json]; ok && target["type"] == "string" {
		target["pattern"] = p
	}
}

// validID tells whether the validators of the domain accept s as an ID
// of the given pattern (for the test that keeps them in step).
func validID(pattern, s string) bool {
	switch pattern {
	case oidPattern:
		return aggregates.ValidOID(s)
	case tokenPattern:
		return events.ValidToken(s)
	case optionalTokenPattern:
		return s == "" || events.ValidToken(s)
	}
	return false
}
