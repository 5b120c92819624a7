package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPersonalDataNeverInLogsNorStream runs the real program at log level
// debug: a mobility reported over HTTP with a known name, e-mail and birth
// date, read back by the national office, then erased over HTTP
// (PD-ERASE). Neither the logs of the whole run nor the files of the event
// store hold the personal data (PD-SEALED), and once erased the API
// answers the participant as erased with no personal data.
func TestPersonalDataNeverInLogsNorStream(t *testing.T) {
	dir := t.TempDir()
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "pd", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	logs, cmd, done := serveLogged(t, dir, "--log-level", "debug")
	ready := waitLog(t, logs, done, 60*time.Second, "grants serve ready")
	var line struct {
		HTTP string `json:"http"`
	}
	if err := json.Unmarshal([]byte(ready), &line); err != nil || line.HTTP == "" {
		t.Fatalf("ready line %q: %v", ready, err)
	}
	base := "http://" + line.HTTP
	const oid, pid, project = "E10012345", "P-0001", "2024-1-FI01-KA122-SCH-000123"
	const last, email, born = "Pdlogtest", "liisa.pdlogtest@example.fi", "1975-05-05"
	seq := ""
	post := func(path, at string, body string, want ...int) {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		st, hdr, out := call(t, "POST", base+path, token, m, map[string]string{"Grants-Effective-At": at})
		if st != http.StatusOK && st != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, st, out)
		}
		seq = hdr.Get("Grants-Sequence")
	}
	post("/v1/organisations", "2024-01-10T10:00:00Z", `{"oid":"`+oid+`","legal_name":"Testikoulu","country":"FI","city":"Oulu","kind":"school"}`)
	post("/v1/projects", "2024-02-01T10:00:00Z", `{"project_id":"`+project+`","oid":"`+oid+`","action":"KA122","field":"school","call_year":2024,"round":1,"title":"Languages","partners":[],"start_date":"2024-09-01","end_date":"2025-08-31","requested_cents":6000000}`)
	post("/v1/projects/"+project+"/eligibility", "2024-04-01T10:00:00Z", `{"outcome":"eligible"}`)
	post("/v1/projects/"+project+"/decision", "2024-05-01T10:00:00Z", `{"outcome":"approved","awarded_cents":5400000}`)
	post("/v1/projects/"+project+"/agreement", "2024-06-01T10:00:00Z", `{"agreement_no":"GA-1"}`)
	post("/v1/projects/"+project+"/payments", "2024-06-10T10:00:00Z", `{"payment_id":"PF-1","kind":"pre-financing","amount_cents":100000}`)
	post("/v1/projects/"+project+"/mobilities", "2024-10-20T10:00:00Z", fmt.Sprintf(`{"mobility_id":"M-0001","participant_id":%q,"personal":{"first_name":"Liisa","last_name":%q,"email":%q,"birth_date":%q},"activity":"SM-JOB-SHDW","start_date":"2024-10-07","end_date":"2024-10-11","sending_organisation":"Testikoulu","receiving_organisation":"Schule Berlin","sending_country":"FI","receiving_country":"DE","receiving_city":"Berlin","distance_km":1500,"travel_days":2}`, pid, last, email, born))

	participant := func() map[string]any {
		t.Helper()
		st, _, out := call(t, "GET", base+"/v1/participants/"+pid+"?org="+oid, token, nil, map[string]string{"Grants-Min-Sequence": seq})
		if st != http.StatusOK {
			t.Fatalf("GET participant: %d %v", st, out)
		}
		return out
	}
	if p := participant(); p["last_name"] != last || p["email"] != email || p["birth_date"] != born {
		t.Fatalf("PD-SEALED: the office reads %v", p)
	}
	if st, _, out := call(t, "POST", base+"/v1/organisations/"+oid+"/participants/"+pid+"/erasure", token, map[string]any{}, nil); st != http.StatusBadRequest || out["field"] != "reason" {
		t.Fatalf("PD-ERASE without a reason: %d %v", st, out)
	}
	st, hdr, out := call(t, "POST", base+"/v1/organisations/"+oid+"/participants/"+pid+"/erasure", token, map[string]any{"reason": "the guardian asked"}, nil)
	if st != http.StatusOK && st != http.StatusCreated {
		t.Fatalf("PD-ERASE: %d %v", st, out)
	}
	seq = hdr.Get("Grants-Sequence")
	if p := participant(); p["erased"] != true || p["last_name"] != "" || p["email"] != nil || p["birth_date"] != nil {
		t.Fatalf("PD-ERASE: the API still answers %v", p)
	}

	// The whole run's log: the server stops cleanly first, writing every
	// line it holds (the access log is written in batches).
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("grants serve did not stop cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("grants serve did not stop within 30 s of SIGTERM")
	}
	for _, needle := range []string{last, email, born} {
		if l, ok := logs.find(needle); ok {
			t.Fatalf("personal data %q in the log: %s", needle, l)
		}
	}
	if hits := grepDir(t, filepath.Join(dir, "nats"), []byte(last), []byte(email), []byte(born)); len(hits) > 0 {
		t.Fatalf("PD-SEALED: personal data in the event store's files: %v", hits)
	}
	if _, ok := logs.find("/v1/projects/:id/mobilities"); !ok {
		t.Fatalf("the log shows no report of the mobility (the search above would prove nothing)")
	}
}
