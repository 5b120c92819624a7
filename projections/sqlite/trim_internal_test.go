package sqlite

import (
	"path/filepath"
	"testing"
)

// TestLiveProjectorForgetsRowsBeyondItsBound: a live projector that drops
// its cached rows whenever it holds more than maxCachedProjects projects
// or organisations (here 3, so nearly every batch) keeps read models
// equal to a rebuild's, the budgets included: a row forgotten is read
// again from the file.
func TestLiveProjectorForgetsRowsBeyondItsBound(t *testing.T) {
	old := maxCachedProjects
	maxCachedProjects = 3
	t.Cleanup(func() { maxCachedProjects = old })
	s := openStore(t, testRegistry)
	generate(t, s, 3000)
	dir := t.TempDir()
	live := openDB(t, filepath.Join(dir, "live.db"))
	catchUp(t, live, s, ProjectorConfig{BatchSize: 7})
	budgetsMatchTheMobilities(t, "live, trimmed", live)
	path := filepath.Join(dir, "rebuilt.db")
	if _, err := Rebuild(testCtx(t), s, path, Until{}, nil); err != nil {
		t.Fatal(err)
	}
	sameSums(t, sum(t, live), sum(t, openDB(t, path)))
}
