package aggregates

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestDateJSONAsBefore: a date is written and read as json.Marshal and
// json.Unmarshal of its string did, the same bytes, values and errors, so
// that fingerprints and stored events stay the same.
func TestDateJSONAsBefore(t *testing.T) {
	for _, d := range []Date{MustDate("2022-09-05"), MustDate("1900-01-01"), MustDate("2100-12-31"),
		{t: time.Date(12345, 1, 2, 0, 0, 0, 0, time.UTC)}, {t: time.Date(-5, 1, 2, 0, 0, 0, 0, time.UTC)}} {
		got, _ := d.MarshalJSON()
		want, _ := json.Marshal(d.String())
		if string(got) != string(want) {
			t.Errorf("MarshalJSON(%s) = %s, want %s", d, got, want)
		}
	}
	before := func(b []byte) (Date, error) {
		if string(b) == "null" {
			return Date{}, nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return Date{}, fmt.Errorf("a date must be a string of the form YYYY-MM-DD")
		}
		if s == "" {
			return Date{}, nil
		}
		return ParseDate(s)
	}
	for _, raw := range []string{`"2022-09-05"`, `""`, `null`, `"2022-02-30"`, `"2022-9-5"`, `"x"`, `"2022\u002d09-05"`,
		`"2022-09-05 "`, "\"2022-09-0\x015\"", `"Ä"`, `"`, `1`, `"a"b"`} {
		var got Date
		gerr := got.UnmarshalJSON([]byte(raw))
		want, werr := before([]byte(raw))
		if fmt.Sprint(gerr) != fmt.Sprint(werr) || got != want {
			t.Errorf("UnmarshalJSON(%s) = %v, %v; want %v, %v", raw, got, gerr, want, werr)
		}
	}
}
