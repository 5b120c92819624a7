package aggregates

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
)

// schemaVersion is an event type's current schema version and the
// upcasters that lift each older version to the next.
type schemaVersion struct {
	version   int
	upcasters map[int]events.Upcaster
}

// schemaVersions are the event types past schema version 1. Add a version
// here with its upcaster from the previous one (docs/ARCHITECTURE.md,
// "Schema versions"); the stream keeps every event as it was written and
// the registry lifts old payloads when they are read.
//
// MobilityReported and MobilityCorrected:
//   - version 1 (until issue 13): the participant's personal data in plain
//     text, mobility.personal;
//   - version 2: mobility.personal_sealed, the personal block encrypted with
//     the participant's key (PD-SEALED); mobility.personal is never written.
//     A version-1 payload is lifted by upcastPersonalV1.
var schemaVersions = map[string]schemaVersion{
	MobilityReported{}.EventType():  {version: 2, upcasters: map[int]events.Upcaster{1: upcastPersonalV1}},
	MobilityCorrected{}.EventType(): {version: 2, upcasters: map[int]events.Upcaster{1: upcastPersonalV1}},
}

// upcastPersonalV1 lifts a version-1 mobility payload to version 2: its
// plain mobility.personal block moves into mobility.personal_sealed with
// the algorithm pii.AlgPlainV1 (plain text, readable until the participant
// is erased), so readers of version 2 see one form of personal data. The
// other fields are kept byte for byte.
func upcastPersonalV1(payload json.RawMessage) (json.RawMessage, error) {
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	var mob map[string]json.RawMessage
	if err := json.Unmarshal(ev["mobility"], &mob); err != nil {
		return nil, fmt.Errorf("mobility: %w", err)
	}
	personal, ok := mob["personal"]
	if !ok {
		return payload, nil
	}
	delete(mob, "personal")
	var pd Personal
	if err := json.Unmarshal(personal, &pd); err != nil {
		return nil, fmt.Errorf("mobility.personal: %w", err)
	}
	if pd != (Personal{}) {
		var oid, pid string
		if err := json.Unmarshal(ev["oid"], &oid); err != nil {
			return nil, fmt.Errorf("oid: %w", err)
		}
		if err := json.Unmarshal(mob["participant_id"], &pid); err != nil {
			return nil, fmt.Errorf("mobility.participant_id: %w", err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, personal); err != nil {
			return nil, err
		}
		sealed, err := json.Marshal(pii.Sealed{Alg: pii.AlgPlainV1, Subject: pii.Subject{Org: oid, Participant: pid}.String(), Plain: buf.Bytes()})
		if err != nil {
			return nil, err
		}
		mob["personal_sealed"] = sealed
	}
	m, err := json.Marshal(mob)
	if err != nil {
		return nil, err
	}
	ev["mobility"] = m
	return json.Marshal(ev)
}
