package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// TestStampsFollowWhatACommitTouched: a commit of project events stamps
// those projects only; a commit holding any other kind of event (which may
// change any project's answers) or more projects than a batch remembers
// stamps every project.
func TestStampsFollowWhatACommitTouched(t *testing.T) {
	a, b := "2024-1-FI01-KA122-SCH-000000001", ""
	for i := 2; b == ""; i++ { // a project in another stripe
		if id := fmt.Sprintf("2024-1-FI01-KA122-SCH-%09d", i); stripeOf(id) != stripeOf(a) {
			b = id
		}
	}
	project := func(id string) events.Envelope {
		return events.Envelope{Ref: events.Ref{Org: "E10000001", Kind: aggregates.KindProject, ID: id}}
	}
	many := make([]events.Envelope, maxTouched+1)
	for i := range many {
		many[i] = project(fmt.Sprintf("P-%d", i))
	}
	for _, tc := range []struct {
		name         string
		envs         []events.Envelope
		stampA       bool
		stampB       bool
		stampsOthers bool
	}{
		{"a project event stamps its project", []events.Envelope{project(a)}, true, false, false},
		{"two projects' events stamp both", []events.Envelope{project(a), project(b)}, true, true, false},
		{"an organisation event stamps every project", []events.Envelope{project(a), {Ref: events.Ref{Org: "E10000001", Kind: aggregates.KindOrganisation, ID: "E10000001"}}}, true, true, true},
		{"a rates table stamps every project", []events.Envelope{{Ref: events.Ref{Org: "office", Kind: aggregates.KindRates, ID: "2024"}}}, true, true, true},
		{"a call round stamps every project", []events.Envelope{{Ref: events.Ref{Org: "office", Kind: aggregates.KindCalls, ID: "2024"}}}, true, true, true},
		{"a disclosure stamps every project", []events.Envelope{{Ref: events.Ref{Org: "office", Kind: aggregates.KindDisclosures, ID: "d"}}}, true, true, true},
		{"more projects than a batch remembers stamp every project", many, true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStamps()
			var ts touchSet
			const before, seq = 3, 7
			(&touchSet{all: true}).publish(s, before)
			a0, b0, c0 := s.of(a), s.of(b), s.of("elsewhere")
			for i := range tc.envs {
				ts.note(&tc.envs[i])
			}
			ts.publish(s, seq)
			for _, c := range []struct {
				id      string
				was     projections.Stamp
				stamped bool
			}{{a, a0, tc.stampA}, {b, b0, tc.stampB}, {"elsewhere", c0, tc.stampsOthers}} {
				got := s.of(c.id)
				if got.Epoch != s.epoch || !got.Known() {
					t.Fatalf("%s: stamp %+v of another database", c.id, got)
				}
				if changed := got != c.was; changed != c.stamped || (c.stamped && got.Seq != seq) {
					t.Errorf("%s: stamp %+v -> %+v, want stamped %v", c.id, c.was, got, c.stamped)
				}
			}
			if ts.all || len(ts.ids) != 0 {
				t.Errorf("the set was not emptied by the commit: %+v", ts)
			}
		})
	}
}

// TestStampOfARebuiltGenerationIsNew: the stamps of each database have
// their own epoch, so an answer cached from a generation is not served
// again once a rebuilt one is swapped in, nor from a database reopened.
func TestStampOfARebuiltGenerationIsNew(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 600)
	path := filepath.Join(t.TempDir(), "grants.db")
	m := openManager(t, path, s)
	waitCaughtUp(t, m, s)
	page, err := m.Projects(testCtx(t), projections.ProjectFilter{Page: projections.Page{Limit: 1}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("no project: %v", err)
	}
	id := page.Items[0].ID
	before := m.ProjectStamp(id)
	if !before.Known() || before.Seq == 0 {
		t.Fatalf("stamp of a projected project: %+v", before)
	}
	if again := m.ProjectStamp(id); again != before {
		t.Fatalf("stamp moved without a commit: %+v -> %+v", before, again)
	}
	if err := m.Rebuild(testCtx(t), nil); err != nil {
		t.Fatal(err)
	}
	if after := m.ProjectStamp(id); after.Epoch == before.Epoch || !after.Known() {
		t.Fatalf("stamp after the rebuild %+v, before %+v", after, before)
	}
	db := openDB(t, filepath.Join(t.TempDir(), "other.db"))
	if other := db.ProjectStamp(id); other.Epoch == before.Epoch || other.Epoch == m.ProjectStamp(id).Epoch {
		t.Fatalf("two databases share epoch %d", other.Epoch)
	}
}
