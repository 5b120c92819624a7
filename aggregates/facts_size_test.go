package aggregates

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/erasmus-ledger/grants/events/pii"
)

// TestCompactStateBytesPerMobility folds the same 2 000 reported
// mobilities, decoded from their JSON as a store hands them over (sealed
// personal data, a grant of several explained lines), into a full and a
// compact portfolio and compares what each keeps on the heap per
// mobility: the compact state must keep under a third of the full one,
// and about what SizeOf counts for it (the command cache's byte bound).
func TestCompactStateBytesPerMobility(t *testing.T) {
	const n = 2000
	base := fold(ka122()...)
	evs, err := testDomain().Decide(officeAt("2023-09-15"), base, report(jobShadow("M")))
	if err != nil {
		t.Fatal(err)
	}
	template := evs[0].(MobilityReported)
	if len(template.Grant.Lines) < 2 {
		t.Fatalf("a grant of %d lines", len(template.Grant.Lines))
	}
	var payloads [][]byte
	for i := range n {
		ev := template
		m := &ev.Mobility
		m.MobilityID, m.ParticipantID = fmt.Sprintf("M%05d", i), fmt.Sprintf("P%07d", i)
		ev.Mobility.Personal = Personal{}
		ev.Mobility.PersonalSealed = &pii.Sealed{Alg: "A256GCM", Subject: testOrg + "/" + m.ParticipantID, KeyID: "k-" + m.ParticipantID,
			Nonce: make([]byte, 12), Ciphertext: make([]byte, 120)}
		_ = m
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, b)
	}
	// measure folds the payloads onto start and returns the heap it kept
	// per mobility, and what SizeOf counts for them.
	measure := func(start Portfolio) (heap, counted int64) {
		evs := make([]Event, 0, n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, b := range payloads {
			var ev MobilityReported
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
			counted += SizeOf(ev, len(b))
		}
		p := start.Clone()
		EvolveOwned(&p, evs)
		evs = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(p)
		return (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n, counted / n
	}
	full, _ := measure(base)
	compact, counted := measure(EvolveAll(NewCompactPortfolio(testOrg), ka122()))
	t.Logf("heap per mobility: full %d bytes, compact %d bytes (SizeOf counts %d); payload %d bytes", full, compact, counted, len(payloads[0]))
	if compact*3 > full {
		t.Fatalf("the compact state keeps %d bytes a mobility, the full one %d: not under a third", compact, full)
	}
	if counted*2 < compact || counted > compact*2 {
		t.Fatalf("SizeOf counts %d bytes a mobility, the heap kept %d: off by more than a factor of two", counted, compact)
	}
}
