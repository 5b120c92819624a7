package api

import (
	"net/url"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// labels are the words of the web pages in English and Finnish (see
// GLOSSARY.md of the domain).
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
		"organisational-support": "Organisational support", "individual-support": "Individual support",
		"travel": "Travel support", "inclusion-support": "Inclusion support", "preparatory-visit": "Preparatory visit",
		"course-fees": "Course fees", "linguistic-support": "Linguistic support", "exceptional-costs": "Exceptional costs",
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
		"organisational-support": "Organisointituki", "individual-support": "Yksilötuki",
		"travel": "Matkatuki", "inclusion-support": "Osallisuustuki", "preparatory-visit": "Valmisteleva vierailu",
		"course-fees": "Kurssimaksut", "linguistic-support": "Kielituki", "exceptional-costs": "Poikkeukselliset kulut",
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
