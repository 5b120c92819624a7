package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/projections"
)

// raceAnswer is one answer of a round, with the body that was sent.
type raceAnswer struct {
	answer
	id string // the mobility or organisation the body named
}

// race sends n requests at once with one idempotency key; body(i) is the
// i-th body, naming id(i).
func race(t *testing.T, s *system, token, path, key string, n int, body func(i int) (map[string]any, string)) []raceAnswer {
	t.Helper()
	out := make([]raceAnswer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range out {
		b, id := body(i)
		out[i].id = id
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i].answer = s.call(t, token, "POST", path, b, api.HeaderIdempotencyKey, key)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// idOf returns the mobility ID (field "mobility") or the organisation ID
// (field "oid") an event's payload names.
func idOf(t *testing.T, payload []byte, field string) string {
	t.Helper()
	var p struct {
		OID      string `json:"oid"`
		Mobility struct {
			ID string `json:"mobility_id"`
		} `json:"mobility"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatal(err)
	}
	if field == "mobility" {
		return p.Mobility.ID
	}
	return p.OID
}

// winnerOf checks a round: exactly one request succeeded with status ok,
// its answer shows the events written for its own body and is not a
// replay; every other request was refused as a reuse of the key (422,
// field Idempotency-Key). It returns the winner.
func winnerOf(t *testing.T, round int, answers []raceAnswer, ok int, field string) (raceAnswer, api.CommandResponse) {
	t.Helper()
	var win raceAnswer
	var res api.CommandResponse
	wins := 0
	for _, a := range answers {
		switch a.status {
		case ok:
			wins++
			win = a
			a.json(t, &res)
			if res.Replayed || a.header.Get(api.HeaderReplayed) != "" {
				t.Errorf("round %d: the only write is answered as a replay: %s", round, a.body)
			}
			if len(res.Events) == 0 {
				t.Fatalf("round %d: a success without events: %s", round, a.body)
			}
			if got := idOf(t, res.Events[0].Payload, field); got != a.id {
				t.Errorf("round %d: the answer to the request for %s shows the write of %s", round, a.id, got)
			}
		case 422:
			var p api.Problem
			a.json(t, &p)
			if p.Field != api.HeaderIdempotencyKey {
				t.Errorf("round %d: refusal %+v, want the field %s", round, p, api.HeaderIdempotencyKey)
			}
		default:
			t.Errorf("round %d: request for %s answered %d (replayed %q): %s", round, a.id, a.status, a.header.Get(api.HeaderReplayed), a.body)
		}
	}
	if wins != 1 {
		t.Fatalf("round %d: %d requests succeeded, want exactly 1", round, wins)
	}
	return win, res
}

// TestIdempotencyKeyReusedInARaceNeverAnswersForAnotherWrite: 50 rounds of
// 10 concurrent requests with one Idempotency-Key and 10 different bodies,
// on the real HTTP server and embedded NATS. Even rounds report mobilities
// of one project (one organisation: the requests queue behind each other
// in the command handler); odd rounds register 10 different organisations
// (no common lock: only the record store's atomic claim decides). Exactly
// one write happens per key, only its own request is told it succeeded,
// and the stream and the read models hold that write and no other.
func TestIdempotencyKeyReusedInARaceNeverAnswersForAnotherWrite(t *testing.T) {
	s, own, office := runningProject(t)
	ctx := context.Background()
	const rounds, parallel = 50, 10
	mobilityWinners := map[string]uint64{} // mobility ID -> sequence
	orgWinners := map[string]uint64{}      // oid -> sequence
	var losers []string                    // oids never written
	var last uint64
	for round := range rounds {
		key := fmt.Sprintf("race-%d", round)
		if round%2 == 0 {
			answers := race(t, s, own, "/v1/projects/"+project+"/mobilities", key, parallel, func(i int) (map[string]any, string) {
				m := thirtyFirst()
				id := fmt.Sprintf("R%02d-%d", round, i)
				m["mobility_id"], m["participant_id"], m["start_date"], m["end_date"] = id, "P"+id, "2022-09-05", "2022-09-09"
				return m, id
			})
			win, res := winnerOf(t, round, answers, 201, "mobility")
			mobilityWinners[win.id] = res.Sequence
			last = max(last, res.Sequence)
			continue
		}
		answers := race(t, s, office, "/v1/organisations", key, parallel, func(i int) (map[string]any, string) {
			oid := fmt.Sprintf("E3%03d%04d", round, i)
			return map[string]any{"oid": oid, "legal_name": "Koulu " + oid, "country": "FI", "city": "Oulu", "kind": "school"}, oid
		})
		win, res := winnerOf(t, round, answers, 201, "oid")
		orgWinners[win.id] = res.Sequence
		last = max(last, res.Sequence)
		for _, a := range answers {
			if a.id != win.id {
				losers = append(losers, a.id)
			}
		}
	}

	// The stream: the school's mobilities are exactly the winners, each
	// written once, at the sequence its answer gave.
	envs, err := s.store.LoadOrg(ctx, school, 0)
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]uint64{}
	for _, e := range envs {
		if e.Type != "MobilityReported" {
			continue
		}
		id := idOf(t, e.Payload, "mobility")
		if _, twice := written[id]; twice {
			t.Errorf("mobility %s written twice", id)
		}
		written[id] = e.Sequence
	}
	if fmt.Sprint(written) != fmt.Sprint(mobilityWinners) {
		t.Errorf("mobilities in the stream %v,\nanswered as written %v", written, mobilityWinners)
	}
	for oid, seq := range orgWinners {
		envs, err := s.store.LoadOrg(ctx, oid, 0)
		if err != nil || len(envs) != 1 || envs[0].Sequence != seq {
			t.Errorf("organisation %s: %d events (%v), want the one at %d", oid, len(envs), err, seq)
		}
	}
	for _, oid := range losers {
		if envs, err := s.store.LoadOrg(ctx, oid, 0); err != nil || len(envs) != 0 {
			t.Errorf("organisation %s was never answered as written, but the stream has %d events (%v)", oid, len(envs), err)
		}
	}

	// The read models agree once they have caught up.
	wait := []string{api.HeaderMinSequence, strconv.FormatUint(last, 10)}
	var page projections.MobilityPage
	s.must(t, 200, own, "GET", "/v1/projects/"+project+"/mobilities?limit=100", nil, wait...).json(t, &page)
	listed := map[string]bool{}
	for _, m := range page.Items {
		listed[m.ID] = true
	}
	if len(listed) != len(mobilityWinners) {
		t.Errorf("read model lists %d mobilities, want %d", len(listed), len(mobilityWinners))
	}
	for id := range mobilityWinners {
		if !listed[id] {
			t.Errorf("mobility %s answered as written is not in the read model", id)
		}
	}
	for oid := range orgWinners {
		s.must(t, 200, office, "GET", "/v1/organisations/"+oid, nil, wait...)
	}
	for _, oid := range losers[:parallel] {
		s.must(t, 404, office, "GET", "/v1/organisations/"+oid, nil, wait...)
	}
}
