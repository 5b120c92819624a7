package api

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// chain returns n sealed events of project P1.
func chain(n int) []events.Envelope {
	var out []events.Envelope
	prev := ""
	for i := 1; i <= n; i++ {
		e := events.Envelope{ID: "e" + itoa64(int64(i)), Ref: events.Ref{Org: "E10000001", Kind: "project", ID: "P1"}, Version: uint64(i), Sequence: uint64(10 + i),
			Type: "MobilityReported", SchemaVersion: 1, OccurredAt: time.Unix(int64(i), 0), RecordedAt: time.Unix(int64(i), 0),
			Actor: events.Actor{UserID: "u", Role: "beneficiary", Org: "E10000001"}, Payload: json.RawMessage(`{"n":` + itoa64(int64(i)) + `}`)}
		e.Seal(prev)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerificationFindsTheFirstTamperedEvent(t *testing.T) {
	u := newUnitServer(t, nil)
	good := chain(5)
	u.cmds.hist = map[string][]events.Envelope{"P1": good}
	var v Verification
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodGet, "/v1/projects/P1/verification", "")
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || w.Code != 200 || !v.Valid || v.Events != 5 || v.Chains[0].LastHash != good[4].Hash {
		t.Fatalf("intact chain: %d %s", w.Code, w.Body)
	}
	bad := chain(5)
	bad[2].Payload = json.RawMessage(`{"n":300}`) // rewritten history
	u.cmds.hist["P1"] = bad
	w = u.do(t, aggregates.RoleNationalOffice, http.MethodGet, "/v1/projects/P1/verification", "")
	v = Verification{}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || w.Code != 200 || v.Valid || v.Chains[0].Break == nil || v.Chains[0].Break.Version != 3 || v.Chains[0].Break.Sequence != 13 {
		t.Fatalf("tampered chain: %d %s", w.Code, w.Body)
	}
	// The beneficiary of another organisation learns nothing.
	if w := u.do(t, "foreign", http.MethodGet, "/v1/projects/P1/verification", ""); w.Code != 404 {
		t.Fatalf("foreign verification: %d", w.Code)
	}
}
