package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/keys"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/internal/httpbench"
	"github.com/erasmus-ledger/grants/internal/natscluster"
	leasejs "github.com/erasmus-ledger/grants/schedule/jetstream"
)

// The KA122 project and its organisation the cluster tests report to.
const (
	clusterOID     = "E20000001"
	clusterProject = "2024-1-FI01-KA122-SCH-000001"
)

// clusterInstance is a grants serve on the test cluster.
type clusterInstance struct {
	base string
	pid  int
	cmd  *exec.Cmd
	done chan error
	logs *logLines
}

// clusterSystem is a three-node cluster with grants serve instances.
type clusterSystem struct {
	c         *natscluster.Cluster
	instances []*clusterInstance
	office    string
	// participant is the participant of a report the KA122 subtest saw
	// accepted (which 30 of its 45 are is a matter of timing).
	participant string
}

// startClusterSystem starts the cluster, seeds the KA122 project, starts
// n grants serve instances on it (each with its own data directory and
// SQLite file, all sharing the signing keys and the personal-data master
// key), and creates a national-office token.
func startClusterSystem(t *testing.T, n int) *clusterSystem {
	t.Helper()
	c := natscluster.StartTest(t, natscluster.Config{})
	signing, master := clusterShared(c.Dir)
	set, _, err := keys.Open(signing, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pii.LoadOrCreateMaster(master); err != nil {
		t.Fatal(err)
	}
	seedKA122(t, c, set)
	s := &clusterSystem{c: c}
	for i := range n {
		s.instances = append(s.instances, startInstance(t, c, filepath.Join(t.TempDir(), fmt.Sprintf("api%d", i+1))))
	}
	s.office = s.token(t, "--role", "national-office", "--name", "cluster-office")
	return s
}

// startInstance starts grants serve on c with the data directory dir and
// waits for its ready line. Leases live 2 s, so that a killed holder is
// replaced within seconds.
func startInstance(t *testing.T, c *natscluster.Cluster, dir string) *clusterInstance {
	t.Helper()
	signing, master := clusterShared(c.Dir)
	logs, cmd, done := serveLogged(t, dir, "--nats-url", c.URL(), "--nats-nkey", c.Creds.Serve, "--replicas", "3",
		"--signing-dir", signing, "--pd-master-key", master,
		"--deadline-lease-ttl", "2s", "--pd-retention-lease-ttl", "2s", "--checkpoint-lease-ttl", "2s")
	line := waitLog(t, logs, done, 90*time.Second, `"msg":"grants serve ready"`)
	var ready struct {
		HTTP string `json:"http"`
	}
	if err := json.Unmarshal([]byte(line), &ready); err != nil || ready.HTTP == "" {
		t.Fatalf("ready line %q: %v", line, err)
	}
	return &clusterInstance{base: "http://" + ready.HTTP, pid: cmd.Process.Pid, cmd: cmd, done: done, logs: logs}
}

// token creates a token through a running instance (grants token create
// as the cluster's service identity) and returns its secret.
func (s *clusterSystem) token(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := grants(t, append([]string{"token", "create", "--nats-url", s.c.URL(), "--nats-nkey", s.c.Creds.Service, "--data-dir", t.TempDir()}, args...)...)
	if code != 0 {
		t.Fatalf("token create %v: exit %d: %s", args, code, errOut)
	}
	return strings.TrimSpace(out)
}

// clusterConn connects to c as the identity of seed.
func clusterConn(t *testing.T, c *natscluster.Cluster, seed string) *nats.Conn {
	t.Helper()
	opt, err := nats.NkeyOptionFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(c.URL(), opt, nats.CustomInboxPrefix(jetstream.ServeInboxPrefix), nats.MaxReconnects(-1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// seedKA122 writes the organisation and its approved, signed KA122
// project (1 September 2024 to 28 February 2026) into the cluster's
// stream, signed with the service's key, as the office would have.
func seedKA122(t *testing.T, c *natscluster.Cluster, set *keys.Set) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	signer, err := set.Signer()
	if err != nil {
		t.Fatal(err)
	}
	store, err := openStoreRetrying(ctx, clusterConn(t, c, c.Creds.Serve), jetstream.Config{Replicas: 3, Signer: signer}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	meta := func(role, org string) events.Meta {
		return events.Meta{Actor: events.Actor{UserID: "cluster-seed", Role: role, Org: org}, RecordedAt: time.Now().UTC()}
	}
	start, end := aggregates.NewDate(2024, time.September, 1), aggregates.NewDate(2026, time.February, 28)
	const awarded = 10_000_000
	appends := []events.AppendRequest{
		{Ref: events.Ref{Org: clusterOID, Kind: aggregates.KindOrganisation, ID: clusterOID}, Meta: meta(aggregates.RoleNationalOffice, ""), Events: []events.Draft{{
			Payload: aggregates.OrganisationRegistered{OID: clusterOID, LegalName: "Cluster school", Country: "FI", City: "Oulu", Kind: aggregates.OrgSchool}}}},
		{Ref: events.Ref{Org: clusterOID, Kind: aggregates.KindProject, ID: clusterProject}, Meta: meta(aggregates.RoleBeneficiary, clusterOID), Events: []events.Draft{{
			Payload: aggregates.ApplicationSubmitted{ProjectID: clusterProject, OID: clusterOID, Action: aggregates.ActionKA122, Field: aggregates.FieldSchool, CallYear: 2024, Round: 1,
				Title: "Cluster project", StartDate: start, EndDate: end, RequestedCents: awarded, ApplicantCountry: "FI", SubmittedOn: aggregates.NewDate(2024, time.February, 20)}}}},
		{Ref: events.Ref{Org: clusterOID, Kind: aggregates.KindProject, ID: clusterProject}, Meta: meta(aggregates.RoleNationalOffice, ""), Events: []events.Draft{
			{Payload: aggregates.EligibilityAssessed{ProjectID: clusterProject, OID: clusterOID, Outcome: aggregates.OutcomeEligible, AssessedOn: aggregates.NewDate(2024, time.March, 15)}},
			{Payload: aggregates.ApplicationDecided{ProjectID: clusterProject, OID: clusterOID, Action: aggregates.ActionKA122, Field: aggregates.FieldSchool, CallYear: 2024, Round: 1,
				Outcome: aggregates.OutcomeApproved, AwardedCents: awarded, DecidedOn: aggregates.NewDate(2024, time.June, 1)}},
			{Payload: aggregates.GrantAgreementSigned{ProjectID: clusterProject, OID: clusterOID, AgreementNo: "GA-CLUSTER", AwardedCents: awarded, SignedOn: aggregates.NewDate(2024, time.July, 1)}},
		}},
	}
	var head events.Head
	for i, req := range appends {
		if i == 2 {
			req.Expected = head
		}
		envs, err := store.Append(ctx, req)
		if err != nil {
			t.Fatalf("seeding: %v", err)
		}
		head = events.HeadOf(envs[len(envs)-1])
	}
}

// post sends a JSON command and returns the status and the problem's rule.
func post(t *testing.T, url, token, key string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var p struct {
		Rule string `json:"rule"`
	}
	_ = json.Unmarshal(raw, &p)
	if p.Rule == "" && resp.StatusCode >= 400 {
		p.Rule = string(raw)
	}
	return resp.StatusCode, p.Rule
}

// TestServeOnACluster runs two grants serve instances, each with its own
// SQLite read models, on a real three-node JetStream cluster, and proves
// what must hold across instances. The holder is killed last.
func TestServeOnACluster(t *testing.T) {
	s := startClusterSystem(t, 2)
	t.Run("KA122-MAX-MOB is exact across instances", func(t *testing.T) { clusterKA122LimitExactAcrossInstances(t, s) })
	t.Run("an erasure through one instance holds on the other", func(t *testing.T) { clusterErasureHoldsEverywhere(t, s) })
	t.Run("a revoked token is refused at once by every instance", func(t *testing.T) { clusterRevocationIsRefusedAtOnceEverywhere(t, s) })
	t.Run("grants replay rebuilds the read models of every instance", func(t *testing.T) { clusterReplayRebuildsEveryInstance(t, s) })
	t.Run("the once-only jobs move when their holder is killed", func(t *testing.T) { clusterOnceOnlyJobsMoveWhenTheHolderIsKilled(t, s) })
}

// clusterKA122LimitExactAcrossInstances proves KA122-MAX-MOB holds
// across instances: 45 concurrent reports to one KA122 project, split
// across two grants serve instances on a three-node cluster, are exactly
// 30 accepted and 15 refused by the rule, and both instances' read models
// show 30. A client retries what is refused for the moment (409 after
// the handler's own retries, 503) with the same idempotency key.
func clusterKA122LimitExactAcrossInstances(t *testing.T, s *clusterSystem) {
	school := s.token(t, "--role", "beneficiary", "--org", clusterOID, "--name", "cluster-school")
	var (
		mu                sync.Mutex
		accepted, refused int
		others            []string
		acceptedKey       = -1
		wg                sync.WaitGroup
	)
	for i := range 45 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst := s.instances[i%len(s.instances)]
			body := httpbench.MobilityBody(fmt.Sprintf("C%03d", i), fmt.Sprintf("CP-%03d", i))
			for try := 0; ; try++ {
				st, rule := post(t, inst.base+"/v1/projects/"+clusterProject+"/mobilities", school, fmt.Sprintf("mob-%d", i), body)
				mu.Lock()
				switch {
				case st == http.StatusCreated:
					accepted++
					acceptedKey = i
				case st == http.StatusUnprocessableEntity && rule == "KA122-MAX-MOB":
					refused++
				case (st == http.StatusConflict || st == http.StatusServiceUnavailable) && try < 30:
					mu.Unlock()
					continue
				default:
					others = append(others, fmt.Sprintf("report %d: %d %s", i, st, rule))
				}
				mu.Unlock()
				return
			}
		}()
	}
	wg.Wait()
	if accepted != 30 || refused != 15 || len(others) > 0 {
		t.Fatalf("accepted %d, refused by KA122-MAX-MOB %d (want 30 and 15); other answers: %v", accepted, refused, others)
	}
	for i, inst := range s.instances {
		var ps struct {
			Project struct {
				Counts struct {
					Mobilities int `json:"mobilities"`
				} `json:"counts"`
			} `json:"project"`
		}
		waitFor(t, 30*time.Second, func() bool {
			st, _, body := call(t, "GET", inst.base+"/v1/projects/"+clusterProject, school, nil, nil)
			raw, _ := json.Marshal(body)
			return st == http.StatusOK && json.Unmarshal(raw, &ps) == nil && ps.Project.Counts.Mobilities == 30
		}, "instance %d's read models show 30 mobilities (last %d)", i+1, &ps.Project.Counts.Mobilities)
	}
	// A retry of an accepted report sent to the other instance answers
	// as the first time (the idempotency records are shared), though the
	// project is full now, and writes nothing.
	s.participant = fmt.Sprintf("CP-%03d", acceptedKey)
	other := s.instances[(acceptedKey+1)%len(s.instances)]
	req, _ := http.NewRequest(http.MethodPost, other.base+"/v1/projects/"+clusterProject+"/mobilities",
		bytes.NewReader(httpbench.MobilityBody(fmt.Sprintf("C%03d", acceptedKey), fmt.Sprintf("CP-%03d", acceptedKey))))
	req.Header.Set("Authorization", "Bearer "+school)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", fmt.Sprintf("mob-%d", acceptedKey))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the retry of report %d on the other instance: %d, Idempotent-Replayed %q; want 201 replayed", acceptedKey, resp.StatusCode, resp.Header.Get("Idempotent-Replayed"))
	}
	// Every stream and bucket the system made is replicated three times.
	js, err := natsjs.New(clusterConn(t, s.c, s.c.Creds.Serve))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	names := js.StreamNames(ctx)
	count := 0
	for name := range names.Name() {
		st, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if r := st.CachedInfo().Config.Replicas; r != 3 {
			t.Errorf("stream %s has %d replicas, want 3", name, r)
		}
		count++
	}
	if names.Err() != nil {
		t.Fatal(names.Err())
	}
	if count < 7 {
		t.Errorf("%d streams, want at least the event stream and the six buckets", count)
	}
}

// waitFor polls cond until it holds or limit passes.
func waitFor(t *testing.T, limit time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			for i, a := range args {
				if p, ok := a.(*int); ok {
					args[i] = *p
				}
			}
			t.Fatalf("not within %s: "+format, append([]any{limit}, args...)...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clusterRevocationIsRefusedAtOnceEverywhere proves a token revoked
// through one instance (grants token revoke, answered by one of them) is
// refused by every instance on the very next request.
func clusterRevocationIsRefusedAtOnceEverywhere(t *testing.T, s *clusterSystem) {
	// The secret is on stdout; the ID in the message on stderr.
	out, errOut, code := grants(t, "token", "create", "--role", "analyst", "--name", "revoked", "--nats-url", s.c.URL(), "--nats-nkey", s.c.Creds.Service, "--data-dir", t.TempDir())
	if code != 0 {
		t.Fatalf("token create: %d %s", code, errOut)
	}
	secret := strings.TrimSpace(out)
	m := regexp.MustCompile(`created token (\S+)`).FindStringSubmatch(errOut)
	if m == nil {
		t.Fatalf("no token ID in %q", errOut)
	}
	id := m[1]
	for i, inst := range s.instances {
		waitFor(t, 10*time.Second, func() bool {
			st, _, _ := call(t, "GET", inst.base+"/v1/projects/"+clusterProject, secret, nil, nil)
			return st == http.StatusOK
		}, "instance %d accepts the new token", i+1)
	}
	_, errOut, code = grants(t, "token", "revoke", id, "--nats-url", s.c.URL(), "--nats-nkey", s.c.Creds.Service, "--data-dir", t.TempDir())
	if code != 0 {
		t.Fatalf("token revoke: %d %s", code, errOut)
	}
	for i, inst := range s.instances {
		if st, _, body := call(t, "GET", inst.base+"/v1/projects/"+clusterProject, secret, nil, nil); st != http.StatusUnauthorized {
			t.Errorf("instance %d answered %d to the revoked token right after the revocation: %v", i+1, st, body)
		}
	}
}

// leaseHolders reads who holds each once-only job's lease ("" when none).
func leaseHolders(t *testing.T, kv natsjs.KeyValue) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, job := range []string{"deadlines", "retention", "checkpoints"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		e, err := kv.Get(ctx, job)
		cancel()
		if err == nil {
			out[job] = string(e.Value())
		}
	}
	return out
}

// holderPid is the pid in a holder name (host-pid-random).
func holderPid(holder string) int {
	parts := strings.Split(holder, "-")
	if len(parts) < 3 {
		return 0
	}
	var pid int
	fmt.Sscanf(parts[len(parts)-2], "%d", &pid)
	return pid
}

// clusterOnceOnlyJobsMoveWhenTheHolderIsKilled proves the deadline
// reminders, the retention and the checkpoints run on one instance at a
// time, elected through the replicated lease bucket: kill -9 the holder
// and the other instance takes every job over.
func clusterOnceOnlyJobsMoveWhenTheHolderIsKilled(t *testing.T, s *clusterSystem) {
	js, err := natsjs.New(clusterConn(t, s.c, s.c.Creds.Serve))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv, err := js.KeyValue(ctx, leasejs.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	byPid := map[int]*clusterInstance{}
	for _, inst := range s.instances {
		byPid[inst.pid] = inst
	}
	var holders map[string]string
	waitFor(t, 30*time.Second, func() bool {
		holders = leaseHolders(t, kv)
		for _, h := range holders {
			if byPid[holderPid(h)] == nil {
				return false
			}
		}
		return len(holders) == 3
	}, "every job has a holder among the instances")
	victim := byPid[holderPid(holders["deadlines"])]
	var survivor *clusterInstance
	for _, inst := range s.instances {
		if inst != victim {
			survivor = inst
		}
	}
	for job, h := range holders {
		t.Logf("before: %s held by pid %d", job, holderPid(h))
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	waitFor(t, 30*time.Second, func() bool {
		holders = leaseHolders(t, kv)
		for _, h := range holders {
			if holderPid(h) != survivor.pid {
				return false
			}
		}
		return len(holders) == 3
	}, "the surviving instance holds every job")
	for _, want := range []string{"deadlines: this instance holds the lease", "retention: this instance holds the lease", "checkpoints: this instance holds the lease"} {
		waitLog(t, survivor.logs, survivor.done, 10*time.Second, want)
	}
}

// clusterReplayRebuildsEveryInstance proves grants replay on a cluster
// has every instance rebuild its own read models and returns once all
// have swapped theirs in.
func clusterReplayRebuildsEveryInstance(t *testing.T, s *clusterSystem) {
	_, errOut, code := grants(t, "replay", "--nats-url", s.c.URL(), "--nats-nkey", s.c.Creds.Service, "--data-dir", t.TempDir(), "--log-format", "json")
	if code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errOut)
	}
	if want := fmt.Sprintf(`"instances":%d`, len(s.instances)); !strings.Contains(errOut, want) {
		t.Errorf("grants replay returned before every instance had rebuilt (want %s):\n%s", want, errOut)
	}
	for i, inst := range s.instances {
		if _, ok := inst.logs.find(`"msg":"rebuild swapped in"`); !ok {
			t.Errorf("instance %d has not swapped in rebuilt read models when grants replay returned", i+1)
		}
	}
}

// TestClusterCommandUpStatusDown drives grants cluster as scripts/cluster.sh
// does: up prints the URLs and the identities, status finds every node
// running with a meta leader, down stops them all and status then fails.
func TestClusterCommandUpStatusDown(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cluster")
	t.Cleanup(func() { grants(t, "cluster", "down", "--dir", dir) })
	out, errOut, code := grants(t, "cluster", "up", "--dir", dir)
	if code != 0 {
		t.Fatalf("cluster up: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"NATS URLs:", "nats-serve.nk", "nats-service.nk", "nats-reader.nk", "--replicas 3", "signing", "master.key"} {
		if !strings.Contains(out, want) {
			t.Errorf("cluster up does not print %q:\n%s", want, out)
		}
	}
	out, errOut, code = grants(t, "cluster", "status", "--dir", dir)
	if code != 0 || strings.Count(out, "meta leader n") != 3 {
		t.Fatalf("cluster status after up: exit %d, want 3 nodes with a meta leader:\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "watcher  running (pid ") {
		t.Fatalf("cluster status after up does not show the watcher running:\n%s", out)
	}
	c, err := natscluster.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	watcher := c.WatcherPid()
	if watcher == 0 {
		t.Fatal("cluster up started no watcher")
	}
	// A second up finds the cluster and its watcher running: no second
	// watcher.
	if _, errOut, code = grants(t, "cluster", "up", "--dir", dir); code != 0 || c.WatcherPid() != watcher {
		t.Fatalf("second cluster up: exit %d, watcher pid %d (was %d): %s", code, c.WatcherPid(), watcher, errOut)
	}
	// reload: every node reads its configuration again and keeps running
	// with its pid (no restart), and the cluster still answers.
	pids := make([]int, len(c.Nodes))
	for i := range c.Nodes {
		pids[i] = c.Pid(i)
	}
	out, errOut, code = grants(t, "cluster", "reload", "--dir", dir)
	if code != 0 || strings.Count(out, "reloaded") != 3 {
		t.Fatalf("cluster reload: exit %d, want 3 nodes reloaded:\n%s%s", code, out, errOut)
	}
	for i := range c.Nodes {
		if c.Pid(i) != pids[i] || !c.Running(i) {
			t.Fatalf("node %d after reload: pid %d (was %d), running %v", i, c.Pid(i), pids[i], c.Running(i))
		}
	}
	waitFor(t, 30*time.Second, func() bool {
		out, _, code = grants(t, "cluster", "status", "--dir", dir)
		return code == 0 && strings.Count(out, "meta leader n") == 3
	}, "the cluster answers after the reload")
	if _, _, code = grants(t, "cluster", "down", "--dir", dir); code != 0 {
		t.Fatalf("cluster down: exit %d", code)
	}
	for i := range c.Nodes {
		if c.Running(i) {
			t.Errorf("node %d runs after cluster down", i)
		}
	}
	if pid := c.WatcherPid(); pid != 0 {
		t.Errorf("the watcher (pid %d) runs after cluster down", pid)
	}
	if out, _, code = grants(t, "cluster", "status", "--dir", dir); code != 1 || strings.Count(out, "stopped") != 3 {
		t.Fatalf("cluster status after down: exit %d, want 1 with 3 nodes stopped:\n%s", code, out)
	}
}

// clusterErasureHoldsEverywhere proves a participant erased through one
// instance (PD-ERASE: the key destroyed in the shared bucket) shows erased
// on the other, which had read the personal data before. It runs after
// the KA122 subtest, and erases the participant of a report it saw
// accepted.
func clusterErasureHoldsEverywhere(t *testing.T, s *clusterSystem) {
	if s.participant == "" {
		t.Fatal("the KA122 subtest recorded no accepted report")
	}
	a, b := s.instances[0], s.instances[1]
	participant := "/v1/participants/" + s.participant + "?org=" + clusterOID
	// Instance 2 projects the reports made through either instance a
	// moment after they are stored.
	var st int
	var body map[string]any
	waitFor(t, 30*time.Second, func() bool {
		st, _, body = call(t, "GET", b.base+participant, s.office, nil, nil)
		return st == http.StatusOK && body["first_name"] == "Aino"
	}, "the participant is shown on instance 2 before the erasure")
	st, hdr, body := call(t, "POST", a.base+"/v1/organisations/"+clusterOID+"/participants/"+s.participant+"/erasure", s.office,
		map[string]any{"reason": "the participant asked (GDPR article 17)"}, map[string]string{"Idempotency-Key": "erase-" + s.participant})
	if st != http.StatusOK && st != http.StatusCreated {
		t.Fatalf("erasure through instance 1: %d %v", st, body)
	}
	st, _, body = call(t, "GET", b.base+participant, s.office, nil, map[string]string{"Grants-Min-Sequence": hdr.Get("Grants-Sequence")})
	if st != http.StatusOK || body["erased"] != true || body["first_name"] != "" {
		t.Fatalf("the participant after the erasure on instance 2: %d %v; want erased, no name", st, body)
	}
}
