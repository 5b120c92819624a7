package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// PD-ERASE: a bulk load keeps the participants rows in memory and writes
// them at its end (bulkparts.go). The rebuilt file equals the live
// projector's, table by table, for participants reported more than once
// and for participants whose erasure the stream holds: their rows keep no
// personal data, and a mobility of theirs reported after the erasure
// writes none.
func TestBulkParticipantRowsEqualTheLiveOnes(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 3000)
	ctx := testCtx(t)
	dir := t.TempDir()
	live := openDB(t, filepath.Join(dir, "live.db"))
	catchUp(t, live, s, ProjectorConfig{BatchSize: 7})

	// Participants reported more than once, with personal data.
	type key struct{ org, id string }
	var erase []key
	rows, err := live.r.Query("SELECT m.org, m.participant_id FROM mobilities m JOIN participants p ON p.org = m.org AND p.id = m.participant_id " +
		"WHERE p.last_name != '' GROUP BY m.org, m.participant_id HAVING COUNT(*) > 1 ORDER BY m.org, m.participant_id LIMIT 3")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.org, &k.id); err != nil {
			t.Fatal(err)
		}
		erase = append(erase, k)
	}
	rows.Close()
	if len(erase) < 2 {
		t.Fatalf("%d participants reported more than once: the test proves nothing", len(erase))
	}
	for _, k := range erase {
		ref := events.Ref{Org: k.org, Kind: aggregates.KindOrganisation, ID: k.org}
		envs, err := s.Load(ctx, ref, 0)
		if err != nil || len(envs) == 0 {
			t.Fatalf("organisation %s: %d events, %v", k.org, len(envs), err)
		}
		meta := events.Meta{Actor: events.Actor{UserID: "office", Role: aggregates.RoleNationalOffice}, RecordedAt: testTime}
		erased := aggregates.ParticipantErased{OID: k.org, ParticipantID: k.id, ErasedOn: aggregates.MustDate("2024-03-01"), Reason: "asked"}
		if _, err := s.Append(ctx, events.AppendRequest{Ref: ref, Expected: events.HeadOf(envs[len(envs)-1]), Meta: meta,
			Events: []events.Draft{{Payload: erased, OccurredAt: testTime}}}); err != nil {
			t.Fatal(err)
		}
	}
	catchUp(t, live, s, ProjectorConfig{BatchSize: 7})

	path := filepath.Join(dir, "rebuilt.db")
	if _, err := Rebuild(ctx, s, path, Until{}, nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := openDB(t, path)
	for name, db := range map[string]*DB{"live": live, "rebuilt": rebuilt} {
		var n, clear int
		if err := db.r.QueryRow("SELECT COUNT(*), TOTAL(last_name != '') FROM participants").Scan(&n, &clear); err != nil {
			t.Fatal(err)
		}
		if n < 20 || clear < 20 {
			t.Fatalf("%s: %d participants rows, %d with personal data: the test proves nothing", name, n, clear)
		}
		for _, k := range erase {
			var first, last, email string
			if err := db.r.QueryRow("SELECT first_name, last_name, email FROM participants WHERE org = ? AND id = ?", k.org, k.id).Scan(&first, &last, &email); err != nil {
				t.Fatalf("%s: erased participant %s of %s: %v", name, k.id, k.org, err)
			}
			if first != "" || last != "" || email != "" {
				t.Fatalf("PD-ERASE: %s keeps the personal data of erased participant %s of %s", name, k.id, k.org)
			}
		}
	}
	sameSums(t, sum(t, live), sum(t, rebuilt))
}
