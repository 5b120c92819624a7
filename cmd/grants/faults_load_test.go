package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/internal/httpbench"
)

// faultCommand is one command of the load: its key and its request.
type faultCommand struct {
	key, path string
	body      []byte
}

// loadResult is what the clients of a fault test sent and were told.
type loadResult struct {
	mu sync.Mutex
	// acked maps every key sent to whether an instance acknowledged its
	// command (2xx).
	acked map[string]bool
	// retries counts the requests sent again (same key, same body) after
	// a connection error, a 5xx or a conflict; statuses counts the
	// answers by status (0: no answer).
	retries  int
	statuses map[int]int
	// acks counts the acknowledgements so far; ackedAt says when each
	// key was acknowledged, and by which instance (for the report of a
	// lost command).
	acks    int
	ackedAt map[string]string
	// refused holds final 4xx answers other than a conflict: none is
	// expected.
	refused []string
}

func (r *loadResult) note(status int) {
	r.mu.Lock()
	r.statuses[status]++
	r.mu.Unlock()
}

// ackCount returns the acknowledgements so far.
func (r *loadResult) ackCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acks
}

// counts returns the keys sent and acknowledged.
func (r *loadResult) counts() (sent, acked int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ok := range r.acked {
		if ok {
			acked++
		}
	}
	return len(r.acked), acked
}

// String summarises the answers.
func (r *loadResult) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var codes []int
	for c := range r.statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", r.statuses[c], c))
	}
	return fmt.Sprintf("%d retries; answers %s", r.retries, strings.Join(parts, " "))
}

// faultLoad is the clients of a fault test: workers sending commands
// with idempotency keys to any running instance of the fleet, each
// retried with its key on another instance until it is acknowledged.
type faultLoad struct {
	f        *fleet
	token    string
	prefix   string
	projects []httpbench.Project
	client   *http.Client
	res      *loadResult
	// giveUp bounds the retries of one command once the load stopped.
	giveUp time.Duration
}

// newFaultLoad returns the clients of a fault test; prefix starts the
// keys and, by its first character (a digit other than 3, which the
// seeded organisations use), the organisations' OIDs.
func newFaultLoad(f *fleet, token, prefix string, projects []httpbench.Project) *faultLoad {
	return &faultLoad{f: f, token: token, prefix: prefix, projects: projects, giveUp: 2 * time.Minute,
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
		res:    &loadResult{acked: map[string]bool{}, statuses: map[int]int{}, ackedAt: map[string]string{}}}
}

// command returns worker w's i-th command: a new organisation, or a
// mobility reported to one of the shared projects (which the instances
// then write concurrently, under optimistic concurrency).
func (l *faultLoad) command(w, i int) faultCommand {
	key := fmt.Sprintf("%s-%d-%d", l.prefix, w, i)
	if i%2 == 0 || len(l.projects) == 0 {
		oid := fmt.Sprintf("E%s%02d%05d", l.prefix[:1], w, i)
		return faultCommand{key: key, path: "/v1/organisations", body: fmt.Appendf(nil,
			`{"oid":%q,"legal_name":"Koulu %s","country":"FI","city":"Oulu","kind":"school"}`, oid, key)}
	}
	p := l.projects[(w+i)%len(l.projects)]
	id := fmt.Sprintf("M%s-%d-%d", l.prefix, w, i)
	return faultCommand{key: key, path: "/v1/projects/" + p.ID + "/mobilities", body: httpbench.MobilityBody(id, "P"+id)}
}

// run sends commands from workers until ctx ends, then waits for the
// commands in flight (each retried up to giveUp).
func (l *faultLoad) run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				l.send(l.command(w, i))
			}
		}()
	}
	wg.Wait()
}

// send posts c until an instance acknowledges it, a final refusal, or
// giveUp after the first attempt; a connection error (the instance was
// killed), a 5xx and a 409 are retried on a running instance chosen at
// random.
func (l *faultLoad) send(c faultCommand) {
	l.res.mu.Lock()
	l.res.acked[c.key] = false
	l.res.mu.Unlock()
	deadline := time.Now().Add(l.giveUp)
	for try := 0; time.Now().Before(deadline); try++ {
		if try > 0 {
			l.res.mu.Lock()
			l.res.retries++
			l.res.mu.Unlock()
			time.Sleep(time.Duration(min(try, 10)) * 20 * time.Millisecond) // back off between retries
		}
		bases := l.f.bases()
		if len(bases) == 0 {
			continue
		}
		base := bases[rand.IntN(len(bases))]
		status, body := l.post(base, c)
		l.res.note(status)
		switch {
		case status == http.StatusOK || status == http.StatusCreated:
			l.res.mu.Lock()
			l.res.acked[c.key] = true
			l.res.ackedAt[c.key] = fmt.Sprintf("at %s by %s: %.200s", time.Now().UTC().Format("15:04:05.000"), base, body)
			l.res.acks++
			l.res.mu.Unlock()
			return
		case status == 0 || status >= 500 || status == http.StatusConflict || status == http.StatusTooManyRequests:
			continue
		default:
			l.res.mu.Lock()
			l.res.refused = append(l.res.refused, fmt.Sprintf("%s: %d %s", c.key, status, body))
			l.res.mu.Unlock()
			return
		}
	}
}

// post sends c once to base; status 0 means no answer.
func (l *faultLoad) post(base string, c faultCommand) (int, string) {
	req, err := http.NewRequest("POST", base+c.path, bytes.NewReader(c.body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", c.key)
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b)
}

// checkNoRefusals fails the test on a final refusal the load met.
func (l *faultLoad) checkNoRefusals(t *testing.T) {
	t.Helper()
	l.res.mu.Lock()
	defer l.res.mu.Unlock()
	if n := len(l.res.refused); n > 0 {
		t.Errorf("%d commands refused, first: %s", n, l.res.refused[0])
	}
}

// probe sends one new command once to a running instance and returns the
// answer's status, content type and body; the command counts among the
// load's (an acknowledged probe must be in the stream too).
func (l *faultLoad) probe(n int) (int, string, string) {
	c := l.command(99, n)
	c.key = fmt.Sprintf("%s-probe-%d", l.prefix, n)
	bases := l.f.bases()
	if len(bases) == 0 {
		l.res.mu.Lock()
		l.res.acked[c.key] = false
		l.res.mu.Unlock()
		return 0, "", "no instance runs"
	}
	return l.sendOnce(bases[rand.IntN(len(bases))], c)
}

// sendOnce sends c once, without retrying, to base and returns the
// answer's status, content type and body; c counts among the load's
// commands, acknowledged or not.
func (l *faultLoad) sendOnce(base string, c faultCommand) (int, string, string) {
	l.res.mu.Lock()
	l.res.acked[c.key] = false
	l.res.mu.Unlock()
	req, err := http.NewRequest("POST", base+c.path, bytes.NewReader(c.body))
	if err != nil {
		return 0, "", err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", c.key)
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, "", err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	l.res.note(resp.StatusCode)
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated {
		l.res.mu.Lock()
		l.res.acked[c.key] = true
		l.res.acks++
		l.res.mu.Unlock()
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// waitAcks polls until n more commands are acknowledged and returns how
// long that took, failing the test after limit.
func (l *faultLoad) waitAcks(t *testing.T, limit time.Duration, what string, n int) time.Duration {
	t.Helper()
	start, from := time.Now(), l.res.ackCount()
	pollFor(t, limit, fmt.Sprintf("%s: %d more commands acknowledged", what, n), func() bool { return l.res.ackCount() >= from+n })
	return time.Since(start)
}
