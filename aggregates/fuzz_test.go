package aggregates

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// FuzzReportMobility feeds arbitrary request bodies through the API's
// strict decoding and Decide: nothing panics, every refusal is an
// *apperr.Error, and an accepted report never breaks the grant cap.
func FuzzReportMobility(f *testing.F) {
	for _, m := range []Mobility{jobShadow("M1"), uaPupil(), mobilityOf("OA-PREP-VISIT", 2)} {
		b, _ := json.Marshal(ReportMobility{ProjectID: testProject, Mobility: m})
		f.Add(b)
	}
	f.Add([]byte(`{"project_id":"` + testProject + `","mobility_id":"X","distance_km":0,"origin":{"lat":1},"destination":null}`))
	state := fold(ka122(uaApplied(testProject)...)...)
	d := testDomain()
	ctx := officeAt("2023-01-01")
	f.Fuzz(func(t *testing.T, body []byte) {
		var c ReportMobility
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return
		}
		evs, err := d.Decide(ctx, state, c)
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code == apperr.Internal {
				t.Fatalf("refusal is not a domain error: %v", err)
			}
			return
		}
		ev := evs[0].(MobilityReported)
		if ev.Grant.TotalCents < 0 || state.Projects[testProject].ReportedCents+ev.Grant.TotalCents > state.Projects[testProject].AwardedCents {
			t.Fatalf("accepted report breaks the grant cap: %+v", ev.Grant)
		}
	})
}
