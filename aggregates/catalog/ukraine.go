package catalog

import (
	"fmt"
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// The participant categories of the Ukraine exception (004).
const (
	UkraineStaff         = "staff"
	UkraineInvitedExpert = "invited-expert"
	UkrainePupil         = "pupil"
)

// ukraineRange is one activity allowed under the Ukraine exception.
type ukraineRange struct {
	code     string
	label    string
	min, max int
}

// Allowed activities of the Ukraine exception as seed 004 lists them.
var (
	uaStaff = []ukraineRange{
		{CodeJobShadowing, "job shadowing", 2, 60},
		{CodeTeaching, "teaching", 2, 365},
		{CodeHostingTeacher, "hosting a teacher in training", 10, 365},
	}
	uaExpert = []ukraineRange{
		{CodeInvitedExpert, "an invited expert's visit", 2, 60},
	}
	uaPupilNoRight = []ukraineRange{
		{CodePupilLong, "long-term individual mobility", 30, 365},
		{CodePupilShort, "short-term individual mobility", 10, 29},
	}
	uaPupilNoPrep = []ukraineRange{
		{CodePupilLong, "long-term individual mobility", 30, 365},
		{CodePupilShort, "short-term individual mobility", 10, 29},
		{CodePupilGroup, "group mobility", 2, 30},
	}
)

// ValidateUkraineActivity checks a mobility under the Ukraine exception:
// the activity must be one the participant's category may do and last
// within its range (UA-STAFF-ACTS for categories "staff" and
// "invited-expert", UA-PUPIL-ACTS for "pupil"). rightToStudy and
// preparatoryOffered matter for pupils only: without a right to study a
// pupil may do long- or short-term individual mobility; with a right to
// study but no preparatory education offered also group mobility; with
// preparatory education offered the exception does not apply.
func ValidateUkraineActivity(code, category string, rightToStudy, preparatoryOffered bool, days int) error {
	if _, ok := lookup(code); !ok {
		return unknownActivity(code)
	}
	code = normaliseCode(code)
	var (
		rule    string
		allowed []ukraineRange
		who     string
	)
	switch strings.ToLower(strings.TrimSpace(category)) {
	case UkraineStaff:
		rule, allowed, who = "UA-STAFF-ACTS", uaStaff, "staff"
	case UkraineInvitedExpert:
		rule, allowed, who = "UA-STAFF-ACTS", uaExpert, "an invited expert"
	case UkrainePupil:
		rule = "UA-PUPIL-ACTS"
		switch {
		case !rightToStudy:
			allowed, who = uaPupilNoRight, "a pupil without a right to study"
		case !preparatoryOffered:
			allowed, who = uaPupilNoPrep, "a pupil with a right to study but no preparatory education offered"
		default:
			return apperr.Rule(rule, "the Ukraine exception covers pupils without a right to study, or with a right to study but no preparatory education offered; this pupil is offered preparatory education")
		}
	default:
		return apperr.InvalidField("category", "unknown participant category %q; allowed: %s, %s, %s",
			category, UkraineStaff, UkraineInvitedExpert, UkrainePupil)
	}
	for _, r := range allowed {
		if r.code != code {
			continue
		}
		if days < r.min || days > r.max {
			return apperr.Rule(rule, "under the Ukraine exception %s lasts %d to %d days; this mobility lasts %d",
				r.label, r.min, r.max, days)
		}
		return nil
	}
	return apperr.Rule(rule, "under the Ukraine exception %s may do %s; %s is not allowed", who, describe(allowed), code)
}

func describe(rs []ukraineRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s (%s, %d-%d days)", r.label, r.code, r.min, r.max)
	}
	return strings.Join(parts, ", ")
}
