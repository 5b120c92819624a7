package api_test

import (
	"fmt"
	"sync"
	"testing"
)

// TestIfMatchLetsOneOfTwoConcurrentWritersWin: two officers record a
// payment on the same version at once; one succeeds, the other is told
// the precondition failed with the current version, and nothing is lost.
func TestIfMatchLetsOneOfTwoConcurrentWritersWin(t *testing.T) {
	s, _, office := runningProject(t)
	var wg sync.WaitGroup
	answers := make([]answer, 2)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = s.call(t, office, "POST", "/v1/projects/"+project+"/payments",
				map[string]any{"payment_id": fmt.Sprintf("PF%d", i), "kind": "pre-financing", "amount_cents": 100_000}, "If-Match", `"4"`)
		}()
	}
	wg.Wait()
	ok, failed := 0, 0
	for _, a := range answers {
		switch a.status {
		case 200:
			ok++
			if a.header.Get("ETag") != `"5"` {
				t.Errorf("winner's ETag %s", a.header.Get("ETag"))
			}
		case 412:
			failed++
			if p := a.problem(t); p.Version == nil || *p.Version != 5 {
				t.Errorf("loser's problem %+v", p)
			}
		default:
			t.Fatalf("status %d: %s", a.status, a.body)
		}
	}
	if ok != 1 || failed != 1 {
		t.Fatalf("%d succeeded and %d failed, want one each", ok, failed)
	}
	// Without If-Match both would have been recorded: the handler retries.
	a := s.must(t, 200, office, "POST", "/v1/projects/"+project+"/payments", map[string]any{"payment_id": "PF9", "kind": "pre-financing", "amount_cents": 100_000})
	if a.header.Get("ETag") != `"6"` {
		t.Fatalf("ETag %s", a.header.Get("ETag"))
	}
}
