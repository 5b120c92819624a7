package personal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/pii"
)

func vault(t *testing.T) pii.Vault {
	t.Helper()
	v, err := pii.NewVault(bytes.Repeat([]byte{3}, pii.KeySize), pii.NewMemoryKeys())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var aino = aggregates.Personal{FirstName: "Aino", LastName: "Virtanen", BirthDate: aggregates.MustDate("1980-04-01"), Email: "aino@example.fi"}

func reported(pid string, pd aggregates.Personal) events.Draft {
	return events.Draft{Payload: aggregates.MobilityReported{ProjectID: "P", OID: "E1", Mobility: aggregates.Mobility{MobilityID: "M1", ParticipantID: pid, Personal: pd}}}
}

// TestSealDrafts covers the sealing step: PD-SEALED moves the personal
// block into its sealed form (the JSON holds no plain value) and it opens
// back; a mobility without personal data is left alone; PD-ERASE destroys
// the key of an erased participant, after which nothing of it opens and
// no personal data is sealed for it.
func TestSealDrafts(t *testing.T) {
	ctx := context.Background()
	v := vault(t)
	s := personal.Sealer{Vault: v}
	in := []events.Draft{reported("X1", aino), reported("X2", aggregates.Personal{})}
	out, err := s.SealDrafts(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if in[0].Payload.(aggregates.MobilityReported).Mobility.PersonalSealed != nil {
		t.Fatal("the caller's drafts were changed")
	}
	m := out[0].Payload.(aggregates.MobilityReported).Mobility
	raw, _ := json.Marshal(out[0].Payload)
	if m.Personal != (aggregates.Personal{}) || m.PersonalSealed == nil || strings.Contains(string(raw), "Virtanen") || !strings.Contains(string(raw), `"personal_sealed"`) || strings.Contains(string(raw), `"personal":`) {
		t.Fatalf("PD-SEALED: %s", raw)
	}
	if got, err := personal.Open(ctx, v, *m.PersonalSealed); err != nil || got != aino {
		t.Fatalf("PD-SEALED/opens: %+v %v", got, err)
	}
	if out[1].Payload.(aggregates.MobilityReported).Mobility.PersonalSealed != nil {
		t.Fatal("PD-SEALED: an empty block was sealed")
	}

	if _, err := s.SealDrafts(ctx, []events.Draft{{Payload: aggregates.ParticipantErased{OID: "E1", ParticipantID: "X1", Reason: "asked"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := personal.Open(ctx, v, *m.PersonalSealed); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-ERASE: opens after the erasure: %v", err)
	}
	if _, err := s.SealDrafts(ctx, []events.Draft{reported("X1", aino)}); apperr.As(err).Rule != "PD-ERASE" {
		t.Fatalf("PD-ERASE: sealed again for an erased participant: %v", err)
	}
}
