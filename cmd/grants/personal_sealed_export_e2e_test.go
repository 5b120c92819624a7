package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
	"github.com/erasmus-ledger/grants/internal/history"
)

// sealedPerson is one participant of a sealed generated history.
type sealedPerson struct{ org, id, last string }

// writeSealedHistory writes a generated history sealed as serve seals it
// (the master key in <dataDir>/pii/master.key, the subject keys in the
// key bucket): no name is in the stream in clear. It returns the names
// and birth dates sealed, and the participants.
func writeSealedHistory(t *testing.T, dataDir string) ([]string, []sealedPerson) {
	t.Helper()
	ctx := context.Background()
	e, err := jetstream.OpenEmbedded(ctx, jetstream.EmbeddedConfig{StoreDir: filepath.Join(dataDir, "nats"), Port: -1}, aggregates.Registry(), jetstream.Config{Signer: storetest.Signer})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	master, err := pii.LoadOrCreateMaster(filepath.Join(dataDir, "pii", "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := natsjs.New(e.Conn)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := piijs.Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	vault, err := pii.NewVault(master, keys)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	var people []sealedPerson
	sealer := personal.Sealer{Vault: vault}
	seal := func(ctx context.Context, drafts []events.Draft) ([]events.Draft, error) {
		mu.Lock()
		for _, d := range drafts {
			if m, ok := d.Payload.(aggregates.MobilityReported); ok {
				p := m.Mobility.Personal
				for _, v := range []string{p.FirstName, p.LastName, p.BirthDate.String()} {
					if len(v) >= 3 {
						seen[v] = true
					}
				}
				if len(p.LastName) >= 3 {
					people = append(people, sealedPerson{org: m.OID, id: m.Mobility.ParticipantID, last: p.LastName})
				}
			}
		}
		mu.Unlock()
		return sealer.SealDrafts(ctx, drafts)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := history.Generate(ctx, e.Store, history.Config{Events: 300, Seed: 31, Workers: 1, AppendSize: 20, MobilitiesPerProject: 12, Start: start, Seal: seal}); err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out, people
}

// TestDisclosedFilesOpenSealedData proves PD-DISCLOSE-REASON,
// PD-EXPORT-PSEUDONYMOUS and PD-ERASE over a SEALED history, end to end
// with a running serve that holds the keys: the disclosed replay file
// holds the participants' names (opened by serve over grants-admin.open),
// the analyst's file none; the disclosed event export has them in clear
// and no sealed block, the pseudonymous one neither names nor blocks;
// after one participant is erased, the disclosed outputs report that one
// as erased and hold no name of theirs.
func TestDisclosedFilesOpenSealedData(t *testing.T) {
	dir := t.TempDir()
	names, people := writeSealedHistory(t, dir)
	if len(names) < 10 || len(people) < 2 {
		t.Fatalf("the history holds %d personal values and %d participants: the test proves nothing", len(names), len(people))
	}
	if found := grepDir(t, filepath.Join(dir, "nats"), []byte(people[0].last)); len(found) > 0 {
		t.Fatalf("PD-SEALED: %q is in the stream's files %v", people[0].last, found)
	}
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "pd", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	s := startServeListening(t, dir, "127.0.0.1:0")
	at := []string{"--data-dir", dir, "--nats-listen", strings.TrimPrefix(s.nats, "nats://")}
	files := t.TempDir()
	const reason = "audit of the 2024 mobilities by the ministry"

	plain := filepath.Join(files, "analyst.db")
	if out, errOut, code := grants(t, append([]string{"replay", "--out", plain}, at...)...); code != 0 {
		t.Fatalf("replay --out: exit %d: %s%s", code, out, errOut)
	}
	full := filepath.Join(files, "disclosed.db")
	if out, errOut, code := grants(t, append([]string{"replay", "--out", full, "--personal-data", "--reason", reason}, at...)...); code != 0 {
		t.Fatalf("replay --personal-data: exit %d: %s%s", code, out, errOut)
	}
	if found := personalIn(t, full, names); len(found) < len(names)/2 {
		t.Fatalf("PD-DISCLOSE-REASON: the disclosed file holds %d of %d sealed values", len(found), len(names))
	}
	if found := personalIn(t, plain, names); len(found) > 0 {
		t.Fatalf("PD-EXPORT-PSEUDONYMOUS: the analyst's file holds %q", found[:min(5, len(found))])
	}
	// Nor their sealed blocks (every column and the file's bytes).
	if found := personalIn(t, plain, []string{"personal_sealed", "A256GCM"}); len(found) > 0 {
		t.Fatalf("PD-EXPORT-PSEUDONYMOUS: the analyst's file holds sealed blocks (%q)", found)
	}

	exportTo := func(name string, disclosed bool) string {
		t.Helper()
		p := filepath.Join(files, name)
		args := append([]string{"export", "events", "--out", p}, at...)
		if disclosed {
			args = append(args, "--personal-data", "--reason", reason)
		}
		if out, errOut, code := grants(t, args...); code != 0 {
			t.Fatalf("export events: exit %d: %s%s", code, out, errOut)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if b := exportTo("plain.ndjson", false); strings.Contains(b, `"personal_sealed"`) || strings.Contains(b, `"personal":`) || containsAny(b, names) != "" {
		i := max(0, strings.Index(b, `"personal`)-200)
		t.Fatalf("PD-EXPORT-PSEUDONYMOUS: the pseudonymous export holds a personal block or a name (%q): %.400s", containsAny(b, names), b[i:])
	}
	readNDJSON(t, filepath.Join(files, "plain.ndjson"))
	b := exportTo("disclosed.ndjson", true)
	if strings.Contains(b, `"personal_sealed"`) || !strings.Contains(b, `"personal":{`) || !strings.Contains(b, people[0].last) {
		t.Fatal("PD-DISCLOSE-REASON: the disclosed export does not hold the personal data in clear")
	}

	// PD-ERASE: erase one participant; the disclosed outputs report them erased.
	gone := people[0]
	st, _, res := call(t, "POST", s.base+"/v1/organisations/"+gone.org+"/participants/"+gone.id+"/erasure", token, map[string]any{"reason": "the guardian asked"}, nil)
	if st != http.StatusOK && st != http.StatusCreated {
		t.Fatalf("erasure: %d %v", st, res)
	}
	b = exportTo("after.ndjson", true)
	if strings.Contains(b, `"personal_sealed"`) || !strings.Contains(b, `"personal_erased":true`) {
		t.Fatal("PD-ERASE: the disclosed export does not report the erased participant as erased")
	}
	if open, erased := mobilityBlocks(t, b, gone); erased == 0 || open > 0 {
		t.Fatalf("PD-ERASE: the disclosed export opens %d blocks of the erased participant, reports %d erased", open, erased)
	}
	if open, _ := mobilityBlocks(t, b, people[len(people)-1]); open == 0 && people[len(people)-1] != gone {
		t.Fatal("the others' personal data are no longer disclosed")
	}
	after := filepath.Join(files, "after.db")
	if out, errOut, code := grants(t, append([]string{"replay", "--out", after, "--personal-data", "--reason", reason}, at...)...); code != 0 {
		t.Fatalf("replay --personal-data after the erasure: exit %d: %s%s", code, out, errOut)
	}
	if n := countRows(t, after, "SELECT count(*) FROM participants WHERE org = '"+gone.org+"' AND id = '"+gone.id+"' AND last_name != ''"); n != 0 {
		t.Fatalf("PD-ERASE: the disclosed file still names the erased participant")
	}
	if n := countRows(t, after, "SELECT count(*) FROM erased_participants WHERE org = '"+gone.org+"' AND id = '"+gone.id+"'"); n != 1 {
		t.Fatalf("PD-ERASE: the disclosed file shows the participant erased %d times, want 1", n)
	}
	s.stop(t)
}

// mobilityBlocks counts the mobility events of p in an NDJSON export
// whose personal block is open, and those reported erased.
func mobilityBlocks(t *testing.T, ndjson string, p sealedPerson) (open, erased int) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(ndjson), "\n") {
		var ce struct {
			Data struct {
				OID      string `json:"oid"`
				Mobility struct {
					ParticipantID  string          `json:"participant_id"`
					Personal       json.RawMessage `json:"personal"`
					PersonalErased bool            `json:"personal_erased"`
				} `json:"mobility"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &ce); err != nil {
			t.Fatalf("not JSON: %v: %.200s", err, line)
		}
		if ce.Data.OID != p.org || ce.Data.Mobility.ParticipantID != p.id {
			continue
		}
		if ce.Data.Mobility.PersonalErased {
			erased++
		}
		if len(ce.Data.Mobility.Personal) > 0 && string(ce.Data.Mobility.Personal) != "null" {
			open++
		}
	}
	return open, erased
}

func containsAny(s string, values []string) string {
	for _, v := range values {
		if strings.Contains(s, v) {
			return v
		}
	}
	return ""
}
