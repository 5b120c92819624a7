package catalog

// Activity is one KA1 mobility activity type.
type Activity struct {
	Code, Rule, Name             string
	MinDays, MaxDays             int
	Staff, Learner, Pupil, Group bool
	CourseFeeMaxDays             int
	CountsTowardMax              bool
}

// ActivityByCode returns the activity with Beneficiary Module code code.
func ActivityByCode(code string) (Activity, bool) { return Activity{}, false }

// Activities returns every activity, in catalogue order.
func Activities() []Activity { return nil }

// ValidateDuration checks days against the activity's allowed range.
func ValidateDuration(code string, days int) error { return nil }

// ValidateUkraineActivity checks an activity under the Ukraine exception.
func ValidateUkraineActivity(code, category string, rightToStudy, preparatoryOffered bool, days int) error {
	return nil
}
