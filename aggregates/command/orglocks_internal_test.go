package command

import (
	"sync"
	"testing"
)

// TestOrgLocksSerialiseOneOrganisationOnly: the commands of one
// organisation take turns; another organisation's never wait for them,
// even one whose name hashed to the same stripe of the former 256
// (E10000015 and E10000060 did), and a lock nobody holds is forgotten.
func TestOrgLocksSerialiseOneOrganisationOnly(t *testing.T) {
	var l orgLocks
	unlockA := l.lock("E10000015")
	// Would never return while A is held if the two shared a lock.
	l.lock("E10000060")()
	var wg sync.WaitGroup
	held, n := 0, 0
	var mu sync.Mutex
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock := l.lock("E10000015")
			mu.Lock()
			held++
			if held > 1 {
				t.Error("two commands of one organisation ran at once")
			}
			n++
			mu.Unlock()
			mu.Lock()
			held--
			mu.Unlock()
			unlock()
		}()
	}
	unlockA()
	wg.Wait()
	if n != 8 {
		t.Fatalf("%d of 8 commands ran", n)
	}
	if len(l.m) != 0 {
		t.Fatalf("%d locks kept after every command left, want 0", len(l.m))
	}
}
