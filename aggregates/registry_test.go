package aggregates

import (
	"encoding/json"
	"testing"

	"github.com/erasmus-ledger/grants/events"
)

func TestRegistryHasEveryEvent(t *testing.T) {
	reg := Registry()
	names := map[string]bool{}
	for _, e := range AllEvents() {
		name, ver, err := reg.NameOf(e)
		want := 1
		if v, ok := schemaVersions[e.EventType()]; ok {
			want = v.version
		}
		if err != nil || name != e.EventType() || ver != want {
			t.Errorf("%T: name %q version %d err %v", e, name, ver, err)
		}
		if names[name] {
			t.Errorf("duplicate event name %s", name)
		}
		names[name] = true
	}
	// AllEvents and the national office's resolution of a damaged
	// aggregate (events.DamageResolvedType), which the handler records.
	if _, ok := reg.Lookup(events.DamageResolvedType); !ok || len(reg.Names()) != len(AllEvents())+1 {
		t.Fatalf("registry has %d types, AllEvents %d and the damage resolution", len(reg.Names()), len(AllEvents()))
	}
}

// organisationRegisteredV2 is what OrganisationRegistered would become if
// version 2 split the city into a municipality code: an example of schema
// evolution with an upcaster.
type organisationRegisteredV2 struct {
	OID          string `json:"oid"`
	LegalName    string `json:"legal_name"`
	Country      string `json:"country"`
	Municipality string `json:"municipality"`
	Kind         string `json:"kind"`
}

// TestUpcaster shows how an event's schema evolves: version 1 payloads in
// the store are upcast to version 2 when read.
func TestUpcaster(t *testing.T) {
	reg := events.NewRegistry()
	reg.Register("OrganisationRegistered", 2, organisationRegisteredV2{}, map[int]events.Upcaster{
		1: func(v1 json.RawMessage) (json.RawMessage, error) {
			var m map[string]any
			if err := json.Unmarshal(v1, &m); err != nil {
				return nil, err
			}
			m["municipality"] = m["city"]
			delete(m, "city")
			return json.Marshal(m)
		},
	})
	old, _ := json.Marshal(OrganisationRegistered{OID: testOrg, LegalName: "Testikoulu", Country: "FI", City: "Helsinki", Kind: OrgSchool})
	got, err := reg.Decode(events.Envelope{Type: "OrganisationRegistered", SchemaVersion: 1, Payload: old})
	if err != nil {
		t.Fatal(err)
	}
	v2 := got.(organisationRegisteredV2)
	if v2.Municipality != "Helsinki" || v2.LegalName != "Testikoulu" {
		t.Fatalf("upcast to %+v", v2)
	}
	if _, err := Registry().Decode(events.Envelope{Type: "OrganisationRegistered", SchemaVersion: 2, Payload: old}); err == nil {
		t.Fatal("a newer schema version than this build knows was decoded")
	}
}

// TestEventsCarryPersonalDataApart checks that personal fields appear only
// under "personal" in a mobility event, so read models can split them.
func TestEventsCarryPersonalDataApart(t *testing.T) {
	ev := mobEvent("M1", 1, nil).(MobilityReported)
	var top map[string]any
	b, _ := json.Marshal(ev.Mobility)
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"first_name", "last_name", "birth_date", "email"} {
		if _, ok := top[k]; ok {
			t.Errorf("personal field %s outside personal", k)
		}
	}
	if p, ok := top["personal"].(map[string]any); !ok || p["first_name"] != "Aino" {
		t.Fatalf("personal block: %v", top["personal"])
	}
}
