package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"strings"
	"time"
)

func init() {
	subcommands["demo"] = subcommand{summary: "load a realistic, reproducible demo data set through a running serve's API (make demo)", run: runDemo}
}

// demoLoader sends the demo's commands as the national office, each
// recorded at its effective date in the past (Grants-Effective-At) and
// under an idempotency key (a retry of an interrupted load by the same
// user records nothing twice; a load finding the data set present stops).
type demoLoader struct {
	c           *apiClient
	ctx         context.Context
	ok, refused int
	// byRule counts the refusals by the rule (or field) at fault.
	byRule map[string]int
}

// send issues one command at the effective day at; a refusal is counted
// and the load goes on (it is a demo: the rules decide).
func (d *demoLoader) send(method, path, at, key string, body any) bool {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(d.ctx, method, d.c.base+path, bytes.NewReader(b))
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+d.c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "demo-"+key)
	if at != "" {
		req.Header.Set("Grants-Effective-At", at)
	}
	res, err := d.c.http.Do(req)
	if err != nil {
		d.refused++
		d.note("the network: " + err.Error())
		return false
	}
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	if res.StatusCode >= 300 {
		d.refused++
		var p struct{ Rule, Field string }
		_ = json.Unmarshal(raw, &p)
		d.note(strings.TrimSpace(p.Rule + " " + p.Field))
		return false
	}
	d.ok++
	return true
}

func (d *demoLoader) note(s string) {
	if d.byRule == nil {
		d.byRule = map[string]int{}
	}
	d.byRule[s]++
}

// demoOrg is one organisation of the demo.
type demoOrg struct {
	oid, name, city, kind, field, code string
}

func demoOrgs() []demoOrg {
	cities := []string{"Helsinki", "Espoo", "Tampere", "Turku", "Oulu", "Jyväskylä", "Kuopio", "Lahti", "Vaasa", "Joensuu"}
	kinds := []struct{ kind, field, code, noun string }{
		{"school", "school", "SCH", "koulu"}, {"vet-provider", "vet", "VET", "ammattiopisto"}, {"adult-education", "adult", "ADU", "kansalaisopisto"}}
	var out []demoOrg
	for i := 1; i <= 30; i++ {
		k := kinds[i%3]
		city := cities[i%len(cities)]
		out = append(out, demoOrg{oid: fmt.Sprintf("E1%07d", i), name: fmt.Sprintf("%sn %s %d", city, k.noun, i), city: city, kind: k.kind, field: k.field, code: k.code})
	}
	return out
}

// The states a demo project is taken to.
var demoStates = []string{"submitted", "withdrawn", "eligible", "ineligible", "approved", "reserve-listed", "rejected",
	"ongoing", "ongoing", "final-report-submitted", "final-report-assessed", "closed", "terminated", "ongoing"}

func runDemo(args []string) error {
	fs := newFlagSet("demo")
	base, token, tokenFile := addClientFlags(fs)
	c, err := parseForAPI(fs, args, base, token, tokenFile)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	d := &demoLoader{c: c, ctx: ctx}
	res, err := c.http.Get(c.base + "/healthz")
	if err != nil {
		return fmt.Errorf("cannot reach grants serve at %s (is make run running?): %v", c.base, err)
	}
	res.Body.Close()
	if err := c.do(ctx, "GET", "/v1/organisations/E10000001", nil, nil); err == nil {
		fmt.Fprintln(os.Stderr, "demo: the data set is loaded already (organisation E10000001 exists); nothing was sent")
		return nil
	}
	rng := rand.New(rand.NewSource(2024)) // reproducible
	orgs := demoOrgs()
	for _, o := range orgs {
		d.send("POST", "/v1/organisations", "2022-09-01", "reg-"+o.oid, map[string]any{"oid": o.oid, "legal_name": o.name, "country": "FI", "city": o.city, "kind": o.kind})
	}
	// Accreditations: eight applications, seven granted.
	for i, o := range orgs[:8] {
		aid := fmt.Sprintf("2022-1-FI01-KA120-%s-%06d", o.code, i+1)
		d.send("POST", "/v1/organisations/"+o.oid+"/accreditations", "2022-10-10", "acc-"+aid, map[string]any{"accreditation_id": aid, "field": o.field, "kind": "single",
			"strategy_attached": true, "plan": map[string]any{"from_year": 2023, "to_year": 2027, "objectives": []any{map[string]any{"text": "Kansainvälisyys kaikille", "indicators": []string{"liikkuvuudet"}}}}})
		outcome := "granted"
		if i == 7 {
			outcome = "rejected"
		}
		d.send("POST", "/v1/organisations/"+o.oid+"/accreditations/"+aid+"/decision", "2023-01-15", "accd-"+aid, map[string]any{"outcome": outcome})
	}
	countries := []struct {
		code, city string
		km         int
	}{{"DE", "Berlin", 1100}, {"SE", "Stockholm", 400}, {"ES", "Valencia", 3000}, {"FR", "Lyon", 2200}, {"IT", "Bologna", 2100}, {"EE", "Tartu", 250}, {"NL", "Utrecht", 1500}, {"PL", "Kraków", 1300}, {"IE", "Cork", 2300}, {"PT", "Porto", 3400}}
	n := 0
	for i, o := range orgs {
		for _, year := range []int{2023, 2024, 2025} {
			n++
			state := demoStates[(i+year)%len(demoStates)]
			action := "KA122"
			if i < 7 {
				action = "KA121"
			}
			lump := i >= 26
			if lump {
				action = "KA210"
			}
			pid := fmt.Sprintf("%d-1-FI01-%s-%s-%09d", year, action, o.code, i+1)
			deadline := map[bool]string{false: fmt.Sprintf("%d-02-10", year), true: fmt.Sprintf("%d-02-25", year)}[lump]
			start, end := fmt.Sprintf("%d-06-01", year), fmt.Sprintf("%d-05-31", year+1)
			if action == "KA121" {
				end = fmt.Sprintf("%d-08-31", year+1)
			}
			requested := int64(45000+rng.Intn(40)*1000) * 100
			app := map[string]any{"project_id": pid, "oid": o.oid, "action": action, "field": o.field, "call_year": year, "round": 1,
				"title": fmt.Sprintf("Eurooppa tutuksi %d", year), "partners": []any{}, "start_date": start, "end_date": end, "requested_cents": requested}
			if lump {
				requested = 6000000
				app["requested_cents"] = requested
				app["partners"] = []any{map[string]any{"name": "Colegio Valencia", "country": "ES", "role": "partner"}}
				app["work_packages"] = []any{map[string]any{"id": "WP1", "title": "Hallinto", "share_cents": 2000000}, map[string]any{"id": "WP2", "title": "Toteutus", "share_cents": 4000000}}
			}
			if !d.send("POST", "/v1/projects", deadline, "app-"+pid, app) {
				continue
			}
			p := "/v1/projects/" + pid
			switch state {
			case "submitted":
				continue
			case "withdrawn":
				d.send("POST", p+"/withdrawal", fmt.Sprintf("%d-03-01", year), "wd-"+pid, map[string]any{"reason": "Kumppani vetäytyi."})
				continue
			}
			elig := "eligible"
			if state == "ineligible" {
				elig = "ineligible"
			}
			d.send("POST", p+"/eligibility", fmt.Sprintf("%d-03-20", year), "el-"+pid, map[string]any{"outcome": elig})
			if state == "eligible" || state == "ineligible" {
				continue
			}
			outcome := map[string]string{"reserve-listed": "reserve", "rejected": "rejected"}[state]
			if outcome == "" {
				outcome = "approved"
			}
			dec := map[string]any{"outcome": outcome}
			awarded := requested * 9 / 10
			if lump {
				awarded = requested
			}
			if outcome == "approved" {
				dec["awarded_cents"] = awarded
			}
			d.send("POST", p+"/decision", fmt.Sprintf("%d-05-15", year), "dec-"+pid, dec)
			if state == "approved" || outcome != "approved" {
				continue
			}
			d.send("POST", p+"/agreement", fmt.Sprintf("%d-05-28", year), "ga-"+pid, map[string]any{"agreement_no": pid + "-GA"})
			pre := awarded * 8 / 10
			d.send("POST", p+"/payments", fmt.Sprintf("%d-06-20", year), "pf-"+pid, map[string]any{"payment_id": "PF1", "kind": "pre-financing", "amount_cents": pre})
			if year == 2023 && i%3 == 0 {
				d.send("POST", p+"/ukraine-exception", fmt.Sprintf("%d-07-01", year), "ua-"+pid, map[string]any{"justification": "Ukrainasta paenneet oppilaat osallistuvat hankkeeseen."})
				if i%6 == 0 && d.send("POST", p+"/ukraine-exception/decision", fmt.Sprintf("%d-07-15", year), "uad-"+pid, map[string]any{"outcome": "applied"}) {
					// Staff who worked in Ukraine job-shadow in Finland.
					for m := 1; m <= 4; m++ {
						day := time.Date(year, time.October, 2+7*m, 0, 0, 0, 0, time.UTC)
						mid := fmt.Sprintf("UA%02d", m)
						d.send("POST", p+"/mobilities", day.AddDate(0, 0, 14).Format(time.DateOnly), "mob-"+pid+"-"+mid, map[string]any{
							"mobility_id": mid, "participant_id": fmt.Sprintf("P-UA-%s-%02d", o.oid, m), "activity": "SM-JOB-SHDW",
							"start_date": day.Format(time.DateOnly), "end_date": day.AddDate(0, 0, 4).Format(time.DateOnly),
							"sending_organisation": "Kyivskyi litsei", "receiving_organisation": o.name, "sending_country": "UA", "receiving_country": "FI",
							"receiving_city": o.city, "distance_km": 1200, "travel_days": 2,
							"ukraine": map[string]any{"category": "staff", "worked_in_ukraine": true, "suitable_education": true, "documents": []string{"pay-slip"},
								"receiving_signature": true, "learning_agreement": true}})
					}
				}
			}
			if i%7 == 3 {
				d.send("POST", p+"/support-requests", fmt.Sprintf("%d-08-01", year), "is-"+pid, map[string]any{"request_id": "IS-1", "inclusion_support_cents": 120000, "exceptional_costs_cents": 0,
					"justification": "Liikuntarajoitteinen osallistuja tarvitsee avustajan."})
			}
			// Mobilities, each reported after it ended.
			if !lump {
				count := 8 + rng.Intn(18)
				for m := 1; m <= count; m++ {
					dest := countries[rng.Intn(len(countries))]
					day := time.Date(year, time.September, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.Intn(200))
					act, days := "SM-JOB-SHDW", 3+rng.Intn(5)
					if o.field == "vet" && m%2 == 0 {
						act, days = "LM-SHORT-VET", 14+rng.Intn(30)
					} else if m%3 == 0 {
						act = "SM-COUR-TRAIN"
					}
					endDay := day.AddDate(0, 0, days-1)
					if endDay.Format(time.DateOnly) > end {
						continue
					}
					mid := fmt.Sprintf("M%03d", m)
					mob := map[string]any{"mobility_id": mid, "participant_id": fmt.Sprintf("P-%s-%03d", o.oid, m), "personal": map[string]any{"first_name": "Osallistuja", "last_name": fmt.Sprintf("Nro %d", m)},
						"activity": act, "start_date": day.Format(time.DateOnly), "end_date": endDay.Format(time.DateOnly), "sending_organisation": o.name,
						"receiving_organisation": "Partner " + dest.city, "sending_country": "FI", "receiving_country": dest.code, "receiving_city": dest.city,
						"distance_km": dest.km, "travel_days": 2, "green_travel": rng.Intn(4) == 0, "fewer_opportunities": rng.Intn(5) == 0}
					if act == "SM-COUR-TRAIN" {
						mob["course_fee_days"] = days
					}
					d.send("POST", p+"/mobilities", endDay.AddDate(0, 0, 7).Format(time.DateOnly), "mob-"+pid+"-"+mid, mob)
				}
			}
			switch state {
			case "ongoing":
				if action == "KA121" {
					d.send("POST", p+"/reports/interim", fmt.Sprintf("%d-02-15", year+1), "ir-"+pid, map[string]any{"report_id": "IR-1", "summary": "Ensimmäiset liikkuvuudet toteutuivat."})
				}
				continue
			case "terminated":
				d.send("POST", p+"/termination", fmt.Sprintf("%d-03-01", year+1), "term-"+pid, map[string]any{"reason": "Edunsaaja lopetti toimintansa."})
				continue
			}
			reportDay := time.Date(year+1, time.September, 30, 0, 0, 0, 0, time.UTC)
			if action == "KA121" {
				reportDay = time.Date(year+1, time.October, 20, 0, 0, 0, 0, time.UTC)
			}
			if reportDay.After(time.Now().UTC()) {
				continue
			}
			d.send("POST", p+"/reports/final", reportDay.Format(time.DateOnly), "fr-"+pid, map[string]any{"summary": "Kaikki liikkuvuudet toteutuivat."})
			if state == "final-report-submitted" {
				continue
			}
			var st struct {
				Budget struct {
					ReportedCents int64 `json:"reported_cents"`
				} `json:"budget"`
			}
			_ = c.do(ctx, "GET", p, nil, &st)
			final := st.Budget.ReportedCents
			if lump || final == 0 || final > awarded {
				final = awarded
			}
			d.send("POST", p+"/reports/final/assessment", reportDay.AddDate(0, 0, 30).Format(time.DateOnly), "fa-"+pid, map[string]any{"outcome": "accepted", "final_cents": final, "score": 70 + rng.Intn(25)})
			if state == "final-report-assessed" {
				continue
			}
			kind, amount, payID := "balance", final-pre, "BAL1"
			if amount < 0 {
				kind, amount, payID = "recovery", pre-final, "REC1"
			}
			if amount > 0 {
				d.send("POST", p+"/payments", reportDay.AddDate(0, 0, 45).Format(time.DateOnly), "bal-"+pid, map[string]any{"payment_id": payID, "kind": kind, "amount_cents": amount})
			}
			if closeDay := reportDay.AddDate(0, 0, 60); closeDay.Before(time.Now()) {
				d.send("POST", p+"/closure", closeDay.Format(time.DateOnly), "close-"+pid, map[string]any{})
			}
		}
	}
	fmt.Fprintf(os.Stderr, "demo: %d projects tried, %d commands recorded, %d refused by the rules\n", n, d.ok, d.refused)
	for r, n := range d.byRule {
		fmt.Fprintf(os.Stderr, "  refused by %s: %d\n", r, n)
	}
	return nil
}
