package events_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

func chain(n int) []events.Envelope {
	ref := events.Ref{Org: "E1", Kind: "project", ID: "P1"}
	out := make([]events.Envelope, n)
	prev := ""
	for i := range out {
		e := events.Envelope{
			ID: "id-" + string(rune('a'+i)), Ref: ref, Version: uint64(i + 1), Sequence: uint64(10 + i), Type: "T", SchemaVersion: 1,
			OccurredAt: time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC), RecordedAt: time.Date(2024, 2, 1, 0, 0, i, 0, time.UTC),
			Actor: events.Actor{UserID: "u", Role: "national-office"}, Reason: "why", Payload: json.RawMessage(`{"n":1}`),
		}
		e.Seal(prev)
		prev = e.Hash
		out[i] = e
	}
	return out
}

func TestHashChainVerifies(t *testing.T) {
	envs := chain(5)
	last, err := events.VerifyChain(envs)
	if err != nil || last != envs[4].Hash {
		t.Fatalf("VerifyChain = %q, %v", last, err)
	}
	// The stream sequence is not covered: it is unknown before the append.
	envs[2].Sequence = 999
	if _, err := events.VerifyChain(envs); err != nil {
		t.Fatalf("sequence changed: %v", err)
	}
}

func TestHashChainDetectsEveryChange(t *testing.T) {
	cases := map[string]func(e *events.Envelope){
		"payload byte":   func(e *events.Envelope) { e.Payload = json.RawMessage(`{"n":2}`) },
		"actor":          func(e *events.Envelope) { e.Actor.UserID = "mallory" },
		"occurred at":    func(e *events.Envelope) { e.OccurredAt = e.OccurredAt.Add(time.Second) },
		"reason":         func(e *events.Envelope) { e.Reason = "other" },
		"type":           func(e *events.Envelope) { e.Type = "U" },
		"previous hash":  func(e *events.Envelope) { e.PrevHash = "00" },
		"version":        func(e *events.Envelope) { e.Version = 7 },
		"invalid json":   func(e *events.Envelope) { e.Payload = json.RawMessage(`{"n":`) },
		"removed event":  nil,
		"reordered pair": nil,
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			envs := chain(4)
			switch name {
			case "removed event":
				envs = append(envs[:1], envs[2:]...)
			case "reordered pair":
				envs[1], envs[2] = envs[2], envs[1]
			default:
				mutate(&envs[2])
			}
			_, err := events.VerifyChain(envs)
			var ce *events.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("a changed chain verified: %v", err)
			}
		})
	}
}
