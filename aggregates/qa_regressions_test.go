package aggregates

import (
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events/apperr"
)

func TestParseDateSaysWhenADateDoesNotExist(t *testing.T) {
	if _, err := ParseDate("2020-02-30"); err == nil || !strings.Contains(err.Error(), "not a calendar date") {
		t.Fatalf("2020-02-30: %v", err)
	}
	if _, err := ParseDate("2020-2-3"); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Fatalf("2020-2-3: %v", err)
	}
	if _, err := ParseDate("2024-02-29"); err != nil {
		t.Fatalf("leap day: %v", err)
	}
}

func TestDuplicateIDsNameTheirField(t *testing.T) {
	given := fold(cat(registered(), []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-05-31", 6_000_000)})...)
	_, err := testDomain().Decide(officeAt("2022-02-01"), given, SubmitApplication{
		ProjectID: testProject, OID: testOrg, Action: ActionKA122, Field: FieldSchool, CallYear: 2022, Round: 1,
		StartDate: MustDate("2022-06-01"), EndDate: MustDate("2023-05-31"), RequestedCents: 6_000_000,
	})
	if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Field != "project_id" {
		t.Fatalf("a project submitted twice: %v, want a conflict on project_id", err)
	}
}
