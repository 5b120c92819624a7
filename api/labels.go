package api

import (
	"net/url"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// labels are the words of the web pages in English and Finnish (see
// docs/GLOSSARY.md).
var labels = map[string]map[string]string{
	"en": {
		"app": "Erasmus+ grant ledger", "login": "Sign in", "token": "API token", "signin": "Sign in",
		"organisation": "Organisation", "project": "Project", "history": "Audit history",
		"oid": "Organisation ID (OID)", "name": "Name", "country": "Country", "city": "City", "kind": "Kind",
		"accreditations": "Accreditations", "field": "Field", "year": "Year", "status": "Status",
		"projects": "Projects", "action": "Key action", "call_year": "Call year", "title": "Title",
		"budget": "Budget", "awarded": "Grant awarded", "reported": "Reported", "remaining": "Remaining", "paid": "Paid",
		"requested": "Grant applied for", "breakdown": "Breakdown by budget category", "category": "Category",
		"amount": "Amount", "explanation": "Explanation", "mobilities": "Mobilities", "participant": "Participant",
		"activity": "Activity", "from": "From", "to": "To", "start": "Start", "end": "End", "days": "Days",
		"grant": "Grant", "when": "When", "effective": "Effective", "who": "Who", "what": "What", "why": "Why",
		"hash": "Hash", "next": "Next page", "back": "Back", "duration": "Duration",
		"ukraine": "Ukraine exception", "beneficiary": "Beneficiary", "none": "None",
		"organisational_support": "Organisational support", "individual_support": "Individual support",
		"travel": "Travel support", "inclusion_support": "Inclusion support", "preparatory_visits": "Preparatory visits",
		"course_fees": "Course fees", "linguistic_support": "Linguistic support", "exceptional_costs": "Exceptional costs",
		"budget-note":  "Computed from the unit costs of call year %d. The grant awarded includes amendments; paid is the payments less recoveries. Cancelled mobilities count for nothing.",
		"signout":      "Sign out",
		"signed-out":   "You are signed out.",
		"signed-in":    "You are signed in. Open a project at /ui/projects/<project ID> or an organisation at /ui/organisations/<OID>.",
		"not-counted":  "not counted",
		"login-failed": "The token was not accepted:",
		"error":        "The page cannot be shown", "rule": "Rule", "request-id": "Request ID",
		"status-submitted": "Submitted", "status-withdrawn": "Withdrawn", "status-eligible": "Eligible",
		"status-ineligible": "Ineligible", "status-approved": "Approved", "status-reserve-listed": "Reserve-listed",
		"status-rejected": "Rejected", "status-ongoing": "Ongoing", "status-final-report-submitted": "Final report submitted",
		"status-final-report-assessed": "Final report assessed", "status-closed": "Closed", "status-terminated": "Terminated",
		"status-applied": "Applied", "status-granted": "Granted",
		"status-reported": "Reported", "status-corrected": "Corrected", "status-cancelled": "Cancelled",
	},
	"fi": {
		"app": "Erasmus+ -avustusrekisteri", "login": "Kirjaudu", "token": "API-tunniste", "signin": "Kirjaudu sisään",
		"organisation": "Organisaatio", "project": "Hanke", "history": "Muutoshistoria",
		"oid": "Organisaatiotunniste (OID)", "name": "Nimi", "country": "Maa", "city": "Kaupunki", "kind": "Tyyppi",
		"accreditations": "Akkreditoinnit", "field": "Koulutusala", "year": "Vuosi", "status": "Tila",
		"projects": "Hankkeet", "action": "Avaintoimi", "call_year": "Hakuvuosi", "title": "Nimi",
		"budget": "Budjetti", "awarded": "Myönnetty avustus", "reported": "Raportoitu", "remaining": "Jäljellä", "paid": "Maksettu",
		"requested": "Haettu avustus", "breakdown": "Erittely budjettiluokittain", "category": "Budjettiluokka",
		"amount": "Summa", "explanation": "Peruste", "mobilities": "Liikkuvuudet", "participant": "Osallistuja",
		"activity": "Toiminto", "from": "Lähtömaa", "to": "Kohdemaa", "start": "Alkaa", "end": "Päättyy", "days": "Päiviä",
		"grant": "Avustus", "when": "Kirjattu", "effective": "Voimassa", "who": "Kuka", "what": "Mitä", "why": "Miksi",
		"hash": "Tiiviste", "next": "Seuraava sivu", "back": "Takaisin", "duration": "Kesto",
		"ukraine": "Ukrainan poikkeusmenettely", "beneficiary": "Edunsaaja", "none": "Ei yhtään",
		"organisational_support": "Organisointituki", "individual_support": "Yksilötuki",
		"travel": "Matkatuki", "inclusion_support": "Osallisuustuki", "preparatory_visits": "Valmistelevat vierailut",
		"course_fees": "Kurssimaksut", "linguistic_support": "Kielituki", "exceptional_costs": "Poikkeukselliset kulut",
		"budget-note":  "Laskettu hakuvuoden %d yksikkökustannuksista. Myönnetty avustus sisältää sopimusmuutokset; maksettu on maksut vähennettynä takaisinperinnöillä. Perutut liikkuvuudet eivät kerrytä avustusta.",
		"signout":      "Kirjaudu ulos",
		"signed-out":   "Olet kirjautunut ulos.",
		"signed-in":    "Olet kirjautunut sisään. Avaa hanke osoitteessa /ui/projects/<hanketunnus> tai organisaatio osoitteessa /ui/organisations/<OID>.",
		"not-counted":  "ei lasketa",
		"login-failed": "Tunnistetta ei hyväksytty:",
		"error":        "Sivua ei voi näyttää", "rule": "Sääntö", "request-id": "Pyynnön tunniste",
		"status-submitted": "Jätetty", "status-withdrawn": "Peruttu", "status-eligible": "Tukikelpoinen",
		"status-ineligible": "Ei tukikelpoinen", "status-approved": "Hyväksytty", "status-reserve-listed": "Varasijalla",
		"status-rejected": "Hylätty", "status-ongoing": "Käynnissä", "status-final-report-submitted": "Loppuraportti jätetty",
		"status-final-report-assessed": "Loppuraportti arvioitu", "status-closed": "Päättynyt", "status-terminated": "Keskeytetty",
		"status-applied": "Haettu", "status-granted": "Myönnetty",
		"status-reported": "Raportoitu", "status-corrected": "Korjattu", "status-cancelled": "Peruttu",
	},
}

// parseForm parses an application/x-www-form-urlencoded body.
func parseForm(body string) (map[string]string, error) {
	v, err := url.ParseQuery(body)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "the form cannot be read: %v", err)
	}
	out := map[string]string{}
	for k := range v {
		out[k] = v.Get(k)
	}
	return out, nil
}
