package api

import "strings"

// csvColumn maps one CSV column to a field of the ReportMobility command.
type csvColumn struct {
	name string
	path []string // JSON path in the command
	kind string   // string, int, bool, number, list
	req  bool
	doc  string
}

// csvColumns are the columns of the mobility upload, in the documented
// order (docs/api.md lists them with the same words).
var csvColumns = []csvColumn{
	{"mobility_id", p("mobility_id"), "string", true, "the mobility's ID, unique within the project"},
	{"participant_id", p("participant_id"), "string", true, "the participant's pseudonymous ID"},
	{"first_name", p("personal", "first_name"), "string", false, "participant's first name (personal data)"},
	{"last_name", p("personal", "last_name"), "string", false, "participant's last name (personal data)"},
	{"birth_date", p("personal", "birth_date"), "string", false, "YYYY-MM-DD (personal data; UA-ELIG-PUPIL)"},
	{"email", p("personal", "email"), "string", false, "participant's e-mail (personal data)"},
	{"gender", p("personal", "gender"), "string", false, "participant's gender (personal data)"},
	{"nationality", p("personal", "nationality"), "string", false, "ISO country code"},
	{"activity", p("activity"), "string", true, "Beneficiary Module activity code, e.g. SM-JOB-SHDW"},
	{"start_date", p("start_date"), "string", true, "YYYY-MM-DD, first day of the activity (travel excluded)"},
	{"end_date", p("end_date"), "string", true, "YYYY-MM-DD, last day of the activity (travel excluded)"},
	{"sending_organisation", p("sending_organisation"), "string", true, "name or OID of the sending organisation"},
	{"sending_oid", p("sending_oid"), "string", false, "OID of the sending organisation; required in a consortium's project, where it is the coordinator or a member (CONS-MEMBER)"},
	{"receiving_organisation", p("receiving_organisation"), "string", true, "name or OID of the receiving organisation"},
	{"sending_country", p("sending_country"), "string", true, "ISO country code (EL for Greece; GR accepted)"},
	{"receiving_country", p("receiving_country"), "string", true, "ISO country code"},
	{"receiving_city", p("receiving_city"), "string", true, "the venue's city"},
	{"distance_km", p("distance_km"), "int", false, "one-way great-circle distance; or give the four coordinates"},
	{"origin_lat", p("origin", "lat"), "number", false, "origin latitude"},
	{"origin_lon", p("origin", "lon"), "number", false, "origin longitude"},
	{"destination_lat", p("destination", "lat"), "number", false, "destination latitude"},
	{"destination_lon", p("destination", "lon"), "number", false, "destination longitude"},
	{"green_travel", p("green_travel"), "bool", false, "true for bus, train, bike or car-pooling"},
	{"travel_days", p("travel_days"), "int", false, "funded travel days (BUD-TRAVEL-DAYS)"},
	{"fewer_opportunities", p("fewer_opportunities"), "bool", false, "participant with fewer opportunities"},
	{"inclusion_cents", p("inclusion_cents"), "int", false, "inclusion support applied for, in cents"},
	{"accompanying", p("accompanying"), "bool", false, "accompanying person (not counted in KA122-MAX-MOB)"},
	{"group_id", p("group_id"), "string", false, "groups the mobilities of one group activity"},
	{"persons", p("persons"), "int", false, "persons of a preparatory visit (at most 3)"},
	{"course_fee_days", p("course_fee_days"), "int", false, "days of course fees (ACT-COURSE)"},
	{"linguistic_support", p("linguistic_support"), "bool", false, "true when the Online Language Support does not offer the language (BUD-LINGUISTIC)"},
	{"real_travel_cost_cents", p("real_travel_cost_cents"), "int", false, "real travel cost for exceptional costs (BUD-EXC-TRAVEL)"},
	{"ukraine_category", p("ukraine", "category"), "string", false, "Ukraine exception: pupil, staff or invited-expert"},
	{"ukraine_right_to_study", p("ukraine", "right_to_study"), "bool", false, "Ukraine exception: the pupil has a right to study"},
	{"ukraine_preparatory_offered", p("ukraine", "preparatory_offered"), "bool", false, "Ukraine exception: preparatory education is offered"},
	{"ukraine_worked_in_ukraine", p("ukraine", "worked_in_ukraine"), "bool", false, "Ukraine exception: staff worked in Ukraine"},
	{"ukraine_suitable_education", p("ukraine", "suitable_education"), "bool", false, "Ukraine exception: staff has suitable education"},
	{"ukraine_expertise_matches_host", p("ukraine", "expertise_matches_host"), "bool", false, "Ukraine exception: expert's expertise matches the host"},
	{"ukraine_documents", p("ukraine", "documents"), "list", false, "Ukraine exception: evidence documents, separated by ';'"},
	{"ukraine_other_document", p("ukraine", "other_document"), "string", false, "Ukraine exception: a different evidence document, described (UA-EVIDENCE)"},
	{"ukraine_receiving_signature", p("ukraine", "receiving_signature"), "bool", false, "Ukraine exception: receiving organisation's signature"},
	{"ukraine_learning_agreement", p("ukraine", "learning_agreement"), "bool", false, "Ukraine exception: learning agreement signed"},
	{"ukraine_linguistic_cents", p("ukraine", "linguistic_cents"), "int", false, "Ukraine exception: linguistic support, in cents"},
}

func p(path ...string) []string { return path }

// columnOfField maps a JSON field path back to its CSV column.
func columnOfField(field string) string {
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i] // ukraine.documents[1] is in the column ukraine_documents
	}
	for _, c := range csvColumns {
		if strings.Join(c.path, ".") == field {
			return c.name
		}
	}
	return ""
}
