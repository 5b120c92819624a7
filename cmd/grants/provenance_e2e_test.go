package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/internal/legacywire"
)

var accreditation = map[string]any{"accreditation_id": "ACC-2022-SCH", "field": "school", "kind": "single", "strategy_attached": true,
	"plan": map[string]any{"from_year": 2024, "to_year": 2027, "objectives": []any{map[string]any{"text": "languages", "indicators": []string{"CEFR"}}}}}

func register(t *testing.T, s *served, token, oid string) string {
	t.Helper()
	org := map[string]any{"oid": oid, "legal_name": "Koulu " + oid, "country": "FI", "city": "Helsinki", "kind": "school"}
	st, hdr, body := call(t, "POST", s.base+"/v1/organisations", token, org, map[string]string{"Idempotency-Key": "reg-" + oid})
	if st != http.StatusCreated {
		t.Fatalf("register %s: %d %v", oid, st, body)
	}
	return hdr.Get("Grants-Sequence")
}

// forge appends, with the project's own store library and NATS access but
// a key of its own, an event that follows the aggregate's chain exactly.
func forge(t *testing.T, dir string, ref events.Ref) events.Envelope {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	emb, err := jetstream.OpenEmbedded(ctx, jetstream.EmbeddedConfig{StoreDir: filepath.Join(dir, "nats"), Port: -1}, aggregates.Registry(),
		jetstream.Config{Signer: events.NewEd25519Signer(priv)})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	envs, err := emb.Store.Load(ctx, ref, 0)
	if err != nil || len(envs) == 0 {
		t.Fatalf("loading %s: %v", ref, err)
	}
	out, err := emb.Store.Append(ctx, events.AppendRequest{Ref: ref, Expected: events.HeadOf(envs[len(envs)-1]),
		Meta:   events.Meta{Actor: events.Actor{UserID: "mallory", Role: aggregates.RoleNationalOffice}, RecordedAt: time.Now()},
		Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: ref.ID, LegalName: "Forged Oy", Country: "FI", City: "Turku", Kind: "school"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// TestForgeryIsNamedQuarantinedAndItsAggregateRefusesWritesUntilResolved
// is the attack of issue 12: a correctly chained event appended without
// the signing key. grants verify names it; the projector quarantines it
// while another organisation's events keep projecting; its aggregate
// refuses writes (LEDGER-DAMAGED) until the national office resolves it.
func TestForgeryIsNamedQuarantinedAndItsAggregateRefusesWritesUntilResolved(t *testing.T) {
	dir := t.TempDir()
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "office", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	s := startServe(t, dir)
	register(t, s, token, "E10000001")
	register(t, s, token, "E20000002")
	s.stop(t)

	victim := events.Ref{Org: "E10000001", Kind: aggregates.KindOrganisation, ID: "E10000001"}
	forged := forge(t, dir, victim)
	want := fmt.Sprintf("first broken event: sequence %d (organisation/E10000001@E10000001 version 2, OrganisationRegistered)", forged.Sequence)
	out, errOut, code := grants(t, "verify", "--data-dir", dir, "--nats-listen", "off")
	if code != 1 || !strings.Contains(out, want) {
		t.Fatalf("grants verify: exit %d, want 1 naming %q:\n%s%s", code, want, out, errOut)
	}

	s = startServe(t, dir)
	// Another organisation keeps projecting.
	seq := register(t, s, token, "E30000003")
	st, _, body := call(t, "GET", s.base+"/v1/organisations/E30000003", token, nil, map[string]string{"Grants-Min-Sequence": seq})
	if st != http.StatusOK {
		t.Fatalf("another organisation after the forgery: %d %v", st, body)
	}
	st, _, body = call(t, "GET", s.base+"/v1/organisations/E10000001", token, nil, map[string]string{"Grants-Min-Sequence": seq})
	if st != http.StatusOK || orgName(body) != "Koulu E10000001" {
		t.Fatalf("the forged rename was applied: %d %v", st, body)
	}
	quarantined := getRaw(t, s.base+"/v1/audit/quarantine", token)
	if !strings.Contains(quarantined, `"sequence":`+strconv.FormatUint(forged.Sequence, 10)) || !strings.Contains(quarantined, `"subject":"grants.E10000001.organisation.E10000001"`) {
		t.Fatalf("the quarantine does not list the forgery: %s", quarantined)
	}
	if ready := getRaw(t, s.base+"/readyz", token); !strings.Contains(ready, `"status":"degraded"`) {
		t.Fatalf("/readyz with a quarantined event: %s", ready)
	}
	if m := getRaw(t, s.base+"/metrics", token); !strings.Contains(m, "grants_quarantined_events 1") {
		t.Fatalf("/metrics does not count the quarantined event")
	}

	// The damaged aggregate refuses writes, naming the sequence.
	st, _, body = call(t, "POST", s.base+"/v1/organisations/E10000001/accreditations", token, accreditation, map[string]string{"Idempotency-Key": "acc-1"})
	if st != http.StatusUnprocessableEntity || body["rule"] != "LEDGER-DAMAGED" || !strings.Contains(fmt.Sprint(body["detail"]), "sequence "+strconv.FormatUint(forged.Sequence, 10)) {
		t.Fatalf("a write to the damaged aggregate: %d %v", st, body)
	}
	// The national office resolves it; writes resume.
	res := map[string]any{"aggregate_kind": "organisation", "aggregate_id": "E10000001", "sequence": forged.Sequence, "resolution": "dismissed", "reason": "forged by a process with NATS access"}
	st, _, body = call(t, "POST", s.base+"/v1/audit/damage-resolutions", token, res, map[string]string{"Idempotency-Key": "res-1"})
	if st != http.StatusOK && st != http.StatusCreated {
		t.Fatalf("resolving: %d %v", st, body)
	}
	st, _, body = call(t, "POST", s.base+"/v1/organisations/E10000001/accreditations", token, accreditation, map[string]string{"Idempotency-Key": "acc-2"})
	if st != http.StatusOK && st != http.StatusCreated {
		t.Fatalf("a write after the resolution: %d %v", st, body)
	}
	s.stop(t)
	out, errOut, code = grants(t, "verify", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 || !strings.Contains(out, "resolved") {
		t.Fatalf("grants verify after the resolution: exit %d:\n%s%s", code, out, errOut)
	}
}

func getRaw(t *testing.T, url, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestLegacyEventsKeyRotationAndATruncatedTail: events stored in wire
// format 2 before signing still read and verify (a checkpoint written at
// the upgrade covers them); a key rotation keeps the events signed before
// valid; a history truncated after a checkpoint was exported is caught by
// grants verify --against.
func TestLegacyEventsKeyRotationAndATruncatedTail(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	natsDir := filepath.Join(dir, "nats")
	// Before the upgrade: two organisations in wire format 2, unsigned.
	emb, err := jetstream.OpenEmbedded(ctx, jetstream.EmbeddedConfig{StoreDir: natsDir, Port: -1}, aggregates.Registry(), jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, oid := range []string{"E10000001", "E20000002"} {
		envs, err := events.Build(aggregates.Registry(), nil, nil, events.AppendRequest{Ref: events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid},
			Meta:   events.Meta{Actor: events.Actor{UserID: "officer", Role: aggregates.RoleNationalOffice}, RecordedAt: time.Now()},
			Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: oid, LegalName: "Koulu " + oid, Country: "FI", City: "Oulu", Kind: "school"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := emb.Conn.RequestMsg(&nats.Msg{Subject: envs[0].Ref.Subject(), Header: legacywire.Header(&envs[0]), Data: envs[0].Payload}, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	emb.Close()

	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "office", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	s := startServe(t, dir)
	seq := register(t, s, token, "E30000003")
	st, _, body := call(t, "GET", s.base+"/v1/organisations/E10000001", token, nil, map[string]string{"Grants-Min-Sequence": seq})
	if st != http.StatusOK || orgName(body) != "Koulu E10000001" {
		t.Fatalf("a legacy event after the upgrade: %d %v", st, body)
	}
	st, _, body = call(t, "POST", s.base+"/v1/organisations/E10000001/accreditations", token, accreditation, map[string]string{"Idempotency-Key": "acc-legacy"})
	if st != http.StatusOK && st != http.StatusCreated {
		t.Fatalf("a write on an aggregate with a legacy history: %d %v", st, body)
	}
	s.stop(t)

	if out, errOut, code := grants(t, "keys", "rotate", "--data-dir", dir); code != 0 {
		t.Fatalf("keys rotate: exit %d: %s%s", code, out, errOut)
	}
	s = startServe(t, dir)
	register(t, s, token, "E40000004")
	s.stop(t)
	out, errOut, code := grants(t, "verify", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 || !strings.Contains(out, "valid") {
		t.Fatalf("verify after the upgrade and a rotation: exit %d:\n%s%s", code, out, errOut)
	}
	cpFile := filepath.Join(t.TempDir(), "cp.json")
	if out, errOut, code := grants(t, "checkpoint", "export", "--out", cpFile, "--data-dir", dir, "--nats-listen", "off"); code != 0 {
		t.Fatalf("checkpoint export: exit %d: %s%s", code, out, errOut)
	}
	if out, errOut, code := grants(t, "verify", "--against", cpFile, "--data-dir", dir, "--nats-listen", "off"); code != 0 {
		t.Fatalf("verify against a fresh checkpoint: exit %d:\n%s%s", code, out, errOut)
	}

	// Someone deletes the stream and publishes its first three messages again.
	emb, err = jetstream.OpenEmbedded(ctx, jetstream.EmbeddedConfig{StoreDir: natsDir, Port: -1}, aggregates.Registry(), jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	js, err := natsjs.New(emb.Conn)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(ctx, jetstream.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	var kept []*natsjs.RawStreamMsg
	for seq := uint64(1); seq <= 3; seq++ {
		m, err := stream.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, m)
	}
	if err := js.DeleteStream(ctx, jetstream.StreamName); err != nil {
		t.Fatal(err)
	}
	emb.Close()
	emb, err = jetstream.OpenEmbedded(ctx, jetstream.EmbeddedConfig{StoreDir: natsDir, Port: -1}, aggregates.Registry(), jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range kept {
		h := nats.Header{}
		for k, v := range m.Header {
			if !strings.HasPrefix(k, "Nats-") {
				h[k] = v
			}
		}
		if _, err := emb.Conn.RequestMsg(&nats.Msg{Subject: m.Subject, Header: h, Data: m.Data}, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	emb.Close()
	out, errOut, code = grants(t, "verify", "--against", cpFile, "--data-dir", dir, "--nats-listen", "off")
	if code != 1 || !strings.Contains(out, "truncated") {
		t.Fatalf("verify of a truncated history against the exported checkpoint: exit %d, want 1 and \"truncated\":\n%s%s", code, out, errOut)
	}
}

// TestFlippedByteIsReportedWithItsSequence flips one byte of a stored
// record in the stream's block file: grants verify names the sequence
// (NATS drops the record: a missing sequence) and exits 1.
func TestFlippedByteIsReportedWithItsSequence(t *testing.T) {
	dir := t.TempDir()
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "office", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	s := startServe(t, dir)
	register(t, s, token, "E10000001")
	seq := register(t, s, token, "E20000002")
	register(t, s, token, "E30000003")
	s.stop(t)

	blocks, _ := filepath.Glob(filepath.Join(dir, "nats", "jetstream", "*", "streams", jetstream.StreamName, "msgs", "*.blk"))
	flipped := false
	for _, b := range blocks {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(data, []byte("Koulu E20000002")); i >= 0 {
			data[i+2] ^= 0x20
			if err := os.WriteFile(b, data, 0o600); err != nil {
				t.Fatal(err)
			}
			flipped = true
		}
	}
	if !flipped {
		t.Fatalf("the record was not found in the block files %v", blocks)
	}
	out, errOut, code := grants(t, "verify", "--data-dir", dir, "--nats-listen", "off")
	if code != 1 || !strings.Contains(out, "sequence "+seq) {
		t.Fatalf("grants verify after a flipped byte: exit %d, want 1 naming sequence %s:\n%s%s", code, seq, out, errOut)
	}
	t.Logf("%s", out)
}
