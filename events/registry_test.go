package events_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events"
)

type renamedV2 struct {
	FullName string `json:"full_name"`
}

func registry() *events.Registry {
	r := events.NewRegistry()
	r.Register("Renamed", 2, renamedV2{}, map[int]events.Upcaster{
		1: func(p json.RawMessage) (json.RawMessage, error) {
			var v1 struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(p, &v1); err != nil {
				return nil, err
			}
			return json.Marshal(renamedV2{FullName: v1.Name})
		},
	})
	return r
}

func TestRegistryUpcastsOldSchemas(t *testing.T) {
	v, err := registry().Decode(events.Envelope{Type: "Renamed", SchemaVersion: 1, Payload: json.RawMessage(`{"name":"Aino"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(renamedV2); got.FullName != "Aino" {
		t.Fatalf("upcast payload = %+v", got)
	}
}

func TestRegistryRefusesUnknownAndNewer(t *testing.T) {
	r := registry()
	if _, err := r.Decode(events.Envelope{Type: "Nope", SchemaVersion: 1, Payload: json.RawMessage(`{}`)}); !errors.Is(err, events.ErrUnknownType) {
		t.Fatalf("unknown type: %v", err)
	}
	if _, err := r.Decode(events.Envelope{Type: "Renamed", SchemaVersion: 3, Payload: json.RawMessage(`{}`)}); !errors.Is(err, events.ErrNewerSchema) {
		t.Fatalf("newer schema: %v", err)
	}
	name, v, err := r.NameOf(renamedV2{})
	if err != nil || name != "Renamed" || v != 2 {
		t.Fatalf("NameOf = %s %d %v", name, v, err)
	}
	if _, _, err := r.NameOf(struct{}{}); !errors.Is(err, events.ErrUnknownType) {
		t.Fatalf("unregistered payload: %v", err)
	}
}

func TestRegistryRefusesAVersionWithoutUpcaster(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "no upcaster") {
			t.Fatalf("recover = %v", r)
		}
	}()
	events.NewRegistry().Register("Gap", 2, renamedV2{}, nil)
}

func TestRefTokens(t *testing.T) {
	for _, bad := range []string{"", "a.b", "a*", ">", "a b", strings.Repeat("x", 65)} {
		if events.ValidToken(bad) {
			t.Errorf("ValidToken(%q) = true", bad)
		}
	}
	if err := (events.Ref{Org: "E1", Kind: "project", ID: "2024-1-FI01-KA122-SCH-000000001"}).Validate(); err != nil {
		t.Fatal(err)
	}
}
