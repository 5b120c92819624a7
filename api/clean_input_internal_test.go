package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// TestUncleanInputIsRefusedAtTheDecodePath: text that is not valid UTF-8,
// holds control or bidi-override characters or is too long, and dates out
// of 1900-2100, are refused with problem+json naming the rule and the
// field, in a body, a header, a path or a query parameter, before any
// command reaches the handler.
func TestUncleanInputIsRefusedAtTheDecodePath(t *testing.T) {
	mob := "/v1/projects/P1/mobilities"
	for _, tc := range []struct {
		name, method, path, body string
		hdr                      []string
		rule, field              string
	}{
		{"INPUT-TEXT/bidi override in a body field", http.MethodPost, mob, `{"receiving_city":"Berlin\u202eexe.txt"}`, nil, aggregates.RuleText, "receiving_city"},
		{"INPUT-TEXT/isolate deep in a body", http.MethodPost, mob, `{"personal":{"first_name":"\u2067Aino\u2069"}}`, nil, aggregates.RuleText, "personal.first_name"},
		{"INPUT-TEXT/left-to-right mark", http.MethodPost, mob, `{"participant_id":"P\u200e1"}`, nil, aggregates.RuleText, "participant_id"},
		{"INPUT-TEXT/control character", http.MethodPost, mob, `{"receiving_organisation":"a\u0007b"}`, nil, aggregates.RuleText, "receiving_organisation"},
		{"INPUT-TEXT/newline in a one-line field", http.MethodPost, mob, `{"receiving_city":"Oulu\n=1+2"}`, nil, aggregates.RuleText, "receiving_city"},
		{"INPUT-TEXT/invalid UTF-8 in a body", http.MethodPost, mob, "{\"receiving_city\":\"Jyv\xe4skyl\xe4\"}", nil, aggregates.RuleText, "receiving_city"},
		{"INPUT-TEXT/in an array element", http.MethodPost, mob, `{"ukraine":{"documents":["pay-slip","x\u202e"]}}`, nil, aggregates.RuleText, "ukraine.documents[1]"},
		{"INPUT-TEXT/bidi in a member name", http.MethodPost, mob, "{\"personal\":{\"first\u202e_name\":\"A\"}}", nil, aggregates.RuleText, "personal.(name)"},
		{"INPUT-TEXT-LENGTH/over-long", http.MethodPost, mob, `{"receiving_city":"` + strings.Repeat("ö", aggregates.MaxTextRunes+1) + `"}`, nil, aggregates.RuleTextLength, "receiving_city"},
		{"INPUT-DATE-RANGE/start in year 0024", http.MethodPost, mob, `{"start_date":"0024-05-02"}`, nil, aggregates.RuleDateRange, "start_date"},
		{"INPUT-DATE-RANGE/birth date in 1850", http.MethodPost, mob, `{"personal":{"birth_date":"1850-01-01"}}`, nil, aggregates.RuleDateRange, "personal.birth_date"},
		{"INPUT-DATE-RANGE/end in 2101", http.MethodPost, mob, `{"end_date":"2101-01-01"}`, nil, aggregates.RuleDateRange, "end_date"},
		{"INPUT-TEXT/bidi in Grants-Reason", http.MethodDelete, mob + "/M1", `{}`, []string{HeaderReason, url.PathEscape("ok \u202egnp.exe")}, aggregates.RuleText, HeaderReason},
		{"INPUT-TEXT/invalid UTF-8 in Grants-Reason", http.MethodDelete, mob + "/M1", `{}`, []string{HeaderReason, "%E4%FF"}, aggregates.RuleText, HeaderReason},
		{"INPUT-TEXT-LENGTH/Grants-Reason", http.MethodDelete, mob + "/M1", `{}`, []string{HeaderReason, strings.Repeat("a", aggregates.MaxTextRunes+1)}, aggregates.RuleTextLength, HeaderReason},
		{"INPUT-TEXT/control in ?reason=", http.MethodDelete, mob + "/M1?reason=a%00b", `{}`, nil, aggregates.RuleText, "reason"},
		{"INPUT-DATE-RANGE/Grants-Effective-At", http.MethodDelete, mob + "/M1", `{}`, []string{HeaderEffectiveAt, "1066-10-14"}, aggregates.RuleDateRange, HeaderEffectiveAt},
		{"INPUT-TEXT/bidi in a path parameter", http.MethodDelete, "/v1/projects/P1/mobilities/M%E2%80%AE1", `{}`, nil, aggregates.RuleText, "mid"},
		{"INPUT-TEXT/control in a query parameter", http.MethodGet, "/v1/mobilities?receiving_country=F%01I", "", nil, aggregates.RuleText, "receiving_country"},
		{"INPUT-TEXT/invalid UTF-8 in a query parameter", http.MethodGet, "/v1/projects?action=%FF", "", nil, aggregates.RuleText, "action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUnitServer(t, nil)
			w := u.do(t, aggregates.RoleNationalOffice, tc.method, tc.path, tc.body, tc.hdr...)
			p := problemBody(t, w)
			if w.Code != http.StatusBadRequest || p.Rule != tc.rule || p.Field != tc.field {
				t.Fatalf("got %d rule %q field %q (%s); want 400 rule %s field %s", w.Code, p.Rule, p.Field, p.Detail, tc.rule, tc.field)
			}
			if n := len(u.cmds.requests()); n != 0 {
				t.Fatalf("%d commands reached the handler", n)
			}
		})
	}
}

// TestMultiLineTextKeepsItsLineBreaks: a reason may span lines; the check
// refuses only what it must.
func TestMultiLineTextKeepsItsLineBreaks(t *testing.T) {
	u := newUnitServer(t, nil)
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodDelete, "/v1/projects/P1/mobilities/M1", `{"reason":"rivi 1\nrivi 2\tä 🙂"}`)
	if w.Code >= 300 {
		t.Fatalf("multi-line reason refused: %d %s", w.Code, w.Body)
	}
}

// uploadCSV posts body as a mobility CSV with Content-Type ct.
func uploadCSV(t *testing.T, u *unitServer, ct string, body []byte) (int, BulkResult, Problem) {
	t.Helper()
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/mobilities.csv", string(body), "Content-Type", ct)
	var res BulkResult
	var p Problem
	if w.Code == http.StatusOK {
		decodeJSON(t, w.Body.Bytes(), &res)
	} else {
		p = problemBody(t, w)
	}
	return w.Code, res, p
}

const csvHeader = "mobility_id;participant_id;activity;start_date;end_date;sending_organisation;receiving_organisation;sending_country;receiving_country;receiving_city;distance_km\r\n"
const csvRow = "M1;P-1;SM-JOB-SHDW;2024-05-02;2024-05-06;Jyväskylän koulu;Schule;FI;DE;Köln;1500\r\n"

// TestCSVUploadCharsets: what Finnish Excel saves (windows-1252 or
// ISO-8859-1 declared in Content-Type, or UTF-16 with a byte-order mark)
// is decoded; a file that is not valid in its charset, or in a charset the
// ledger does not know, is refused naming Content-Type, never mangled.
func TestCSVUploadCharsets(t *testing.T) {
	plain := []byte(csvHeader + csvRow)
	latin1, err := charmap.Windows1252.NewEncoder().Bytes(plain)
	if err != nil {
		t.Fatal(err)
	}
	utf16le, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(plain)
	if err != nil {
		t.Fatal(err)
	}
	utf16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes(plain)
	for _, tc := range []struct {
		name, ct string
		body     []byte
	}{
		{"UTF-8 undeclared", "text/csv", plain},
		{"UTF-8 with BOM", "text/csv; charset=utf-8", append([]byte("\xef\xbb\xbf"), plain...)},
		{"windows-1252 declared", "text/csv; charset=windows-1252", latin1},
		{"ISO-8859-1 declared", "text/csv; charset=ISO-8859-1", latin1},
		{"UTF-16LE with BOM, undeclared", "text/csv", utf16le},
		{"UTF-16BE with BOM, declared utf-16", "text/csv; charset=utf-16", utf16be},
	} {
		t.Run("decoded/"+tc.name, func(t *testing.T) {
			u := newUnitServer(t, nil)
			code, res, p := uploadCSV(t, u, tc.ct, tc.body)
			if code != http.StatusOK || res.Accepted != 1 {
				t.Fatalf("%d %+v %+v", code, res, p)
			}
			reqs := u.cmds.requests()
			cmd := commandOf[aggregates.ReportMobility](t, reqs[0].Command)
			if cmd.SendingOrganisation != "Jyväskylän koulu" || cmd.ReceivingCity != "Köln" {
				t.Fatalf("text mangled: %q, %q", cmd.SendingOrganisation, cmd.ReceivingCity)
			}
		})
	}
	for _, tc := range []struct {
		name, ct string
		body     []byte
	}{
		{"windows-1252 sent as UTF-8", "text/csv", latin1},
		{"windows-1252 declared utf-8", "text/csv; charset=utf-8", latin1},
		{"unknown charset", "text/csv; charset=klingon", plain},
		{"UTF-16 BOM declared windows-1252", "text/csv; charset=windows-1252", utf16le},
	} {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			u := newUnitServer(t, nil)
			code, _, p := uploadCSV(t, u, tc.ct, tc.body)
			if code != http.StatusBadRequest || p.Field != "Content-Type" {
				t.Fatalf("got %d %+v; want 400 on Content-Type", code, p)
			}
			if n := len(u.cmds.requests()); n != 0 {
				t.Fatalf("%d rows recorded", n)
			}
		})
	}
	// A cell with a bidi override in a correctly decoded file is refused
	// row by row, naming the column.
	u := newUnitServer(t, nil)
	bad := []byte(csvHeader + strings.Replace(csvRow, "Köln", "K\u202eöln", 1))
	code, res, p := uploadCSV(t, u, "text/csv", bad)
	if code != http.StatusOK || res.Refused != 1 || res.Rows[0].Rule != aggregates.RuleText || res.Rows[0].Column != "receiving_city" {
		t.Fatalf("%d %+v %+v", code, res, p)
	}
}

// commandOf returns cmd as a C, whether the handler got a value or a pointer.
func commandOf[C any](t *testing.T, cmd any) C {
	t.Helper()
	switch c := cmd.(type) {
	case C:
		return c
	case *C:
		return *c
	}
	t.Fatalf("command %T", cmd)
	var zero C
	return zero
}

func decodeJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}
