package catalog

// Activity is one KA1 mobility activity type of docs/rules.md section 3, named
// by its Beneficiary Module code.
type Activity struct {
	// Code is the Beneficiary Module activity code, e.g. "LM-LONG-VET".
	Code string `json:"code"`
	// Rule is the rule ID of docs/rules.md that defines the activity.
	Rule string `json:"rule"`
	// Name is the activity's name in English.
	Name string `json:"name"`
	// MinDays and MaxDays bound the duration, travel days excluded. Both
	// are 0 when the rules set no duration (preparatory visits).
	MinDays int `json:"min_days"`
	MaxDays int `json:"max_days"` // 0: no duration rule
	// Staff, Learner, Pupil and Adult tell who takes part: staff
	// (including invited experts and hosted teachers), VET learners,
	// pupils or adult learners.
	Staff   bool `json:"staff"`
	Learner bool `json:"learner"` // VET learners
	Pupil   bool `json:"pupil"`   // school pupils
	Adult   bool `json:"adult"`   // adult learners
	// Group is set for group mobility (several participants travel together).
	Group bool `json:"group"`
	// CourseFeeMaxDays is the most course-fee days a mobility may claim;
	// 0 means the activity gets no course fees.
	CourseFeeMaxDays int `json:"course_fee_max_days"`
	// CountsTowardMax tells whether a mobility of this activity counts
	// toward the KA122 limit of mobilities (KA122-MAX-MOB). Accompanying
	// persons never count; that flag is on the mobility.
	CountsTowardMax bool `json:"counts_toward_max"`
}

// Bounded reports whether the rules set a duration for the activity.
func (a Activity) Bounded() bool { return a.MaxDays > 0 }

// The fields of education and training of KA121 and KA122 projects
// (ACTION-FIELD); the same strings as the project's field.
const (
	FieldVET    = "vet"
	FieldSchool = "school"
	FieldAdult  = "adult"
)

// Field returns the only field whose projects may hold the activity
// (ACTION-FIELD): VET learner activities belong to VET, pupil activities
// to school education, adult-learner activities to adult education. It is
// "" for staff activities, which every field allows.
func (a Activity) Field() string {
	switch {
	case a.Learner:
		return FieldVET
	case a.Pupil:
		return FieldSchool
	case a.Adult:
		return FieldAdult
	}
	return ""
}

// FitsField reports whether a KA121 or KA122 project of field may hold
// the activity (ACTION-FIELD).
func (a Activity) FitsField(field string) bool {
	f := a.Field()
	return f == "" || f == field
}

// entry is an Activity with the short label used in messages.
type entry struct {
	Activity
	label string
}

// activities is the catalogue, in the order of docs/rules.md section 3, then the
// 2014-2020 legacy activity.
var activities = []entry{
	{Activity{Code: CodeJobShadowing, Rule: "ACT-JOB-SHADOW", Name: "Staff job shadowing", MinDays: 2, MaxDays: 60, Staff: true, CountsTowardMax: true}, "Job shadowing"},
	{Activity{Code: CodeTeaching, Rule: "ACT-TEACHING", Name: "Staff teaching or training assignment", MinDays: 2, MaxDays: 365, Staff: true, CountsTowardMax: true}, "A teaching or training assignment"},
	{Activity{Code: CodeCourse, Rule: "ACT-COURSE", Name: "Staff courses and training", MinDays: 2, MaxDays: 30, Staff: true, CourseFeeMaxDays: 10, CountsTowardMax: true}, "A course or training"},
	{Activity{Code: CodeSkillsCompetition, Rule: "ACT-SKILLS-COMP", Name: "Learner participation in skills competitions", MinDays: 1, MaxDays: 10, Learner: true, CountsTowardMax: true}, "Participation in a skills competition"},
	{Activity{Code: CodeVETShort, Rule: "ACT-VET-SHORT", Name: "Short-term learning mobility of VET learners", MinDays: 10, MaxDays: 89, Learner: true, CountsTowardMax: true}, "Short-term learning mobility of VET learners"},
	{Activity{Code: CodeErasmusPro, Rule: "ACT-ERASMUSPRO", Name: "Long-term learning mobility of VET learners (ErasmusPro)", MinDays: 90, MaxDays: 365, Learner: true, CountsTowardMax: true}, "ErasmusPro"},
	{Activity{Code: CodeInvitedExpert, Rule: "ACT-INVITED-EXPERT", Name: "Invited expert", MinDays: 2, MaxDays: 60, Staff: true, CountsTowardMax: true}, "An invited expert's visit"},
	{Activity{Code: CodeHostingTeacher, Rule: "ACT-HOSTING-TEACHER", Name: "Hosting teachers and educators in training", MinDays: 10, MaxDays: 365, Staff: true, CountsTowardMax: true}, "Hosting a teacher or educator in training"},
	{Activity{Code: CodePrepVisit, Rule: "ACT-PREP-VISIT", Name: "Preparatory visit", Staff: true}, "A preparatory visit"},
	{Activity{Code: CodePupilGroup, Rule: "ACT-PUPIL-GROUP", Name: "Group mobility of pupils", MinDays: 2, MaxDays: 30, Pupil: true, Group: true, CountsTowardMax: true}, "Group mobility of pupils"},
	{Activity{Code: CodePupilShort, Rule: "ACT-PUPIL-SHORT", Name: "Short-term individual pupil mobility", MinDays: 10, MaxDays: 29, Pupil: true, CountsTowardMax: true}, "Short-term individual pupil mobility"},
	{Activity{Code: CodePupilLong, Rule: "ACT-PUPIL-LONG", Name: "Long-term individual pupil mobility", MinDays: 30, MaxDays: 365, Pupil: true, CountsTowardMax: true}, "Long-term individual pupil mobility"},
	{Activity{Code: CodeAdultGroup, Rule: "ACT-ADULT-GROUP", Name: "Group mobility of adult learners", MinDays: 2, MaxDays: 30, Adult: true, Group: true, CountsTowardMax: true}, "Group mobility of adult learners"},
	{Activity{Code: CodeAdultShort, Rule: "ACT-ADULT-SHORT", Name: "Short-term learning mobility of adult learners", MinDays: 10, MaxDays: 30, Adult: true, CountsTowardMax: true}, "Short-term learning mobility of adult learners"},
	{Activity{Code: CodeKA202StaffEvent, Rule: "KA202-SP", Name: "Short-term joint staff training event (KA202 strategic partnership, 2014-2020)", MinDays: 3, MaxDays: 60, Staff: true, Group: true, CountsTowardMax: true}, "A KA202 short-term joint staff training event"},
}

// The Beneficiary Module activity codes.
const (
	CodeJobShadowing      = "SM-JOB-SHDW"
	CodeTeaching          = "SM-TTA"
	CodeCourse            = "SM-COUR-TRAIN"
	CodeSkillsCompetition = "LM-SKILL-VET"
	CodeVETShort          = "LM-SHORT-VET"
	CodeErasmusPro        = "LM-LONG-VET"
	CodeInvitedExpert     = "OA-INV-EXP"
	CodeHostingTeacher    = "OA-HOS-TTT"
	CodePrepVisit         = "OA-PREP-VISIT"
	CodePupilGroup        = "LM-GRP-PUPIL"
	CodePupilShort        = "LM-SHORT-PUPIL"
	CodePupilLong         = "LM-LONG-PUPILS"
	// CodeAdultGroup and CodeAdultShort are the adult-learner activities
	// (ACT-ADULT-GROUP, ACT-ADULT-SHORT); the rulebook marks them
	// unconfirmed, and the codes follow the Beneficiary Module's pattern
	// for pupils until the national office confirms them.
	CodeAdultGroup = "LM-GRP-ADU"
	CodeAdultShort = "LM-SHORT-ADU"
	// CodeKA202StaffEvent is the Mobility Tool+ code (C3) of a short-term
	// joint staff training event in a 2014-2020 KA202 strategic partnership.
	CodeKA202StaffEvent = "C3"
)

// byCode indexes the catalogue.
var byCode = func() map[string]int {
	m := make(map[string]int, len(activities))
	for i, e := range activities {
		m[e.Code] = i
	}
	return m
}()

// ActivityByCode returns the activity with Beneficiary Module code code
// (upper-cased and trimmed first).
func ActivityByCode(code string) (Activity, bool) {
	e, ok := lookup(code)
	return e.Activity, ok
}

func lookup(code string) (entry, bool) {
	i, ok := byCode[normaliseCode(code)]
	if !ok {
		return entry{}, false
	}
	return activities[i], true
}

// Activities returns every activity, in catalogue order. The slice is a
// copy the caller may keep.
func Activities() []Activity {
	out := make([]Activity, len(activities))
	for i, e := range activities {
		out[i] = e.Activity
	}
	return out
}

// Codes returns every activity code, in catalogue order.
func Codes() []string {
	out := make([]string, len(activities))
	for i, e := range activities {
		out[i] = e.Code
	}
	return out
}
