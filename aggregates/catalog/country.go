package catalog

import (
	"slices"
	"strings"
)

// iso3166 lists the ISO 3166-1 alpha-2 codes.
const iso3166 = `
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW`

// EU usage on top of ISO 3166-1: EL for Greece, UK for the United Kingdom,
// XK for Kosovo (a user-assigned code the EU uses).
const euExtra = "EL UK XK"

// EU27 lists the EU member states (EU codes, Greece as EL).
var EU27 = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
	"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

// Associated lists the third countries associated to the Programme.
var Associated = []string{"NO", "IS", "LI", "MK", "TR", "RS"}

// UKProgrammeUntil is the last call year in which the United Kingdom is a
// programme country (CTRY-UK).
const UKProgrammeUntil = 2020

var known = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(iso3166 + " " + euExtra) {
		m[c] = true
	}
	return m
}()

var programme = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range append(slices.Clone(EU27), Associated...) {
		m[c] = true
	}
	return m
}()

// NormaliseCountry upper-cases and trims c and maps the ISO codes that EU
// usage spells differently to the EU code: GR to EL, GB to UK.
func NormaliseCountry(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	switch c {
	case "GR":
		return "EL"
	case "GB":
		return "UK"
	}
	return c
}

// KnownCountry reports whether c (normalised first) is an ISO 3166-1
// alpha-2 code or one of the EU codes EL, UK and XK.
func KnownCountry(c string) bool { return known[NormaliseCountry(c)] }

// IsProgrammeCountry reports whether c (normalised first) is a programme
// country for projects of callYear (CTRY-PROGRAMME): the EU 27 plus NO, IS,
// LI, MK, TR and RS; the UK only for call years up to 2020 (CTRY-UK).
func IsProgrammeCountry(c string, callYear int) bool {
	c = NormaliseCountry(c)
	if c == "UK" {
		return callYear <= UKProgrammeUntil
	}
	return programme[c]
}

// ProgrammeCountries returns the programme countries of callYear, sorted.
func ProgrammeCountries(callYear int) []string {
	out := append(slices.Clone(EU27), Associated...)
	if callYear <= UKProgrammeUntil {
		out = append(out, "UK")
	}
	slices.Sort(out)
	return out
}
