package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/internal/history"
)

// writePersonalHistory writes a generated history (participants with
// names and birth dates, recorded from 2024-01-01 on, one second apart)
// and returns the personal values its payloads hold in clear: every first
// and last name and birth date of a reported mobility (none once they are
// sealed; the test then takes them from a disclosed file).
func writePersonalHistory(t *testing.T, dataDir string) []string {
	t.Helper()
	store, stop := jstest.Open(t, filepath.Join(dataDir, "nats"), aggregates.Registry())
	defer stop()
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := history.Generate(ctx, store, history.Config{Events: 400, Seed: 13, Workers: 1, AppendSize: 20, MobilitiesPerProject: 15, Start: start}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err := store.Events(ctx, 1, 0, func(env events.Envelope) error {
		if env.Type != "MobilityReported" {
			return nil
		}
		var e aggregates.MobilityReported
		if err := json.Unmarshal(env.Payload, &e); err != nil {
			return err
		}
		p := e.Mobility.Personal
		for _, v := range []string{p.FirstName, p.LastName, p.BirthDate.String()} {
			if len(v) >= 3 {
				seen[v] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// personalIn scans every column of every table of a SQLite file, and the
// file's bytes, for the personal values; it returns those found.
func personalIn(t *testing.T, path string, values []string) []string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var text strings.Builder
	for _, tb := range tables {
		r, err := db.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				switch v := v.(type) {
				case string:
					text.WriteString(v)
				case []byte:
					text.Write(v)
				}
				text.WriteByte('\n')
			}
		}
		r.Close()
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all := text.String() + string(raw)
	var found []string
	for _, v := range values {
		if strings.Contains(all, v) {
			found = append(found, v)
		}
	}
	return found
}

// TestAnalystFilesCarryNoPersonalData proves PD-EXPORT-PSEUDONYMOUS and
// PD-DISCLOSE-REASON end to end with a running serve: a replay --out file
// and the NDJSON event export hold none of the history's names and birth
// dates (every table and column, and the file's bytes, scanned); with
// --personal-data and a reason they do, and a PersonalDataDisclosed event
// records it first; without a reason nothing is built (exit 2); a replay
// before the first event warns ASOF-EMPTY and exits 0.
func TestAnalystFilesCarryNoPersonalData(t *testing.T) {
	dir := t.TempDir()
	personal := writePersonalHistory(t, dir)
	s := startServeListening(t, dir, "127.0.0.1:0")
	listen := strings.TrimPrefix(s.nats, "nats://")
	at := []string{"--data-dir", dir, "--nats-listen", listen}
	files := t.TempDir()

	// PD-EXPORT-PSEUDONYMOUS: the analyst's file.
	plain := filepath.Join(files, "analyst.db")
	if out, errOut, code := grants(t, append([]string{"replay", "--out", plain}, at...)...); code != 0 {
		t.Fatalf("replay --out: exit %d: %s%s", code, out, errOut)
	}
	if n := countRows(t, plain, "SELECT count(*) FROM audit_log WHERE actor_user = 'generator'"); n != 0 {
		t.Fatalf("PD-EXPORT-PSEUDONYMOUS: %d audit entries name the acting user", n)
	}
	if n := countRows(t, plain, "SELECT count(*) FROM mobilities"); n == 0 {
		t.Fatal("the analyst's file holds no mobilities: the scan proves nothing")
	}

	// PD-DISCLOSE-REASON: no reason, nothing built.
	noReason := filepath.Join(files, "no-reason.db")
	if _, errOut, code := grants(t, append([]string{"replay", "--out", noReason, "--personal-data"}, at...)...); code != 2 || !strings.Contains(errOut, "PD-DISCLOSE-REASON") {
		t.Fatalf("PD-DISCLOSE-REASON: --personal-data without a reason: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(noReason); err == nil {
		t.Fatal("PD-DISCLOSE-REASON: a file was built without a reason")
	}

	// PD-DISCLOSE-REASON: asked with a reason, the data are there and the
	// disclosure is an event.
	full := filepath.Join(files, "disclosed.db")
	if out, errOut, code := grants(t, append([]string{"replay", "--out", full, "--personal-data", "--reason", "audit of the 2024 mobilities by the ministry"}, at...)...); code != 0 {
		t.Fatalf("replay --personal-data: exit %d: %s%s", code, out, errOut)
	}
	if found := personalIn(t, full, personal); len(found) == 0 && len(personal) > 0 {
		t.Fatal("PD-DISCLOSE-REASON: the disclosed file holds none of the personal data: the scan cannot find any")
	}
	// The participants the disclosed file holds are personal values too
	// (the only ones when the stream holds them sealed).
	personal = append(personal, participantsOf(t, full)...)
	if len(personal) < 10 {
		t.Fatalf("the history holds only %d personal values: the scan proves nothing", len(personal))
	}
	if found := personalIn(t, plain, personal); len(found) > 0 {
		t.Fatalf("PD-EXPORT-PSEUDONYMOUS: the analyst's file holds personal data: %q", found[:min(5, len(found))])
	}

	// The event export: pseudonymous, parsed back line by line, and it
	// shows the disclosure event.
	ndjson := filepath.Join(files, "events.ndjson")
	if out, errOut, code := grants(t, append([]string{"export", "events", "--out", ndjson}, at...)...); code != 0 {
		t.Fatalf("export events: exit %d: %s%s", code, out, errOut)
	}
	lines, disclosed := readNDJSON(t, ndjson)
	if lines < 400 {
		t.Fatalf("the export holds %d lines, want every event (at least 400)", lines)
	}
	if disclosed != 1 {
		t.Fatalf("PD-DISCLOSE-REASON: %d PersonalDataDisclosed events in the log, want 1", disclosed)
	}
	b, _ := os.ReadFile(ndjson)
	for _, v := range personal {
		if strings.Contains(string(b), v) {
			t.Fatalf("PD-EXPORT-PSEUDONYMOUS: the event export holds %q", v)
		}
	}

	// The disclosure is a signed event like any other: the ledger verifies
	// (--fast: the generated history is signed by the test's own key, and
	// covered by the checkpoint the serve wrote at its start).
	if out, errOut, code := grants(t, append([]string{"verify", "--fast"}, at...)...); code != 0 {
		t.Fatalf("verify after a disclosure: exit %d: %s%s", code, out, errOut)
	}

	// ASOF-EMPTY: before the first event, on the recorded clock.
	empty := filepath.Join(files, "empty.db")
	_, errOut, code := grants(t, append([]string{"replay", "--out", empty, "--until", "2023-12-30"}, at...)...)
	if code != 0 || !strings.Contains(errOut, "ASOF-EMPTY") || !strings.Contains(errOut, "recorded") {
		t.Fatalf("ASOF-EMPTY: replay before the first event: exit %d, stderr %s", code, errOut)
	}
	s.stop(t)
}

// participantsOf returns the names and birth dates of a read-model file's
// participants table.
func participantsOf(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT first_name, last_name, birth_date FROM participants")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var f, l, b string
		if err := rows.Scan(&f, &l, &b); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{f, l, b} {
			if len(v) >= 3 {
				out = append(out, v)
			}
		}
	}
	return out
}

// countRows runs a count query on a SQLite file.
func countRows(t *testing.T, path, q string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// readNDJSON parses an export line by line as CloudEvents and counts the
// lines and the disclosure events; every line must be a pseudonymised
// CloudEvent with no personal member in its data.
func readNDJSON(t *testing.T, path string) (lines, disclosed int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var last uint64
	for sc.Scan() {
		lines++
		var ce struct {
			SpecVersion string          `json:"specversion"`
			ID          string          `json:"id"`
			Type        string          `json:"type"`
			Time        time.Time       `json:"time"`
			Effective   time.Time       `json:"effectivetime"`
			Sequence    uint64          `json:"sequence"`
			ActorUser   string          `json:"actoruser"`
			Redacted    string          `json:"redacted"`
			Data        json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ce); err != nil {
			t.Fatalf("line %d is not JSON: %v: %.200s", lines, err, sc.Text())
		}
		if ce.SpecVersion != "1.0" || ce.ID == "" || ce.Type == "" || ce.Time.IsZero() || ce.Effective.IsZero() || ce.Sequence <= last || ce.Redacted != "personal" {
			t.Fatalf("line %d is not a pseudonymised CloudEvent in stream order: %.300s", lines, sc.Text())
		}
		last = ce.Sequence
		if ce.ActorUser == "generator" || (ce.ActorUser != "" && !strings.HasPrefix(ce.ActorUser, "person-") && !strings.HasPrefix(ce.ActorUser, "system-")) {
			t.Fatalf("line %d names its actor: %q", lines, ce.ActorUser)
		}
		if strings.Contains(string(ce.Data), `"personal`) {
			t.Fatalf("line %d carries a personal block: %.300s", lines, ce.Data)
		}
		if ce.Type == "PersonalDataDisclosed" {
			disclosed++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines, disclosed
}

// TestPersonalDataNeedARunningServe (PD-DISCLOSE-REASON): without a
// running grants serve the disclosure cannot be recorded, so nothing is
// built or written (exit status 1).
func TestPersonalDataNeedARunningServe(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "f.db")
	_, errOut, code := grants(t, "replay", "--out", out, "--personal-data", "--reason", "audit by the ministry", "--data-dir", dir, "--nats-listen", "off")
	if code != 1 || !strings.Contains(errOut, "PD-DISCLOSE-REASON") {
		t.Fatalf("replay --personal-data without a serve: exit %d: %s", code, errOut)
	}
	nd := filepath.Join(t.TempDir(), "e.ndjson")
	_, errOut, code = grants(t, "export", "events", "--out", nd, "--personal-data", "--reason", "audit by the ministry", "--data-dir", dir, "--nats-listen", "off")
	if code != 1 || !strings.Contains(errOut, "PD-DISCLOSE-REASON") {
		t.Fatalf("export --personal-data without a serve: exit %d: %s", code, errOut)
	}
	for _, f := range []string{out, nd} {
		if _, err := os.Stat(f); err == nil {
			t.Fatalf("%s was written without a recorded disclosure", f)
		}
	}
}
