package sqlite

import (
	"path/filepath"
	"testing"
)

// TestParticipantCountsDoNotDependOnTheBatch proves that the participants
// the live projector counts per batch (one upsert per participant and
// batch, partcount.go) are those it counts event by event: a participant
// reported, corrected and cancelled within one batch (the deltas that
// cancel out, a count that falls to zero) or across batches leaves the
// same project_participants rows and projects.participants, which equal
// the distinct participants of the live mobilities.
func TestParticipantCountsDoNotDependOnTheBatch(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 4000)
	dir := t.TempDir()

	one := openDB(t, filepath.Join(dir, "one.db"))
	catchUp(t, one, s, ProjectorConfig{BatchSize: 1})
	whole := openDB(t, filepath.Join(dir, "whole.db"))
	catchUp(t, whole, s, ProjectorConfig{BatchSize: 5000})
	budgetsMatchTheMobilities(t, "one event a batch", one)
	budgetsMatchTheMobilities(t, "one batch", whole)
	sameSums(t, sum(t, one), sum(t, whole))
}
