package catalog

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// durationCases prove the ACT-* duration ranges at their boundaries.
var durationCases = []struct {
	name string
	code string
	days int
	rule string // "" = allowed
}{
	{"ACT-JOB-SHADOW/1 day refused", CodeJobShadowing, 1, "ACT-JOB-SHADOW"},
	{"ACT-JOB-SHADOW/2 days allowed", CodeJobShadowing, 2, ""},
	{"ACT-JOB-SHADOW/60 days allowed", CodeJobShadowing, 60, ""},
	{"ACT-JOB-SHADOW/61 days refused", CodeJobShadowing, 61, "ACT-JOB-SHADOW"},
	{"ACT-TEACHING/1 day refused", CodeTeaching, 1, "ACT-TEACHING"},
	{"ACT-TEACHING/365 days allowed", CodeTeaching, 365, ""},
	{"ACT-TEACHING/366 days refused", CodeTeaching, 366, "ACT-TEACHING"},
	{"ACT-COURSE/2 days allowed", CodeCourse, 2, ""},
	{"ACT-COURSE/30 days allowed", CodeCourse, 30, ""},
	{"ACT-COURSE/31 days refused", CodeCourse, 31, "ACT-COURSE"},
	{"ACT-SKILLS-COMP/0 days refused", CodeSkillsCompetition, 0, "ACT-SKILLS-COMP"},
	{"ACT-SKILLS-COMP/1 day allowed", CodeSkillsCompetition, 1, ""},
	{"ACT-SKILLS-COMP/10 days allowed", CodeSkillsCompetition, 10, ""},
	{"ACT-SKILLS-COMP/11 days refused", CodeSkillsCompetition, 11, "ACT-SKILLS-COMP"},
	{"ACT-VET-SHORT/9 days refused", CodeVETShort, 9, "ACT-VET-SHORT"},
	{"ACT-VET-SHORT/10 days allowed", CodeVETShort, 10, ""},
	{"ACT-VET-SHORT/89 days allowed", CodeVETShort, 89, ""},
	{"ACT-VET-SHORT/90 days refused", CodeVETShort, 90, "ACT-VET-SHORT"},
	{"ACT-ERASMUSPRO/89 days refused", CodeErasmusPro, 89, "ACT-ERASMUSPRO"},
	{"ACT-ERASMUSPRO/90 days allowed", CodeErasmusPro, 90, ""},
	{"ACT-ERASMUSPRO/365 days allowed", CodeErasmusPro, 365, ""},
	{"ACT-ERASMUSPRO/366 days refused", CodeErasmusPro, 366, "ACT-ERASMUSPRO"},
	{"ACT-INVITED-EXPERT/1 day refused", CodeInvitedExpert, 1, "ACT-INVITED-EXPERT"},
	{"ACT-INVITED-EXPERT/60 days allowed", CodeInvitedExpert, 60, ""},
	{"ACT-INVITED-EXPERT/61 days refused", CodeInvitedExpert, 61, "ACT-INVITED-EXPERT"},
	{"ACT-HOSTING-TEACHER/9 days refused", CodeHostingTeacher, 9, "ACT-HOSTING-TEACHER"},
	{"ACT-HOSTING-TEACHER/10 days allowed", CodeHostingTeacher, 10, ""},
	{"ACT-HOSTING-TEACHER/366 days refused", CodeHostingTeacher, 366, "ACT-HOSTING-TEACHER"},
	{"ACT-PREP-VISIT/1 day allowed (no duration rule)", CodePrepVisit, 1, ""},
	{"ACT-PREP-VISIT/0 days refused", CodePrepVisit, 0, "ACT-PREP-VISIT"},
	{"ACT-PUPIL-GROUP/1 day refused", CodePupilGroup, 1, "ACT-PUPIL-GROUP"},
	{"ACT-PUPIL-GROUP/2 days allowed", CodePupilGroup, 2, ""},
	{"ACT-PUPIL-GROUP/30 days allowed", CodePupilGroup, 30, ""},
	{"ACT-PUPIL-GROUP/31 days refused", CodePupilGroup, 31, "ACT-PUPIL-GROUP"},
	{"ACT-PUPIL-SHORT/9 days refused", CodePupilShort, 9, "ACT-PUPIL-SHORT"},
	{"ACT-PUPIL-SHORT/29 days allowed", CodePupilShort, 29, ""},
	{"ACT-PUPIL-SHORT/30 days refused", CodePupilShort, 30, "ACT-PUPIL-SHORT"},
	{"ACT-PUPIL-LONG/29 days refused", CodePupilLong, 29, "ACT-PUPIL-LONG"},
	{"ACT-PUPIL-LONG/30 days allowed", CodePupilLong, 30, ""},
	{"ACT-PUPIL-LONG/365 days allowed", CodePupilLong, 365, ""},
	{"ACT-PUPIL-LONG/366 days refused", CodePupilLong, 366, "ACT-PUPIL-LONG"},
	{"ACT-ADULT-GROUP/1 day refused", CodeAdultGroup, 1, "ACT-ADULT-GROUP"},
	{"ACT-ADULT-GROUP/2 days allowed", CodeAdultGroup, 2, ""},
	{"ACT-ADULT-GROUP/30 days allowed", CodeAdultGroup, 30, ""},
	{"ACT-ADULT-GROUP/31 days refused", CodeAdultGroup, 31, "ACT-ADULT-GROUP"},
	{"ACT-ADULT-SHORT/9 days refused", CodeAdultShort, 9, "ACT-ADULT-SHORT"},
	{"ACT-ADULT-SHORT/10 days allowed", CodeAdultShort, 10, ""},
	{"ACT-ADULT-SHORT/30 days allowed", CodeAdultShort, 30, ""},
	{"ACT-ADULT-SHORT/31 days refused", CodeAdultShort, 31, "ACT-ADULT-SHORT"},
	{"KA202-SP/staff training event 2 days refused", CodeKA202StaffEvent, 2, "KA202-SP"},
	{"KA202-SP/staff training event 3 days allowed", CodeKA202StaffEvent, 3, ""},
	{"KA202-SP/staff training event 60 days allowed", CodeKA202StaffEvent, 60, ""},
	{"KA202-SP/staff training event 61 days refused", CodeKA202StaffEvent, 61, "KA202-SP"},
}

func TestValidateDuration(t *testing.T) {
	for _, tc := range durationCases {
		t.Run(tc.name, func(t *testing.T) {
			wantRule(t, ValidateDuration(tc.code, tc.days), tc.rule)
		})
	}
}

func TestValidateDurationMessage(t *testing.T) {
	err := ValidateDuration("LM-LONG-VET", 89)
	want := "rule ACT-ERASMUSPRO: ErasmusPro lasts 90 to 365 days; this mobility lasts 89 (travel days excluded)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestValidateDurationUnknownActivity(t *testing.T) {
	err := ValidateDuration("SM-NOPE", 5)
	e := apperr.As(err)
	if err == nil || e.Code != apperr.Invalid || e.Field != "activity" || !strings.Contains(e.Message, "SM-NOPE") {
		t.Fatalf("got %#v", err)
	}
}

// ukraineCases prove UA-STAFF-ACTS and UA-PUPIL-ACTS.
var ukraineCases = []struct {
	name               string
	code, category     string
	rightToStudy, prep bool
	days               int
	rule               string
}{
	{"UA-STAFF-ACTS/invited expert 60 days allowed", CodeInvitedExpert, UkraineInvitedExpert, false, false, 60, ""},
	{"UA-STAFF-ACTS/invited expert 61 days refused", CodeInvitedExpert, UkraineInvitedExpert, false, false, 61, "UA-STAFF-ACTS"},
	{"UA-STAFF-ACTS/invited expert 1 day refused", CodeInvitedExpert, UkraineInvitedExpert, false, false, 1, "UA-STAFF-ACTS"},
	{"UA-STAFF-ACTS/job shadowing 2 days allowed", CodeJobShadowing, UkraineStaff, false, false, 2, ""},
	{"UA-STAFF-ACTS/job shadowing 61 days refused", CodeJobShadowing, UkraineStaff, false, false, 61, "UA-STAFF-ACTS"},
	{"UA-STAFF-ACTS/teaching 365 days allowed", CodeTeaching, UkraineStaff, false, false, 365, ""},
	{"UA-STAFF-ACTS/teaching 366 days refused", CodeTeaching, UkraineStaff, false, false, 366, "UA-STAFF-ACTS"},
	{"UA-STAFF-ACTS/hosting teacher 9 days refused", CodeHostingTeacher, UkraineStaff, false, false, 9, "UA-STAFF-ACTS"},
	{"UA-STAFF-ACTS/hosting teacher 10 days allowed", CodeHostingTeacher, UkraineStaff, false, false, 10, ""},
	{"UA-STAFF-ACTS/staff course is not one of the examples", CodeCourse, UkraineStaff, false, false, 5, "UA-STAFF-ACTS"},
	{"UA-STAFF-ACTS/staff may not do pupil mobility", CodePupilShort, UkraineStaff, false, false, 15, "UA-STAFF-ACTS"},
	{"UA-PUPIL-ACTS/no right to study long-term 30 days allowed", CodePupilLong, UkrainePupil, false, false, 30, ""},
	{"UA-PUPIL-ACTS/no right to study long-term 29 days refused", CodePupilLong, UkrainePupil, false, false, 29, "UA-PUPIL-ACTS"},
	{"UA-PUPIL-ACTS/no right to study short-term 10 days allowed", CodePupilShort, UkrainePupil, false, false, 10, ""},
	{"UA-PUPIL-ACTS/no right to study short-term 30 days refused", CodePupilShort, UkrainePupil, false, false, 30, "UA-PUPIL-ACTS"},
	{"UA-PUPIL-ACTS/no right to study group mobility refused", CodePupilGroup, UkrainePupil, false, false, 10, "UA-PUPIL-ACTS"},
	{"UA-PUPIL-ACTS/right to study no prep group 30 days allowed", CodePupilGroup, UkrainePupil, true, false, 30, ""},
	{"UA-PUPIL-ACTS/right to study no prep group 31 days refused", CodePupilGroup, UkrainePupil, true, false, 31, "UA-PUPIL-ACTS"},
	{"UA-PUPIL-ACTS/right to study no prep short-term allowed", CodePupilShort, UkrainePupil, true, false, 29, ""},
	{"UA-PUPIL-ACTS/right to study with prep offered refused", CodePupilShort, UkrainePupil, true, true, 20, "UA-PUPIL-ACTS"},
	{"UA-PUPIL-ACTS/pupil may not do VET mobility", CodeVETShort, UkrainePupil, false, false, 20, "UA-PUPIL-ACTS"},
}

func TestValidateUkraineActivity(t *testing.T) {
	for _, tc := range ukraineCases {
		t.Run(tc.name, func(t *testing.T) {
			wantRule(t, ValidateUkraineActivity(tc.code, tc.category, tc.rightToStudy, tc.prep, tc.days), tc.rule)
		})
	}
}

func TestValidateUkraineActivityInvalid(t *testing.T) {
	e := apperr.As(ValidateUkraineActivity(CodeTeaching, "tourist", false, false, 5))
	if e.Code != apperr.Invalid || e.Field != "category" {
		t.Fatalf("unknown category: got %#v", e)
	}
	e = apperr.As(ValidateUkraineActivity("XX", UkraineStaff, false, false, 5))
	if e.Code != apperr.Invalid || e.Field != "activity" {
		t.Fatalf("unknown activity: got %#v", e)
	}
	msg := ValidateUkraineActivity(CodePupilGroup, UkrainePupil, false, false, 10).Error()
	if !strings.Contains(msg, "LM-SHORT-PUPIL") || !strings.Contains(msg, "LM-GRP-PUPIL is not one of the examples") {
		t.Fatalf("message does not say what is allowed: %s", msg)
	}
}

// countryCases prove CTRY-PROGRAMME and CTRY-UK.
var countryCases = []struct {
	name      string
	country   string
	year      int
	programme bool
}{
	{"CTRY-PROGRAMME/FI is a programme country", "FI", 2021, true},
	{"CTRY-PROGRAMME/GR alias of EL", "gr", 2022, true},
	{"CTRY-PROGRAMME/EL", " el ", 2022, true},
	{"CTRY-PROGRAMME/RS associated", "RS", 2021, true},
	{"CTRY-PROGRAMME/TR associated", "TR", 2025, true},
	{"CTRY-PROGRAMME/MK associated", "MK", 2021, true},
	{"CTRY-PROGRAMME/LI associated", "LI", 2021, true},
	{"CTRY-PROGRAMME/CH partner country", "CH", 2021, false},
	{"CTRY-PROGRAMME/UA partner country", "UA", 2022, false},
	{"CTRY-PROGRAMME/unknown code", "ZZ", 2022, false},
	{"CTRY-UK/2020 programme", "UK", 2020, true},
	{"CTRY-UK/2020 programme as GB", "GB", 2020, true},
	{"CTRY-UK/2021 partner", "UK", 2021, false},
	{"CTRY-UK/2014 programme", "UK", 2014, true},
}

func TestIsProgrammeCountry(t *testing.T) {
	for _, tc := range countryCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsProgrammeCountry(tc.country, tc.year); got != tc.programme {
				t.Fatalf("IsProgrammeCountry(%q, %d) = %v", tc.country, tc.year, got)
			}
		})
	}
	if n := len(ProgrammeCountries(2021)); n != 33 {
		t.Fatalf("2021 has %d programme countries, want 33", n)
	}
	if n := len(ProgrammeCountries(2020)); n != 34 {
		t.Fatalf("2020 has %d programme countries, want 34", n)
	}
}

func TestCountryCodes(t *testing.T) {
	if n := len(strings.Fields(iso3166)); n != 249 {
		t.Fatalf("ISO 3166-1 has 249 codes, table has %d", n)
	}
	for _, c := range []string{"FI", "fi", "GR", "EL", "XK", "UK", "GB", "UA", "US"} {
		if !KnownCountry(c) {
			t.Errorf("KnownCountry(%q) = false", c)
		}
	}
	for _, c := range []string{"", "F", "FIN", "ZZ", "EU"} {
		if KnownCountry(c) {
			t.Errorf("KnownCountry(%q) = true", c)
		}
	}
	for in, want := range map[string]string{" gr ": "EL", "gb": "UK", "fi": "FI", "El": "EL"} {
		if got := NormaliseCountry(in); got != want {
			t.Errorf("NormaliseCountry(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range ProgrammeCountries(2020) {
		if !KnownCountry(c) {
			t.Errorf("programme country %s unknown", c)
		}
	}
}

func TestDays(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	helsinki := time.FixedZone("EET", 2*3600)
	cases := []struct {
		name       string
		start, end time.Time
		want       int
	}{
		{"same day is 1", d("2024-03-01"), d("2024-03-01"), 1},
		{"1 to 3 March is 3", d("2024-03-01"), d("2024-03-03"), 3},
		{"leap February", d("2024-02-01"), d("2024-02-29"), 29},
		{"whole year 2023", d("2023-01-01"), d("2023-12-31"), 365},
		{"across DST change", time.Date(2024, 3, 30, 0, 0, 0, 0, helsinki), time.Date(2024, 4, 2, 23, 0, 0, 0, helsinki), 4},
		{"end before start", d("2024-03-02"), d("2024-03-01"), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Days(tc.start, tc.end); got != tc.want {
				t.Fatalf("Days = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestActivities(t *testing.T) {
	acts := Activities()
	if len(acts) != len(activities) {
		t.Fatal("Activities length")
	}
	acts[0].Code = "changed"
	if a, _ := ActivityByCode(CodeJobShadowing); a.Code != CodeJobShadowing {
		t.Fatal("Activities must return a copy")
	}
	a, ok := ActivityByCode(" sm-cour-train ")
	if !ok || a.CourseFeeMaxDays != 10 || a.Rule != "ACT-COURSE" {
		t.Fatalf("course: %+v %v", a, ok)
	}
	prep, _ := ActivityByCode(CodePrepVisit)
	if prep.CountsTowardMax || prep.Bounded() {
		t.Fatalf("ACT-PREP-VISIT must not count toward KA122-MAX-MOB: %+v", prep)
	}
	for _, a := range acts {
		n := 0
		for _, b := range []bool{a.Staff, a.Learner, a.Pupil, a.Adult} {
			if b {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s must be exactly one of staff, learner, pupil, adult", a.Code)
		}
	}
}

// TestRuleIDsCovered checks that every rule ID the package claims has at
// least one test case named after it.
func TestRuleIDsCovered(t *testing.T) {
	var names []string
	for _, c := range durationCases {
		names = append(names, c.name)
	}
	for _, c := range ukraineCases {
		names = append(names, c.name)
	}
	for _, c := range countryCases {
		names = append(names, c.name)
	}
	for _, id := range RuleIDs() {
		found := false
		for _, n := range names {
			if strings.HasPrefix(n, id+"/") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("rule %s has no test case named after it", id)
		}
	}
}

func wantRule(t *testing.T, err error, rule string) {
	t.Helper()
	if rule == "" {
		if err != nil {
			t.Fatalf("want allowed, got %v", err)
		}
		return
	}
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("want rule %s violation, got %v", rule, err)
	}
	if e.Code != apperr.RuleViolation || e.Rule != rule {
		t.Fatalf("want rule %s violation, got code %s rule %s: %v", rule, e.Code, e.Rule, err)
	}
	if !strings.Contains(e.Message, "; ") {
		t.Fatalf("message should say what is allowed and what is wrong: %q", e.Message)
	}
}

// TestActivityFields proves ACTION-FIELD on the catalogue: staff activities
// fit every field, learner activities only their own.
func TestActivityFields(t *testing.T) {
	for _, c := range []struct {
		name, code, field string
		fits              bool
	}{
		{"ACTION-FIELD/staff job shadowing fits school education", CodeJobShadowing, FieldSchool, true},
		{"ACTION-FIELD/staff course fits adult education", CodeCourse, FieldAdult, true},
		{"ACTION-FIELD/VET learner mobility fits VET", CodeVETShort, FieldVET, true},
		{"ACTION-FIELD/VET learner mobility does not fit school education", CodeVETShort, FieldSchool, false},
		{"ACTION-FIELD/pupil mobility does not fit adult education", CodePupilShort, FieldAdult, false},
		{"ACTION-FIELD/pupil mobility fits school education", CodePupilGroup, FieldSchool, true},
		{"ACTION-FIELD/adult group mobility fits adult education", CodeAdultGroup, FieldAdult, true},
		{"ACTION-FIELD/adult short mobility does not fit VET", CodeAdultShort, FieldVET, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, ok := ActivityByCode(c.code)
			if !ok || a.FitsField(c.field) != c.fits {
				t.Fatalf("%s in %s: fits = %v, want %v", c.code, c.field, a.FitsField(c.field), c.fits)
			}
		})
	}
}

// TestValidateUkraineCategory proves UA-STAFF-ACTS and UA-PUPIL-ACTS for an
// activity the national office accepted beyond the examples: it must suit
// the participant's category, whatever its days.
func TestValidateUkraineCategory(t *testing.T) {
	for _, c := range []struct {
		name, code, category string
		rightToStudy, prep   bool
		rule                 string
	}{
		{"UA-STAFF-ACTS/accepted course for staff allowed", CodeCourse, UkraineStaff, false, false, ""},
		{"UA-STAFF-ACTS/accepted pupil activity for staff refused", CodePupilShort, UkraineStaff, false, false, "UA-STAFF-ACTS"},
		{"UA-STAFF-ACTS/accepted teaching for an invited expert allowed", CodeTeaching, UkraineInvitedExpert, false, false, ""},
		{"UA-PUPIL-ACTS/accepted group mobility without a right to study allowed", CodePupilGroup, UkrainePupil, false, false, ""},
		{"UA-PUPIL-ACTS/accepted staff activity for a pupil refused", CodeJobShadowing, UkrainePupil, false, false, "UA-PUPIL-ACTS"},
		{"UA-PUPIL-ACTS/accepted activity for a pupil offered preparatory education refused", CodePupilGroup, UkrainePupil, true, true, "UA-PUPIL-ACTS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantRule(t, ValidateUkraineCategory(c.code, c.category, c.rightToStudy, c.prep), c.rule)
		})
	}
	if e := apperr.As(ValidateUkraineCategory(CodeCourse, "tourist", false, false)); e.Code != apperr.Invalid || e.Field != "category" {
		t.Fatalf("unknown category: got %#v", e)
	}
}
