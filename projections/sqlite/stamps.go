package sqlite

import (
	"hash/maphash"
	"sync/atomic"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// stampStripes is how many stripes the project stamps hash into: 32 KiB
// per database, whatever the number of projects; two projects sharing a
// stripe only invalidate each other's cached answers.
const stampStripes = 4096

// maxTouched bounds the project IDs one batch remembers; past it the
// commit stamps every project.
const maxTouched = 1024

// epochs numbers the databases opened by this process (projections.Stamp.Epoch).
var epochs atomic.Uint64

// stampSeed hashes project IDs into stripes.
var stampSeed = maphash.MakeSeed()

// stamps are a database's project stamps (projections.ProjectStamper):
// the projector stores the sequence of each commit in the stripes of the
// projects it touched, or in all when it touched something else, after
// the commit and before the checkpoint advances.
type stamps struct {
	epoch   uint64
	all     atomic.Uint64
	stripes [stampStripes]atomic.Uint64
}

func newStamps() *stamps { return &stamps{epoch: epochs.Add(1)} }

func stripeOf(id string) int { return int(maphash.String(stampSeed, id) % stampStripes) }

// of returns the stamp of project id.
func (s *stamps) of(id string) projections.Stamp {
	return projections.Stamp{Epoch: s.epoch, Seq: max(s.all.Load(), s.stripes[stripeOf(id)].Load())}
}

// ProjectStamp implements projections.ProjectStamper.
func (db *DB) ProjectStamp(id string) projections.Stamp {
	if db.stamps == nil {
		return projections.Stamp{}
	}
	return db.stamps.of(id)
}

// ProjectStamp implements projections.ProjectStamper for the current
// generation (a swap changes the epoch, so answers cached from the old one
// are not served again).
func (m *Manager) ProjectStamp(id string) projections.Stamp {
	g := m.cur.Load()
	if g == nil {
		return projections.Stamp{}
	}
	return g.db.ProjectStamp(id)
}

// touchSet is what the open batch touched: the projects of its project
// events, or all (any other event, or too many projects).
type touchSet struct {
	ids map[string]struct{}
	all bool
}

// note records the rows event env may change: a project event changes
// its project's rows only; any other kind (organisations, participants'
// erasure, reference data) may change any project's answers.
func (t *touchSet) note(env *events.Envelope) {
	if t.all {
		return
	}
	if env.Ref.Kind != aggregates.KindProject || len(t.ids) >= maxTouched {
		t.all, t.ids = true, nil
		return
	}
	if t.ids == nil {
		t.ids = map[string]struct{}{}
	}
	t.ids[env.Ref.ID] = struct{}{}
}

// publish stamps what t touched with the committed sequence seq and
// empties t. Call it after COMMIT and before the checkpoint advances.
func (t *touchSet) publish(s *stamps, seq uint64) {
	if s != nil {
		if t.all {
			s.all.Store(seq)
		}
		for id := range t.ids {
			s.stripes[stripeOf(id)].Store(seq)
		}
	}
	clear(t.ids)
	t.all = false
}
