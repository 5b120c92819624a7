package rates

import (
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever it accepts
// also computes a grant without panicking.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"data/2021.json", "data/2018.json", "data/2024.json"} {
		data, err := embedded.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"tables": [{"call_year": 2021}]}`))
	f.Add([]byte(`{"travel": {"bands": [{"min_km": 1, "max_km": 0, "standard_cents": 1}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data)
		if err != nil {
			return
		}
		for _, tab := range b.Tables() {
			for _, code := range tab.Activities {
				_, _ = tab.Calculate(mob(code, 5, "FI", 500))
			}
		}
	})
}
