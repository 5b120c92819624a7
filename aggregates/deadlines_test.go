package aggregates

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events/apperr"
)

func TestDeadlineAtIsNoonInBrussels(t *testing.T) {
	winter := Deadline{Day: MustDate("2022-02-23")}.At()
	summer := Deadline{Day: MustDate("2021-05-11")}.At()
	if !winter.Equal(time.Date(2022, 2, 23, 11, 0, 0, 0, time.UTC)) || !summer.Equal(time.Date(2021, 5, 11, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("12:00 Brussels is %s (CET) and %s (CEST)", winter.UTC(), summer.UTC())
	}
}

func TestDefaultDeadlinesParse(t *testing.T) {
	b, err := json.Marshal(DefaultDeadlines())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseDeadlines(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseDeadlines([]byte(`[{"call_year":2027,"round":2,"actions":["KA122"],"fields":["vet"],"day":"2027-10-01"},{"call_year":2027,"round":2,"actions":["KA122"],"fields":["adult"],"day":"2027-10-02"}]`)); err != nil {
		t.Errorf("CALL-DEADLINE: one round on different days in different fields refused: %v", err)
	}
	if len(got) != len(DefaultDeadlines()) {
		t.Fatalf("%d deadlines back, want %d", len(got), len(DefaultDeadlines()))
	}
	for _, bad := range []struct{ body, field string }{
		{`[{"call_year":2027,"round":1,"actions":["KA999"],"day":"2027-02-18"}]`, "[0].actions[0]"},
		{`[{"call_year":2027,"round":0,"actions":["KA122"],"day":"2027-02-18"}]`, "[0].round"},
		{`[{"call_year":2027,"round":1,"actions":["KA122"]}]`, "[0].day"},
		{`[{"call_year":2027,"round":1,"actions":["KA122"],"day":"2027-02-18"},{"call_year":2027,"round":1,"actions":["KA122"],"day":"2027-03-18"}]`, "[1].actions[0]"},
		{`[{"call_year":2027,"round":2,"actions":["KA122"],"fields":["vet"],"day":"2027-10-01"},{"call_year":2027,"round":2,"actions":["KA122"],"day":"2027-10-02"}]`, "[1].actions[0]"},
		{`[{"call_year":2027,"round":2,"actions":["KA122"],"fields":["music"],"day":"2027-10-01"}]`, "[0].fields[0]"},
	} {
		_, err := ParseDeadlines([]byte(bad.body))
		if e := apperr.As(err); err == nil || e.Field != bad.field {
			t.Errorf("%s: got %v, want field %s", bad.body, err, bad.field)
		}
	}
}

// TestPolicyDeadlinesOverride checks a national office's table replaces
// the default one.
func TestPolicyDeadlinesOverride(t *testing.T) {
	table, err := ParseDeadlines([]byte(`[{"call_year":2027,"round":1,"actions":["KA122"],"day":"2027-02-18"}]`))
	if err != nil {
		t.Fatal(err)
	}
	d := &Domain{Rates: testBook, Policy: Policy{Deadlines: table}}
	cmd := with(submitKA122("P27", 1), func(s *SubmitApplication) {
		s.CallYear, s.StartDate, s.EndDate = 2027, MustDate("2027-06-01"), MustDate("2028-05-31")
	})
	if _, err := d.Decide(officeAt("2027-02-18T10:59:00Z"), fold(registered()...), cmd); err != nil {
		t.Fatalf("before the overridden deadline: %v", err)
	}
	if _, err := d.Decide(officeAt("2027-02-18T11:01:00Z"), fold(registered()...), cmd); err == nil {
		t.Fatal("after the overridden deadline: accepted")
	}
	if _, err := testDomain().Decide(officeAt("2027-02-01"), fold(registered()...), cmd); err == nil {
		t.Fatal("the default table has no 2027 round, yet it was accepted")
	}
}
