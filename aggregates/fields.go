package aggregates

import (
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
)

// mobilityFields are the fields a KA121 or KA122 project belongs to
// (ACTION-FIELD).
func mobilityFields() []string { return []string{FieldVET, FieldSchool, FieldAdult} }

// fieldName names a field in messages.
func fieldName(field string) string {
	switch field {
	case FieldVET:
		return "vocational education and training"
	case FieldSchool:
		return "school education"
	case FieldAdult:
		return "adult education"
	}
	return field
}

// learnerActivities lists the learner activity codes of field, for messages.
func learnerActivities(field string) string {
	var codes []string
	for _, a := range catalog.Activities() {
		if a.Field() == field && a.Field() != "" {
			codes = append(codes, a.Code)
		}
	}
	if len(codes) == 0 {
		return "none"
	}
	return strings.Join(codes, ", ")
}
