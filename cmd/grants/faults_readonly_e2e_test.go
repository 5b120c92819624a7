package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/internal/faultfs"
)

// TestServeOnAReadOnlyDataDirectoryRefusesAndResumes runs grants serve
// with its embedded NATS server on a data directory that turns read-only
// under it (a FUSE mount, internal/faultfs: the event store's files and
// the read models' answer EROFS through the descriptors they hold open):
// every command is acknowledged or refused with a 503 problem, /readyz
// says not ready; once writable again, without a restart, /readyz turns
// ready, commands succeed, and every command acknowledged is there.
func TestServeOnAReadOnlyDataDirectoryRefusesAndResumes(t *testing.T) {
	mnt := faultfs.MountT(t)
	dir := mnt.Dir()
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "ro", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	logs, cmd, done := serveLogged(t, dir)
	// The instance dies before the mount goes (clean-ups run last first).
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line := waitLog(t, logs, done, 60*time.Second, `"msg":"grants serve ready"`)
	base := "http://" + strings.SplitN(line[strings.Index(line, `"http":"`)+8:], `"`, 2)[0]
	type answer struct {
		status int
		ctype  string
	}
	register := func(n int) answer {
		org := map[string]any{"oid": fmt.Sprintf("E4%07d", n), "legal_name": fmt.Sprintf("Koulu %d", n), "country": "FI", "city": "Oulu", "kind": "school"}
		st, hdr, _ := call(t, "POST", base+"/v1/organisations", token, org, map[string]string{"Idempotency-Key": fmt.Sprintf("ro-%d", n)})
		return answer{st, hdr.Get("Content-Type")}
	}
	if a := register(1); a.status != http.StatusCreated {
		t.Fatalf("register before the fault: %d", a.status)
	}

	mnt.Set(faultfs.ReadOnly)
	_, logged := logs.since(0)
	created := []int{1}
	answers := map[answer]int{}
	n := 2
	// Commands in rounds of eight at once until one is refused.
	for round := 0; round < 10 && answers[answer{http.StatusServiceUnavailable, "application/problem+json"}] == 0; round++ {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 8 {
			k := n
			n++
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := register(k)
				mu.Lock()
				defer mu.Unlock()
				answers[a]++
				if a.status == http.StatusCreated {
					created = append(created, k)
				}
			}()
		}
		wg.Wait()
	}
	for a, k := range answers {
		if a.status != http.StatusCreated && (a.status != http.StatusServiceUnavailable || a.ctype != "application/problem+json") {
			t.Errorf("%d commands on a read-only data directory answered %d %s; want acknowledged or a 503 problem", k, a.status, a.ctype)
		}
	}
	if answers[answer{http.StatusServiceUnavailable, "application/problem+json"}] == 0 {
		t.Fatalf("commands kept succeeding on a read-only data directory: %v", answers)
	}
	t.Logf("commands on a read-only data directory: %v", answers)
	pollFor(t, time.Minute, "/readyz not ready on a read-only data directory", func() bool { return readyStatus(base) == http.StatusServiceUnavailable })
	mnt.Set(faultfs.Healthy)
	start := time.Now()
	pollFor(t, time.Minute, "/readyz ready after the data directory turned writable", func() bool { return readyStatus(base) == http.StatusOK })
	t.Logf("ready again %s after the data directory turned writable, without a restart", time.Since(start).Round(time.Millisecond))
	if a := register(n); a.status != http.StatusCreated {
		t.Fatalf("a new command after the data directory turned writable: %d", a.status)
	}
	select {
	case err := <-done:
		stopped = true
		t.Fatalf("grants serve exited: %v", err)
	default:
	}
	lines, _ := logs.since(logged)
	var noisy []string
	for _, l := range lines {
		if (strings.Contains(l, `"level":"WARN"`) || strings.Contains(l, `"level":"ERROR"`)) && !strings.Contains(l, `"msg":"request failed"`) {
			noisy = append(noisy, l)
		}
	}
	t.Logf("the fault logged %d warnings and errors besides the refused requests:\n%s", len(noisy), strings.Join(noisy, "\n"))
	// A repair of JetStream is tried once the directory is writable, not
	// every second while it is read-only.
	if k := strings.Count(strings.Join(noisy, "\n"), "restarting JetStream to resume writes"); k > 1 {
		t.Errorf("JetStream restarted %d times for one fault, want once", k)
	}
	// Every command acknowledged, before or during the fault, is there.
	for _, k := range created {
		pollFor(t, time.Minute, fmt.Sprintf("organisation %d readable", k), func() bool {
			st, _, _ := call(t, "GET", fmt.Sprintf("%s/v1/organisations/E4%07d", base, k), token, nil, nil)
			return st == http.StatusOK
		})
	}
	_ = cmd.Process.Signal(os.Interrupt)
	<-done
	stopped = true
}
