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

// The activities of the Ukraine exception that seed 004 lists "by way of
// example" (esimerkiksi): they are accepted as they are; another KA1
// activity needs the national office's acceptance for the project, case by
// case (ValidateUkraineCategory then checks the participant may do it).
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
	return apperr.Rule(rule, "under the Ukraine exception %s may do, by way of example, %s; %s is not one of the examples, and another KA1 activity needs the national office's acceptance for the project (extra_activities of its decision)", who, describe(allowed), code)
}

// ValidateUkraineCategory checks a mobility under the Ukraine exception of
// an activity that is not one of the examples of seed 004 but that the
// national office accepted for the project, case by case: the general rules
// of the activity apply (its duration is checked by ValidateDuration), and
// the activity must suit the participant's category: a staff activity for
// staff and invited experts (UA-STAFF-ACTS), a learner activity for a
// pupil, who must not be offered preparatory education (UA-PUPIL-ACTS).
func ValidateUkraineCategory(code, category string, rightToStudy, preparatoryOffered bool) error {
	e, ok := lookup(code)
	if !ok {
		return unknownActivity(code)
	}
	switch strings.ToLower(strings.TrimSpace(category)) {
	case UkraineStaff, UkraineInvitedExpert:
		if !e.Staff {
			return apperr.Rule("UA-STAFF-ACTS", "under the Ukraine exception staff and invited experts do staff activities; %s (%s) is a learner activity", e.Code, e.Name)
		}
	case UkrainePupil:
		if rightToStudy && preparatoryOffered {
			return apperr.Rule("UA-PUPIL-ACTS", "the Ukraine exception covers pupils without a right to study, or with a right to study but no preparatory education offered; this pupil is offered preparatory education")
		}
		if e.Staff {
			return apperr.Rule("UA-PUPIL-ACTS", "under the Ukraine exception a pupil does learner activities; %s (%s) is a staff activity", e.Code, e.Name)
		}
	default:
		return apperr.InvalidField("category", "unknown participant category %q; allowed: %s, %s, %s",
			category, UkraineStaff, UkraineInvitedExpert, UkrainePupil)
	}
	return nil
}

func describe(rs []ukraineRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s (%s, %d-%d days)", r.label, r.code, r.min, r.max)
	}
	return strings.Join(parts, ", ")
}
